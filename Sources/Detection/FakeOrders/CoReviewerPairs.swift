import Columnar

/// Shop pairs tied together by more common reviewers than chance gives them: the
/// structure of a brushing ring, which no camouflage of single orders removes.
///
/// A ring exists to sell its client shops sales and praise, so the same member accounts
/// leave a positive review on orders at each of its clients. Honest reviewers pick
/// shops more or less independently, so two shops share reviewers about in proportion
/// to how many reviewers each has. The null model is the configuration model of the
/// reviewer x shop graph, taken within each buyer region (a city's buyers shop at its
/// own shops, so two shops of one city share buyers without any ring): a pair of shops
/// with `r_a^g` and `r_b^g` distinct reviewers from region `g` expects
/// `Σ_g r_a^g r_b^g Σ k(k - 1) / K²` common reviewers, where `k` is a reviewer of `g`'s
/// number of distinct reviewed shops and `K` their sum over `g` (heavy reviewers, who
/// meet everywhere, raise the expectation for every pair, not for one). A pair's
/// surprise is `-log10 P(X >= common)` for `X` Poisson with that mean.
///
/// The pair says it is a ring's, not which common reviewer is a member. A reviewer of
/// `k` shops meets a given pair about `k(k - 1)` times as often as one of 2, so a keen
/// honest reviewer of 30 shops is among the common reviewers of many a ring's pair by
/// chance, while the ring's excess lies with its members, farm accounts of a handful
/// of shops or hired shoppers who each take several of its tasks. A buyer's own share
/// of the evidence is the share of the pair's common reviewers at least as keen as the
/// buyer that the null does not explain (`keenCommon`, without the buyer itself): a
/// ring of farm accounts leaves the keen ones to chance, and a buyer whose keenness
/// explains its presence is as likely a chance meeting as a member.
///
/// Only positive reviews of orders that were not refunded or cancelled count: a
/// ring's order carries no real demand and exists for its review, while an honest
/// buyer reviews only some of its orders, so requiring the review thins honest
/// co-occurrence more than a ring's.
struct CoReviewerPairs {
    /// Per shop (account id), the highest surprise of a pair with another shop; 0 for
    /// a shop in no pair with two or more common reviewers.
    var shopSurprise: [Double]
    /// Per shop, the other shop of its most surprising pair, or `UInt32.max`.
    var shopPartner: [UInt32]
    /// The pairs with two or more common reviewers, ascending by key (`a << 32 | b`, `a < b`).
    var pairKeys: [UInt64]
    var pairCommon: [UInt32]
    /// Common reviewers the region-wise configuration model expects.
    var pairExpected: [Double]
    var pairSurprise: [Double]
    /// Per account, its number of distinct positively reviewed shops (its degree).
    var reviewerDegree: [UInt32]
    /// Per pair, the degrees of its common reviewers, ascending: pair `i`'s are
    /// `commonDegrees[commonStart[i]..<commonStart[i + 1]]`.
    var commonDegrees: [UInt32]
    var commonStart: [Int]
    /// Distinct (shop, region) keys (`shop << 32 | region`, ascending) with the shop's
    /// distinct reviewers from that region.
    var regionKeys: [UInt64]
    var regionReviewers: [UInt32]
    /// Per region, the null's weight of the reviewers of each degree and above.
    var keenWeights: [UInt32: KeenWeights]
    /// Each account's region, as given.
    var region: [UInt32]

    /// One region's `Σ k(k - 1) / K²` over its reviewers of degree `k` at least `d`, for
    /// each `d`: the configuration model's rate at which those reviewers join a pair.
    struct KeenWeights {
        /// The region's distinct reviewer degrees, ascending.
        var degrees: [UInt32]
        /// `suffix[i]`: the weight of the reviewers of degree `degrees[i]` and above.
        var suffix: [Double]

        /// From the degree of each of the region's reviewers.
        init(_ reviewerDegrees: [UInt32]) {
            let sorted = reviewerDegrees.sorted()
            let total = Double(sorted.reduce(0) { $0 + Int($1) })
            degrees = []
            var counts: [Double] = []
            for degree in sorted {
                if degree == degrees.last { counts[counts.count - 1] += 1 } else { degrees.append(degree); counts.append(1) }
            }
            suffix = [Double](repeating: 0, count: degrees.count)
            var sum = 0.0
            for position in degrees.indices.reversed() {
                let k = Double(degrees[position])
                sum += counts[position] * k * (k - 1)
                suffix[position] = sum / (total * total)
            }
        }

