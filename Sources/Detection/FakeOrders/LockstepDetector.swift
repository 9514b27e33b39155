import Columnar
import Foundation

/// Lockstep behaviour: a ring of buyer accounts ordering from the same few shops on
/// the same few days forms a block of the buyer x shop x day tensor far denser than
/// the rest. Blocks are found by peeling (`DenseBlockFinder`, `susp` density) with
/// FRAUDAR's camouflage-resistant weights: an order counts 1 / log(buyers of the shop
/// + 5), so orders at a popular shop (where a ring hides its camouflage) weigh less
/// than orders at the small shop being brushed.
public struct LockstepDetector: Detector {
    public init() {}

    public var name: String { "lockstep blocks" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.block_searches", 24, "dense-block searches per scan (each takes one block out)"),
            Parameter("fake_orders.block_min_buyers", 3, "fewest buyers in a reported block"),
            Parameter("fake_orders.block_min_days", 2, "fewest time buckets a reported block spans (one day is a sale)"),
            Parameter("fake_orders.block_bucket_seconds", 86_400, "width of the time buckets of the buyer x shop x time tensor"),
            Parameter("fake_orders.block_min_fill", 0.2, "least share of a block's buyer x shop x day cells that hold orders"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_dense_block_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders inside a lockstep block of buyers, shops and days",
                threshold: 0.1, saturation: 0.5, weight: 0.6),
            SignalDefinition(
                name: "buyer_dense_block_share", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders inside a lockstep block of buyers, shops and days",
                threshold: 0.3, saturation: 0.8, weight: 0.55),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int) -> DetectorOutput {
        let orders = export.orders
        let accountCount = export.dictionaries.accounts.count
        let shops = EntityGroups(keys: orders.shop, entityCount: accountCount)
        let buyers = EntityGroups(keys: orders.buyer, entityCount: accountCount)
        let bucket = max(1, Int64(config["fake_orders.block_bucket_seconds"]))
        let start = orders.createdAt.min() ?? 0
        let days = orders.createdAt.map { UInt32(($0 - start) / bucket) }
        let dayCount = Int(days.max() ?? 0) + 1

        let tensor = Self.tensor(
            member: orders.buyer, shop: orders.shop, days: days, dayCount: dayCount, shops: shops, members: buyers,
            minimumRows: 2)
        let finder = DenseBlockFinder(
            density: .suspiciousness, maximumBlocks: Int(config["fake_orders.block_searches"]),
            minimumSides: [Int(config["fake_orders.block_min_buyers"]), 1, Int(config["fake_orders.block_min_days"])])
        let blocks = finder.blocks(in: tensor).filter { $0.fill >= config["fake_orders.block_min_fill"] }

        let blockOfOrder = Self.blockOfRow(blocks, members: buyers, shop: orders.shop, days: days, rowCount: orders.count)
        var orderCounts = [Int](repeating: 0, count: blocks.count)
        for block in blockOfOrder where block >= 0 { orderCounts[Int(block)] += 1 }
        var findings: [Finding] = []
        for (number, block) in blocks.enumerated() {
            let orderCount = orderCounts[number]
            let names = export.dictionaries.accounts
            let first = start + Int64(block.members[2].first!) * bucket
            let last = start + Int64(block.members[2].last! + 1) * bucket
            findings.append(
                Finding(
                    category: .fakeOrders,
                    title: "block \(number + 1): \(block.members[0].count) buyers x \(block.members[1].count) shops x "
                        + "\(block.members[2].count) buckets, \(orderCount) orders, fill \(String(format2: block.fill)), "
                        + "\(UnixTime.iso8601(first))..\(UnixTime.iso8601(last))",
                    members: block.members[1].map { "shop:" + names.string($0) }
                        + block.members[0].prefix(40).map { "buyer:" + names.string($0) }))
        }
        let inBlock = blockOfOrder.map { $0 >= 0 }
        return DetectorOutput(
            signals: [
                column("shop_dense_block_share", config, groups: shops, inBlock: inBlock, blockOfOrder: blockOfOrder,
                       findings: findings, export: export),
                column("buyer_dense_block_share", config, groups: buyers, inBlock: inBlock, blockOfOrder: blockOfOrder,
                       findings: findings, export: export),
            ],
            findings: findings)
    }

