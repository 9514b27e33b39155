import Columnar
import Foundation

/// A rating crew seen through the shops it complains about together. A sponsor's crew
/// sinks its competitors: each member buys once at a victim, the cheapest thing or
/// nothing at all, complains, and never comes back; and the same members do it at each
/// of the sponsor's one or two victims. Camouflage hides each single complaint (a real,
/// aged account with a purchase history elsewhere, a delivered parcel, three stars
/// instead of one, the attack spread over weeks so no burst shows, a popular victim
/// whose honest complaints drown the crew's), but not that structure: a *drive-by
/// complaint* (at most `malicious_ratings.drive_by_stars` stars from a rater with at most
/// one order at the shop, that order not a real purchase: none, trivially cheap or a
/// ticket) is rare, and two shops sharing many drive-by complainers are far rarer. A
/// real customer who complains about two shops of one market buys there again and
/// again, and their complaints are backed by real purchases; one who buys once and
/// complains twice has few peers doing the same at the same two shops.
public struct CoComplainerDetector: SharingDetector {
    public init() {}

    public var name: String { "co-complainers" }

    public var parameters: [Parameter] {
        RatingFacts.parameters + [
            Parameter(
                "malicious_ratings.drive_by_stars", 3,
                "a rating with at most this many stars, from a rater with at most one order at the shop and that one no real purchase (none, trivially cheap, a ticket), is a drive-by complaint: a camouflaged crew posts three stars"
            ),
            Parameter(
                "malicious_ratings.co_complainer_min_raters", 3,
                "fewest raters with drive-by complaints on both shops of a pair, the rater included, for the pair to count (two are a household or a pair of friends, not a crew)"
            ),
            Parameter(
                "malicious_ratings.co_complainer_max_shops", 64,
                "raters with drive-by complaints on more distinct shops than this add no shop pairs (their pairs grow with the square of their shops); they still count in the null model"
            ),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "rater_co_complainer_surprise", entityKind: .buyer, category: .maliciousRatings,
                description: "-log10 chance of as many other raters with drive-by complaints (at most one order at the shop, and that one no real purchase) on both of two shops the rater made drive-by complaints on, given how many each shop has",
                threshold: 2, saturation: 4, weight: 0.5)
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let ratings = export.ratings
        let accountCount = export.dictionaries.accounts.count
        let definition = signal("rater_co_complainer_surprise", config)
        // Without orders the ratings name (a bare rating network, or ratings without
        // `order_id`) no complaint can be told a drive-by.
        guard RatingFacts.namesOrders(export) else {
            return DetectorOutput(signals: [
                SignalColumn(definition: definition, values: [Double](repeating: .nan, count: accountCount), samples: [:])
            ])
        }
        let (_, driveBy, pairs) = memo.crews(config: config, threads: threads)

        // A rater's evidence is its drive-by complaints on the two shops of its pair.
        let byRater = EntityGroups(keys: RatingFacts.keep(ratings.buyer, where: driveBy), entityCount: accountCount)
        let column = RatingFacts.raterColumn(
            definition, values: pairs.value, groups: byRater,
            flagged: { row in
                let pair = pairs.best[Int(ratings.buyer[row])], shop = ratings.shop[row]
                return shop == UInt32(truncatingIfNeeded: pair >> 32) || shop == UInt32(truncatingIfNeeded: pair)
            }, export: export)
        return DetectorOutput(signals: [column])
    }

    /// Per rating, whether it is a drive-by complaint: a one-off complaint (`oneOff`, from
    /// `oneOff(_:buyers:config:)`) backed by no real purchase (none, trivially cheap or a
    /// ticket); per account, its most surprising pair of shops shared with other drive-by
    /// complainers (`pairSurprise`). The rating-burst detector reads the pairs too: a
    /// member of a crew found here is an attacker of both shops of its pair when the
    /// sponsor test looks for who paid. `oneOff`, `backing` and `tickets` are the
    /// caller's (`backing` and `tickets` from `RatingFacts.purchases`); both detectors
    /// read the result from the scan's `ScanMemo`.
    static func crews(
        _ export: Export, oneOff: [Bool], backing: [RatingBacking], tickets: [Bool], config: DetectionConfig
    ) -> (driveBy: [Bool], pairs: (value: [Double], best: [UInt64])) {
        let ratings = export.ratings
        let driveBy = oneOff.indices.map { oneOff[$0] && (backing[$0] != .genuine || tickets[$0]) }
        let pairs = Self.pairSurprise(
            shop: RatingFacts.keep(ratings.shop, where: driveBy), rater: ratings.buyer,
            accountCount: export.dictionaries.accounts.count,
            minimumRaters: Int(config["malicious_ratings.co_complainer_min_raters"]),
            maximumShops: Int(config["malicious_ratings.co_complainer_max_shops"]))
        return (driveBy, pairs)
    }