        /// The weight of the reviewers of degree `degree` and above.
        func weight(from degree: UInt32) -> Double {
            let low = degrees.lowerBound(of: degree)
            return low < degrees.count ? suffix[low] : 0
        }
    }

    /// Pairs built from the distinct (buyer, shop) keys of positively reviewed orders
    /// `reviewerShops` (`buyer << 32 | shop`, ascending), with `region` the group of each
    /// account (any value; one value for all when regions are unknown). A buyer with
    /// more than `maximumShops` reviewed shops counts in the null model but adds no
    /// pairs (its pairs are quadratic in number and say little).
    init(reviewerShops: [UInt64], region: [UInt32], accountCount: Int, maximumShops: Int) {
        var pairs: [UInt128] = []
        var shopRegions: [UInt64] = []
        var degrees = [UInt32](repeating: 0, count: accountCount)
        var regionDegrees: [UInt32: [UInt32]] = [:]
        BuyerShops.forEach(in: reviewerShops) { shops in
            let k = shops.count, group = region[Int(shops.buyer)]
            degrees[Int(shops.buyer)] = UInt32(k)
            regionDegrees[group, default: []].append(UInt32(k))
            for position in 0..<k { shopRegions.append(UInt64(shops[position]) << 32 | UInt64(group)) }
            guard k >= 2 && k <= maximumShops else { return }
            for first in 0..<(k - 1) {
                for second in (first + 1)..<k {
                    pairs.append(UInt128(UInt64(shops[first]) << 32 | UInt64(shops[second])) << 32 | UInt128(k))
                }
            }
        }
        reviewerDegree = degrees
        self.region = region
        keenWeights = regionDegrees.mapValues(KeenWeights.init)
        (pairKeys, pairCommon, commonDegrees, commonStart) = Self.pairRuns(pairs)
        (regionKeys, regionReviewers) = SortedKeys.counted(shopRegions)
        pairExpected = pairKeys.map { [regionKeys, regionReviewers, keenWeights] key in
            Self.expected(key, degree: 2, regionKeys: regionKeys, regionReviewers: regionReviewers, keenWeights: keenWeights)
        }
        pairSurprise = zip(pairCommon, pairExpected).map { Chance.poissonSurprise(count: Int($0), mean: $1) }
        shopSurprise = [Double](repeating: 0, count: accountCount)
        shopPartner = [UInt32](repeating: .max, count: accountCount)
        for (index, key) in pairKeys.enumerated() {
            let a = Int(key >> 32), b = Int(key & 0xFFFF_FFFF), surprise = pairSurprise[index]
            if surprise > shopSurprise[a] { (shopSurprise[a], shopPartner[a]) = (surprise, UInt32(b)) }
            if surprise > shopSurprise[b] { (shopSurprise[b], shopPartner[b]) = (surprise, UInt32(a)) }
        }
    }

    /// The common reviewers the configuration model expects for the pair `key` among
    /// reviewers of `degree` or more shops (`degree` 2: all of them), region by region:
    /// `Σ_g r_a^g r_b^g Σ_{k >= degree} k(k - 1) / K²`.
    func expected(_ key: UInt64, degree: UInt32) -> Double {
        Self.expected(key, degree: degree, regionKeys: regionKeys, regionReviewers: regionReviewers, keenWeights: keenWeights)
    }

    /// `expected(_:degree:)` from the region tables.
    static func expected(
        _ key: UInt64, degree: UInt32, regionKeys: [UInt64], regionReviewers: [UInt32], keenWeights: [UInt32: KeenWeights]
    ) -> Double {
        func regionRange(_ shop: UInt64) -> Range<Int> {
            regionKeys.lowerBound(of: shop << 32)..<regionKeys.lowerBound(of: (shop + 1) << 32)
        }
        var expected = 0.0
        let first = regionRange(key >> 32), second = regionRange(key & 0xFFFF_FFFF)
        var i = first.lowerBound, j = second.lowerBound
        while i < first.upperBound && j < second.upperBound {
            let a = regionKeys[i] & 0xFFFF_FFFF, b = regionKeys[j] & 0xFFFF_FFFF
            if a < b {
                i += 1
            } else if b < a {
                j += 1
            } else {
                expected += Double(regionReviewers[i]) * Double(regionReviewers[j])
                    * keenWeights[UInt32(a)]!.weight(from: degree)
                i += 1
                j += 1
            }
        }
        return expected
    }

