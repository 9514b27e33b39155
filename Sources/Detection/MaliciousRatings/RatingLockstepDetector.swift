import Columnar
import Foundation

/// Lockstep raters: the accounts of an attack ring post their low ratings on the same
/// few shops in the same few days, a block of the rater x shop x day tensor of low
/// ratings far denser than the rest. Found by the peeling of `DenseBlockFinder` over
/// FRAUDAR weights (a rating counts 1 / log(low raters of its shop + 5), so ratings on a
/// shop everyone complains about weigh less), with the arithmetic
/// density: rating tensors are so sparse that `susp` prefers large blocks of a rating
/// or two per rater over a small ring that fills its block. Only raters
/// with two or more low ratings enter the tensor: one rating cannot move in step with
/// anything across shops (a one-off pile-on on a single shop is `RatingBurstDetector`'s
/// job), and raters with one rating each would otherwise make huge, sparse blocks. A
/// block must fill a good part of its cells, so the steady complaints of a bad shop's
/// customers over weeks are no block.
public struct RatingLockstepDetector: SharingDetector {
    public init() {}

    public var name: String { "rating lockstep blocks" }

    public var parameters: [Parameter] {
        RatingFacts.parameters + [
            Parameter("malicious_ratings.block_searches", 16, "dense-block searches in the rater x shop x day tensor of low ratings"),
            Parameter("malicious_ratings.block_min_raters", 5, "fewest raters in a reported block"),
            Parameter("malicious_ratings.block_bucket_seconds", 86_400, "width of the time buckets of the tensor"),
            Parameter("malicious_ratings.block_min_fill", 0.3, "least share of a block's rater x shop x day cells that hold low ratings"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "rater_lockstep_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings inside a lockstep block of raters, shops and days",
                threshold: 0.5, saturation: 0.9, weight: 0.35),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let ratings = export.ratings
        let facts = memo.facts(config: config)
        let bucket = max(1, Int64(config["malicious_ratings.block_bucket_seconds"]))
        let start = ratings.createdAt.min() ?? 0
        let days = ratings.createdAt.map { UInt32(($0 - start) / bucket) }
        let tensor = Self.tensor(
            member: ratings.buyer, shop: ratings.shop, days: days, dayCount: Int(days.max() ?? 0) + 1,
            shops: facts.lowByShop, members: facts.lowByRater, minimumRows: 2)
        let finder = DenseBlockFinder(
            density: .arithmetic, maximumBlocks: Int(config["malicious_ratings.block_searches"]),
            minimumSides: [Int(config["malicious_ratings.block_min_raters"]), 1, 1])
        let blocks = finder.blocks(in: tensor).filter { $0.fill >= config["malicious_ratings.block_min_fill"] }
        let blockOfRating = Self.blockOfRow(
            blocks, members: facts.lowByRater, shop: ratings.shop, days: days, rowCount: ratings.count)

        var counts = [Int](repeating: 0, count: blocks.count)
        for block in blockOfRating where block >= 0 { counts[Int(block)] += 1 }
        let names = export.dictionaries.accounts
        let findings = blocks.enumerated().map { number, block in
            Finding(
                category: .maliciousRatings,
                title: "rating block \(number + 1): \(Finding.counted(block.members[0].count, "rater")) x "
                    + "\(Finding.counted(block.members[1].count, "shop")) x "
                    + "\(Finding.counted(block.members[2].count, "bucket")), \(Finding.counted(counts[number], "low rating")), fill \(Int((block.fill * 100).rounded()))%, "
                    + "\(UnixTime.iso8601(start + Int64(block.members[2].first!) * bucket)).."
                    + "\(UnixTime.iso8601(start + Int64(block.members[2].last! + 1) * bucket))",
                members: block.members[1].map { "shop:" + names.string($0) }
                    + block.members[0].prefix(40).map { "buyer:" + names.string($0) })
        }
        let values = RowKernels.share(groups: facts.lowByRater) { blockOfRating[$0] >= 0 }
        return DetectorOutput(
            signals: [
                facts.raterColumn(
                    signal("rater_lockstep_share", config), values: values, flagged: { blockOfRating[$0] >= 0 },
                    export: export)
            ],
            findings: findings)
    }

    /// For each rating, the number of the first block holding it (its rater, shop and
    /// time bucket all in the block), or -1.
    static func blockOfRow(
        _ blocks: [DenseBlock], members: EntityGroups, shop: Column<UInt32>, days: [UInt32], rowCount: Int
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

    /// The rater x shop x time-bucket tensor of the rows in `members` (grouped by
    /// rater) with FRAUDAR weights: a row counts 1 / log(distinct raters of its shop in
    /// `shops` + 5). Raters with fewer than `minimumRows` rows are left out.
    static func tensor(
        member: Column<UInt32>, shop: Column<UInt32>, days: [UInt32], dayCount: Int, shops: EntityGroups, members: EntityGroups,
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
