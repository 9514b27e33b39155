import Foundation

/// Shop pairs tied together by more common reviewers than chance gives them: the
/// structure of a brushing ring, which no camouflage of single orders removes.
///
/// A ring exists to sell its client shops sales and praise, so the same member accounts
/// leave a positive review on orders at each of its clients, over and over. Honest
/// reviewers pick shops more or less independently, so two shops share reviewers about
/// in proportion to how many reviewers each has. The null model is the configuration
/// model of the reviewer x shop graph: a pair of shops with `r_a` and `r_b` distinct
/// reviewers expects `r_a r_b Σ k(k - 1) / K²` common reviewers, where `k` is a
/// reviewer's number of distinct reviewed shops and `K = Σ k` (heavy reviewers, who
/// meet everywhere, raise the expectation for every pair, not for one). A pair's
/// surprise is `-log10 P(X >= common)` for `X` Poisson with that mean.
///
/// Only positive reviews of orders that were not refunded or cancelled count: a
/// ring's order carries no real demand and exists for its review, while an honest
/// buyer reviews only a third of its orders, so requiring the review thins honest
/// co-occurrence far more than a ring's.
struct CoReviewerPairs {
    /// Per shop (account id), the highest surprise of a pair with another shop; 0 for
    /// a shop in no pair with two or more common reviewers.
    var shopSurprise: [Double]
    /// Per shop, the other shop of its most surprising pair, or `UInt32.max`.
    var shopPartner: [UInt32]
    /// The pairs with two or more common reviewers, ascending by key (`a << 32 | b`, `a < b`).
    var pairKeys: [UInt64]
    var pairCommon: [UInt32]
    var pairExpected: [Double]
    var pairSurprise: [Double]