    private func column(
        _ name: String, _ config: DetectionConfig, groups: EntityGroups, inBlock: [Bool], blockOfOrder: [Int32],
        findings: [Finding], export: Export
    ) -> SignalColumn {
        let definition = signal(name, config)
        let values = RowKernels.share(groups: groups) { inBlock[$0] }
        var samples: [UInt32: [EvidenceSample]] = [:]
        for entity in values.indices where values[entity] >= definition.threshold {
            let rows = groups.rows(of: entity).filter { inBlock[Int($0)] }
            let blockNumbers = Set(rows.map { Int(blockOfOrder[Int($0)]) }).sorted()
            samples[UInt32(entity)] =
                blockNumbers.prefix(3).map { EvidenceSample(.block, findings[$0].title) }
                + rows.prefix(SignalColumn.sampleLimit).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }

    /// For each row (an order, or a rating), the number of the first block holding it
    /// (its member, shop and time bucket all in the block), or -1.
    static func blockOfRow(
        _ blocks: [DenseBlock], members: EntityGroups, shop: [UInt32], days: [UInt32], rowCount: Int
    ) -> [Int32] {
        var blockOfRow = [Int32](repeating: -1, count: rowCount)
        for (number, block) in blocks.enumerated() {
            let shopSet = Set(block.members[1]), daySet = Set(block.members[2])
            for member in block.members[0] {
                for row in members.rows(of: Int(member))
                where shopSet.contains(shop[Int(row)]) && daySet.contains(days[Int(row)]) && blockOfRow[Int(row)] < 0 {
                    blockOfRow[Int(row)] = Int32(number)
                }
            }
        }
        return blockOfRow
    }

    /// The member x shop x time-bucket tensor of rows (buyers' orders, or raters'
    /// ratings) with FRAUDAR weights: a row counts 1 / log(distinct members of its shop
    /// + 5). Members with fewer than `minimumRows` rows are left out to keep peeling fast
    /// (a buyer with a single order cannot be in lockstep; a rater's one rating can).
    static func tensor(
        member: [UInt32], shop: [UInt32], days: [UInt32], dayCount: Int, shops: EntityGroups, members: EntityGroups,
        minimumRows: Int
    ) -> Tensor3 {
        var shopWeight = [Double](repeating: 0, count: shops.entityCount)
        var seen = [UInt32](repeating: .max, count: members.entityCount)
        for shopId in 0..<shops.entityCount {
            var distinct = 0
            for row in shops.rows(of: shopId) where seen[Int(member[Int(row)])] != UInt32(shopId) {
                seen[Int(member[Int(row)])] = UInt32(shopId)
                distinct += 1
            }
            shopWeight[shopId] = 1 / log(Double(distinct) + 5)
        }
        var coordinates: [[UInt32]] = [[], [], []]
        var mass: [Double] = []
        for memberId in 0..<members.entityCount where members.count(of: memberId) >= max(1, minimumRows) {
            let cells = members.rows(of: memberId).map { (shop[Int($0)], days[Int($0)]) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            var index = 0
            while index < cells.count {
                var end = index + 1
                while end < cells.count && cells[end] == cells[index] { end += 1 }
                coordinates[0].append(UInt32(memberId))
                coordinates[1].append(cells[index].0)
                coordinates[2].append(cells[index].1)
                mass.append(Double(end - index) * shopWeight[Int(cells[index].0)])
                index = end
            }
        }
        return Tensor3(sizes: [members.entityCount, shops.entityCount, dayCount], coordinates: coordinates, mass: mass)
    }
}

extension String {
    /// A number with two decimals, for titles and reports.
    init(format2 value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled) / 100, fraction = abs(Int(scaled)) % 100
        self = "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