    /// Per rating, whether it is a one-off complaint: at most
    /// `malicious_ratings.drive_by_stars` stars from a rater with at most one order (not
    /// cancelled) at the rated shop, whatever that order cost. `buyers` groups the
    /// export's orders by buyer; the caller builds it once and may read it again.
    static func oneOff(_ export: Export, buyers: EntityGroups, config: DetectionConfig) -> [Bool] {
        let stars = UInt8(clamping: Int(config["malicious_ratings.drive_by_stars"]))
        return Self.oneOff(
            complaint: export.ratings.stars.map { $0 <= stars }, ratings: export.ratings, orders: export.orders,
            buyers: buyers)
    }

    /// Per rating, whether it is a `complaint` from a rater with at most one order (not
    /// cancelled) at the rated shop; `buyers` groups `orders` by buyer. Each rater's
    /// orders are counted per shop, then the counters reset.
    static func oneOff(complaint: [Bool], ratings: RatingsTable, orders: OrdersTable, buyers: EntityGroups) -> [Bool] {
        let accountCount = buyers.entityCount
        let candidates = EntityGroups(keys: RatingFacts.keep(ratings.buyer, where: complaint), entityCount: accountCount)
        let cancelled = OrderStatus.cancelled.rawValue
        var ordersAt = [Int](repeating: 0, count: accountCount)
        var result = [Bool](repeating: false, count: ratings.count)
        for rater in 0..<accountCount where candidates.count(of: rater) > 0 {
            let own = buyers.rows(of: rater)
            for row in own where orders.status[Int(row)] != cancelled { ordersAt[Int(orders.shop[Int(row)])] += 1 }
            for row in candidates.rows(of: rater) { result[Int(row)] = ordersAt[Int(ratings.shop[Int(row)])] <= 1 }
            for row in own { ordersAt[Int(orders.shop[Int(row)])] = 0 }
        }
        return result
    }

    /// Per account, the surprise of its most surprising pair of complained-about shops, and
    /// that pair (`first << 32 | second`, ascending). `shop` holds, per rating, the shop of
    /// a drive-by complaint or `IdDictionary.absent`; each rater counts a shop once. For a
    /// rater with distinct shops `k` and two of them `a`, `b` shared with at least
    /// `minimumRaters - 1` other raters: `-log10 P(X >= n)` for `n` those others, and `X`
    /// Poisson with the configuration model's mean
    /// `(d_a - 1)(d_b - 1) W / K²`, where `d` counts a shop's raters and `K` and `W` sum
    /// `k` and `k(k - 1)` over the other raters: complainers who each pick shops in
    /// proportion to how many complain there. A popular shop has many drive-by
    /// complainers and meets every other such shop often, so it takes many shared ones
    /// to surprise. `.nan` for an account without a drive-by complaint, 0 for one without
    /// such a pair. A rater with more than `maximumShops` distinct shops counts in `d`,
    /// `K` and `W` but adds no pairs and has none (0). Pair keys are sorted and counted
    /// in runs, no hashing.
    static func pairSurprise(shop: Column<UInt32>, rater: Column<UInt32>, accountCount: Int, minimumRaters: Int, maximumShops: Int)
        -> (value: [Double], best: [UInt64])
    {
        // Each rater's distinct shops (`rater << 32 | shop`, ascending).
        let raterShops = BuyerShops.distinctKeys(buyers: rater, shops: shop) { shop[$0] != IdDictionary.absent }
        var degree = [Int](repeating: 0, count: accountCount)
        var total = 0.0, pairWeight = 0.0
        var keys: [UInt64] = []
        BuyerShops.forEach(in: raterShops) { shops in
            let k = shops.count
            total += Double(k)
            pairWeight += Double(k * (k - 1))
            for first in 0..<k { degree[Int(shops[first])] += 1 }
            guard k <= maximumShops else { return }
            for first in 0..<k {
                for second in (first + 1)..<k { keys.append(UInt64(shops[first]) << 32 | UInt64(shops[second])) }
            }
        }
        let (pairKeys, pairRaters) = SortedKeys.counted(keys)
        var value = [Double](repeating: .nan, count: accountCount), best = [UInt64](repeating: 0, count: accountCount)
        BuyerShops.forEach(in: raterShops) { shops in
            let account = Int(shops.buyer), k = shops.count
            let otherTotal = total - Double(k), otherWeight = pairWeight - Double(k * (k - 1))
            value[account] = 0
            guard k <= maximumShops else { return }
            for first in 0..<k {
                for second in (first + 1)..<k {
                    let key = UInt64(shops[first]) << 32 | UInt64(shops[second])
                    let others = Int(pairRaters[SortedKeys.position(of: key, in: pairKeys)!]) - 1
                    guard others > 0, others + 1 >= minimumRaters else { continue }
                    let mean = Double(degree[Int(shops[first])] - 1) * Double(degree[Int(shops[second])] - 1) * otherWeight
                        / (otherTotal * otherTotal)
                    let surprise = Chance.poissonSurprise(count: others, mean: mean)
                    if surprise > value[account] { (value[account], best[account]) = (surprise, key) }
                }
            }
        }
        return (value, best)
    }
}