    /// Pairs built from the distinct (buyer, shop) keys `reviewerShops`
    /// (`buyer << 32 | shop`, ascending). A buyer with more than `maximumShops` reviewed
    /// shops counts in the null model but adds no pairs (its pairs are quadratic in
    /// number and say little).
    init(reviewerShops: [UInt64], accountCount: Int, maximumShops: Int) {
        var reviewers = [UInt32](repeating: 0, count: accountCount)
        var keys: [UInt64] = []
        var sumK = 0.0, sumK2 = 0.0
        Self.forEachBuyer(reviewerShops) { shops in
            let k = shops.count
            sumK += Double(k)
            sumK2 += Double(k) * Double(k - 1)
            for position in 0..<k { reviewers[Int(shops[position])] += 1 }
            guard k >= 2 && k <= maximumShops else { return }
            for first in 0..<(k - 1) {
                for second in (first + 1)..<k {
                    keys.append(UInt64(shops[first]) << 32 | UInt64(shops[second]))
                }
            }
        }
        keys.sort()
        pairKeys = []
        pairCommon = []
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count && keys[end] == keys[start] { end += 1 }
            if end - start >= 2 {
                pairKeys.append(keys[start])
                pairCommon.append(UInt32(end - start))
            }
            start = end
        }
        let scale = sumK > 0 ? sumK2 / (sumK * sumK) : 0
        pairExpected = pairKeys.map { key in
            Double(reviewers[Int(key >> 32)]) * Double(reviewers[Int(key & 0xFFFF_FFFF)]) * scale
        }
        pairSurprise = zip(pairCommon, pairExpected).map { Self.poissonSurprise(count: Int($0), mean: $1) }
        shopSurprise = [Double](repeating: 0, count: accountCount)
        shopPartner = [UInt32](repeating: .max, count: accountCount)
        for (index, key) in pairKeys.enumerated() {
            let a = Int(key >> 32), b = Int(key & 0xFFFF_FFFF), surprise = pairSurprise[index]
            if surprise > shopSurprise[a] { (shopSurprise[a], shopPartner[a]) = (surprise, UInt32(b)) }
            if surprise > shopSurprise[b] { (shopSurprise[b], shopPartner[b]) = (surprise, UInt32(a)) }
        }
    }

    /// The position of the pair `a`, `b` in the pair arrays (binary search).
    func index(_ a: UInt32, _ b: UInt32) -> Int? {
        let key = UInt64(min(a, b)) << 32 | UInt64(max(a, b))
        var low = 0, high = pairKeys.count
        while low < high {
            let middle = (low + high) / 2
            if pairKeys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < pairKeys.count && pairKeys[low] == key ? low : nil
    }

    /// Per buyer, the highest surprise of a pair of shops it bought at both of, and
    /// that pair's position in the pair arrays (-1 when none), from its distinct
    /// (buyer, shop) keys `buyerShops` (ascending): a ring member buys at each of its
    /// ring's clients, reviewed or not.
    func buyerSurprise(buyerShops: [UInt64], accountCount: Int, maximumShops: Int) -> (surprise: [Double], pair: [Int32]) {
        var best = [Double](repeating: 0, count: accountCount)
        var bestPair = [Int32](repeating: -1, count: accountCount)
        guard !pairKeys.isEmpty else { return (best, bestPair) }
        Self.forEachBuyer(buyerShops) { shops in
            guard shops.count >= 2 && shops.count <= maximumShops else { return }
            let buyer = Int(shops.buyer)
            for first in 0..<(shops.count - 1) {
                for second in (first + 1)..<shops.count {
                    guard let index = index(shops[first], shops[second]), pairSurprise[index] > best[buyer] else { continue }
                    best[buyer] = pairSurprise[index]
                    bestPair[buyer] = Int32(index)
                }
            }
        }
        return (best, bestPair)
    }

    /// Calls `body` once per buyer of the ascending keys `buyer << 32 | shop` with that
    /// buyer's shops.
    static func forEachBuyer(_ keys: [UInt64], _ body: (BuyerShops) -> Void) {
        var start = 0
        while start < keys.count {
            let buyer = keys[start] >> 32
            var end = start + 1
            while end < keys.count && keys[end] >> 32 == buyer { end += 1 }
            body(BuyerShops(keys: keys[start..<end]))
            start = end
        }
    }

    /// One buyer's distinct shops, ascending.
    struct BuyerShops {
        var keys: ArraySlice<UInt64>
        var count: Int { keys.count }
        var buyer: UInt32 { UInt32(keys.first! >> 32) }
        subscript(position: Int) -> UInt32 { UInt32(keys[keys.startIndex + position] & 0xFFFF_FFFF) }
    }

    /// The distinct keys `buyer << 32 | shop` of the rows where `include` holds, ascending.
    static func distinctBuyerShops(buyers: [UInt32], shops: [UInt32], include: (Int) -> Bool) -> [UInt64] {
        var keys: [UInt64] = []
        for row in buyers.indices where include(row) {
            keys.append(UInt64(buyers[row]) << 32 | UInt64(shops[row]))
        }
        keys.sort()
        var unique = 0
        for index in keys.indices where index == 0 || keys[index] != keys[index - 1] {
            keys[unique] = keys[index]
            unique += 1
        }
        keys.removeLast(keys.count - unique)
        return keys
    }

    /// `-log10 P(X >= count)` for `X` Poisson with `mean`; 0 when `count <= mean`.
    /// The tail is summed from its first term in log space, so it stays exact where
    /// the probability underflows a `Double` (it is capped at 300).
    static func poissonSurprise(count: Int, mean: Double) -> Double {
        guard Double(count) > mean, count > 0 else { return 0 }
        guard mean > 0 else { return 300 }
        let logFirst = -mean + Double(count) * log(mean) - lgamma(Double(count) + 1)
        var term = 1.0, sum = 0.0, k = count
        while term > 1e-17 * sum || sum == 0 {
            sum += term
            k += 1
            term *= mean / Double(k)
            if k > count + 10_000 { break }
        }
        return min(300, -(logFirst + log(sum)) / M_LN10)
    }
}