    /// The common reviewers of the pair at `index` with `degree` or more reviewed shops,
    /// and how many the configuration model expects.
    func keenCommon(_ index: Int, degree: UInt32) -> (common: Int, expected: Double) {
        guard degree > 2 else { return (Int(pairCommon[index]), pairExpected[index]) }
        let run = commonStart[index]..<commonStart[index + 1]
        let common = run.upperBound - commonDegrees.lowerBound(of: degree, in: run)
        return (common, expected(pairKeys[index], degree: degree))
    }

    /// The pairs with two or more common reviewers, from one entry per reviewer and pair
    /// of its shops (`key << 32 | k`, the pair's key and the reviewer's degree): their keys
    /// ascending, common reviewers, and those reviewers' degrees ascending, concatenated,
    /// with where each pair's run starts (one more entry than pairs). One sort orders the
    /// entries by pair and, within a pair, by degree.
    static func pairRuns(_ entries: [UInt128])
        -> (keys: [UInt64], common: [UInt32], degrees: [UInt32], start: [Int])
    {
        let entries = entries.sorted()
        var keys: [UInt64] = [], common: [UInt32] = [], degrees: [UInt32] = [], start = [0]
        SortedKeys.forEachRun(count: entries.count, key: { UInt64(truncatingIfNeeded: entries[$0] >> 32) }) { key, run in
            guard run.count >= 2 else { return }
            keys.append(key)
            common.append(UInt32(run.count))
            for entry in entries[run] { degrees.append(UInt32(truncatingIfNeeded: entry)) }
            start.append(degrees.count)
        }
        return (keys, common, degrees, start)
    }

    /// The position of the pair `a`, `b` in the pair arrays.
    func index(_ a: UInt32, _ b: UInt32) -> Int? { SortedKeys.position(of: Self.key(a, b), in: pairKeys) }

    /// The key of the pair `a`, `b` (any order).
    static func key(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(min(a, b)) << 32 | UInt64(max(a, b)) }

    /// The share of the buyers' distinct (buyer, shop) keys `buyerShops` at shops of a pair
    /// above `sharedSurprise` (ring shops): the chance that any one shop a buyer bought at
    /// is a ring's. A buyer of `n` shops meets about `n` times that many ring shops by
    /// chance, and more in a small world, where a ring's clients are more of the market
    /// (held-out generator, seed 101 camouflage 2: 21 ring shops among 120 hold 0.13 of
    /// the keys at scale 0.4, 24 among 300 hold 0.06 at scale 1.0).
    func ringShare(_ buyerShops: [UInt64], sharedSurprise: Double) -> Double {
        guard !buyerShops.isEmpty else { return 0 }
        let ring = buyerShops.reduce(0) { $0 + (shopSurprise[Int($1 & 0xFFFF_FFFF)] > sharedSurprise ? 1 : 0) }
        return Double(ring) / Double(buyerShops.count)
    }

