import Columnar
import Foundation

/// Brushing rings as dense blocks: the orders with several marks (`OrderFlags`) of a ring's member
/// accounts at its client shops on its working days form a block of the buyer x shop x
/// day tensor far denser than anything else among marked orders. Peeling
/// (`DenseBlockFinder`, `susp` density) finds the blocks; their orders tie the members
/// and shops of a ring together even where each carries only a few marks.
///
/// A block counts as a ring only when its shops' orders on its days are marked far more
/// often than the platform's orders overall (`fake_orders.block_min_lift`), so a
/// platform where, say, same-city delivery makes fast confirmation common everywhere
/// shows no rings. The two rates count differently: the platform's counts every order
/// with several marks of any kind (the tensor's orders), a block's only its own orders
/// (below: its buyers' orders with several parcel marks). Only orders with several
/// marks enter the tensor: over all orders of a heavy-tailed platform the densest blocks
/// are the big honest shops and their crowds of buyers.
///
/// A block's own orders are those whose marks hold with a fast confirmation counted only
/// at a shop that ships parcels (`members`): the buyers of a shop selling top-ups confirm
/// at once, and those behind a campus locker or an office address then carry two marks
/// (held-out generator, camouflage 2-3: every block was such a shop's, 7-28 honest
/// buyers at key scrutiny through it, seeds 101 and 102). The search keeps reading every mark, since taking
/// those orders out of the tensor changed which rings it found elsewhere.
struct RingBlocks {
    /// Per order, the number of the block it is in, or -1.
    var blockOfOrder: [Int32]
    var findings: [Finding]

    /// `candidates` are the orders of the tensor, `members` those that can be a block's
    /// (a subset).
    init(
        _ export: Export, candidates: [Bool], members: [Bool], shops: EntityGroups, buyers: EntityGroups,
        config: DetectionConfig
    ) {
        let orders = export.orders
        let bucket = max(1, Int64(config["fake_orders.block_bucket_seconds"]))
        let start = orders.createdAt.min() ?? 0
        let days = orders.createdAt.map { UInt32(($0 - start) / bucket) }
        let dayCount = Int(days.max() ?? 0) + 1
        var cells: [(UInt32, UInt32, UInt32)] = []
        for row in 0..<orders.count where candidates[row] {
            cells.append((orders.buyer[row], orders.shop[row], days[row]))
        }
        let accountCount = export.dictionaries.accounts.count
        let tensor = Tensor3(
            sizes: [accountCount, accountCount, dayCount], cells: cells,
            mass: [Double](repeating: 1, count: cells.count))
        let finder = DenseBlockFinder(
            density: .suspiciousness, maximumBlocks: Int(config["fake_orders.block_searches"]),
            minimumSides: [Int(config["fake_orders.block_min_buyers"]), 1, 1])
        // A ring makes its client shops' business far more marked than the platform's on
        // the days it works; a popular honest shop is about as marked as everyone else.
        // The platform's rate counts every mark (`candidates`), a block's only its own
        // orders' parcel marks (`members` of its buyers).
        let baseRate = Double(cells.count) / Double(max(1, orders.count))
        let minimumLift = config["fake_orders.block_min_lift"]
        let blocks = finder.blocks(in: tensor).filter { block in
            let buyerSet = Set(block.members[0]), daySet = Set(block.members[2])
            var all = 0, marked = 0
            for shop in block.members[1] {
                for row in shops.rows(of: Int(shop)) where daySet.contains(days[Int(row)]) {
                    all += 1
                    if members[Int(row)] && buyerSet.contains(orders.buyer[Int(row)]) { marked += 1 }
                }
            }
            return Double(marked) / Double(max(1, all)) >= minimumLift * baseRate
        }

        blockOfOrder = [Int32](repeating: -1, count: orders.count)
        findings = []
        let names = export.dictionaries.accounts
        for block in blocks {
            let number = Int32(findings.count)
            let shopSet = Set(block.members[1]), daySet = Set(block.members[2])
            var orderCount = 0
            for buyer in block.members[0] {
                for row in buyers.rows(of: Int(buyer))
                where members[Int(row)] && blockOfOrder[Int(row)] < 0 && shopSet.contains(orders.shop[Int(row)])
                    && daySet.contains(days[Int(row)])
                {
                    blockOfOrder[Int(row)] = number
                    orderCount += 1
                }
            }
            let first = start + Int64(block.members[2].first!) * bucket
            let last = start + Int64(block.members[2].last! + 1) * bucket
            findings.append(
                Finding(
                    category: .fakeOrders,
                    title: "ring block \(number + 1): \(Finding.counted(block.members[0].count, "buyer")) x "
                        + "\(Finding.counted(block.members[1].count, "shop")), "
                        + "\(Finding.counted(orderCount, "marked order")) on \(Finding.counted(block.members[2].count, "day")), "
                        + "\(UnixTime.iso8601(first))..\(UnixTime.iso8601(last))",
                    members: block.members[1].map { "shop:" + names.string($0) }
                        + block.members[0].prefix(40).map { "buyer:" + names.string($0) }))
        }
    }
}