    /// Per buyer, the highest surprise of a pair of shops it bought at both of and
    /// positively reviewed at least one of, and that pair's position in the pair arrays
    /// (-1 when none), from the buyers' distinct (buyer, shop) keys of kept orders
    /// `buyerShops` (`CoReviewerDetector.keptOrders`, ascending) and, per key, whether
    /// the buyer positively reviewed the shop (`praised`). A ring member buys at each of
    /// its ring's clients and reviews what it buys.
    ///
    /// A buyer takes the pair's surprise up to `sharedSurprise` on the pair's word (it
    /// bought where a ring works), and beyond it only when its kind at the pair is more
    /// likely the ring's excess than a chance meeting:
    /// - the null explains less than half of the pair's other common reviewers at least
    ///   as keen as the buyer (`keenCommon` at its degree, less the buyer, whose own
    ///   presence is what is in question);
    /// - and, for a buyer that praised one of the two shops and whose pair is all it has
    ///   of a ring (among its other shops, the share at shops of pairs above
    ///   `sharedSurprise` is no higher than `ringShare` with `confidenceZ` standard errors
    ///   of confidence, Wilson bound), the null explains less than half of the pair's
    ///   other such one-praisers (`onePraisers`, counted at the same `sharedSurprise`): a
    ///   real customer of two popular clients who reviewed one of them is one of the
    ///   one-praisers chance gives the pair;
    /// - and, for the pair that passes these with the highest surprise, another common
    ///   reviewer of it praised an item the buyer praised at one of its two shops
    ///   (`praisedItems`): a ring's members praise the few items it pushes, a chance
    ///   customer whatever it bought. A buyer whose pair fails this keeps the pair (at
    ///   the pair's word), not the next one.
    func buyerSurprise(
        buyerShops: [UInt64], praised: [Bool], praisedItems: PraisedItems, onePraisers: OnePraisers, accountCount: Int,
        maximumShops: Int, sharedSurprise: Double, confidenceZ: Double
    ) -> (surprise: [Double], pair: [Int32]) {
        var best = [Double](repeating: 0, count: accountCount)
        var bestPair = [Int32](repeating: -1, count: accountCount)
        guard !pairKeys.isEmpty else { return (best, bestPair) }
        let chanceRingShare = ringShare(buyerShops, sharedSurprise: sharedSurprise)
        BuyerShops.forEach(in: buyerShops) { shops in
            guard shops.count >= 2 && shops.count <= maximumShops else { return }
            let buyer = Int(shops.buyer), degree = reviewerDegree[buyer]
            func reviewed(_ position: Int) -> Bool { praised[shops.offset(position)] }
            // Beyond a pair's two shops, the buyer's other shops meet ring shops at their
            // share of all purchases; only a share beyond that, with confidence, ties the
            // buyer to a ring. Asked only of a surprising pair the buyer praised one shop of.
            func pairIsAllOfARing() -> Bool {
                let otherShops = shops.count - 2
                guard otherShops > 0 else { return true }
                let ringShops = (0..<shops.count).reduce(0) { $0 + (shopSurprise[Int(shops[$1])] > sharedSurprise ? 1 : 0) }
                return Chance.shareLowerBound(Double(max(0, ringShops - 2)) / Double(otherShops), rows: otherShops, z: confidenceZ)
                    <= chanceRingShare
            }
            // Whether a common reviewer of the pair of the buyer's shops at `first` and
            // `second` praised an item the buyer praised at one of them.
            func praisesTheRingsItem(_ first: Int, _ second: Int) -> Bool {
                [(first, second), (second, first)].contains { own, partner in
                    reviewed(own)
                        && praisedItems.sharesAnItem(buyer: shops.buyer, at: shops[own]) { praiser in
                            let key = UInt64(praiser) << 32 | UInt64(shops[partner])
                            return SortedKeys.position(of: key, in: buyerShops).map { praised[$0] } ?? false
                        }
                }
            }
            var bestPositions = (first: 0, second: 0)
            for first in 0..<(shops.count - 1) {
                for second in (first + 1)..<shops.count where reviewed(first) || reviewed(second) {
                    // A pair's value is at most its surprise, and the peer tests only
                    // matter above `sharedSurprise`: most pairs need no count.
                    guard let index = index(shops[first], shops[second]), pairSurprise[index] > best[buyer] else { continue }
                    var surprise = pairSurprise[index]
                    if surprise > sharedSurprise {
                        let praisedBoth = reviewed(first) && reviewed(second)
                        let (common, expected) = keenCommon(index, degree: degree)
                        let others = Double(common - (praisedBoth ? 1 : 0))
                        if 2 * expected >= others
                            || (!praisedBoth && pairIsAllOfARing() && onePraisers.explained(index))
                        {
                            surprise = sharedSurprise
                        }
                    }
                    guard surprise > best[buyer] else { continue }
                    best[buyer] = surprise
                    bestPair[buyer] = Int32(index)
                    bestPositions = (first, second)
                }
            }
            // The item test judges the pair the other tests chose, and only it: the pair
            // stays the buyer's (the praise signals leave its shops' praise to it), so
            // the test can lower the buyer's evidence and never move it to another pair.
            if best[buyer] > sharedSurprise && !praisesTheRingsItem(bestPositions.first, bestPositions.second) {
                best[buyer] = sharedSurprise
            }
        }
        return (best, bestPair)
    }
}
