import Columnar
import Foundation

/// Pairs of shops that a victim's one-off complainers tie together far beyond chance:
/// the crew's trace where no attack is found. A crew member complains once about its
/// victim, on a real purchase, and nothing in that complaint sets it apart from a
/// disappointed customer; but the crew's accounts are hired, and what they do for the
/// hirer shows beside the complaint. Some praise the sponsor (`rivalPairs` over praise,
/// the pay); accounts a brushing studio lends to an attack buy at every client of that
/// studio, and a sponsor's own accounts buy at the sponsor, so the victim's one-off
/// complainers buy at several shops far beyond chance (`rivalPairs` over `boughtShops`).
/// An honest complainer who happens to shop at one of those shops meets one such pair;
/// a hired account carries the hirer's whole pattern and meets several with the same
/// victim (`crewShops`).
extension RatingBurstDetector {
    /// The pairs `victim << 32 | shop` whose raters complained once about the victim
    /// (`complaints`, ascending keys `rater << 32 | shop`) and share the shop in `others`
    /// (ascending keys `rater << 32 | shop`: praise, purchases) far beyond chance. For a
    /// pair shared by `n` raters (at least `minimumRaters`), `-log10 P(X >= n - 1)` must
    /// reach `threshold` plus `log10` of the number of such pairs (Bonferroni: hundreds are
    /// tested, each against its own null), `X` Poisson with the configuration model's
    /// mean `(c_v - 1)(o_s - 1) W / (C O)`: `c_v` the victim's one-off complainers, `o_s`
    /// the shop's raters in `others`, `C` and `O` their sums over shops, `W` the sum over
    /// raters of their complained-about shops times their shops in `others`. A rater with
    /// more than `maximumShops` of either adds no pairs but counts in the model. Held out
    /// (seed 101), a few hundred pairs reach `minimumRaters`; without the `log10` term ten
    /// pairs of honest raters who complained once and praised alone passed at c3 (a
    /// prototype), with it none.
    static func rivalPairs(
        complaints: [UInt64], others: [UInt64], accountCount: Int, minimumRaters: Int, maximumShops: Int,
        threshold: Double
    ) -> Set<UInt64> {
        var complainers = [Int](repeating: 0, count: accountCount), sharers = complainers
        for key in complaints { complainers[Int(key & 0xFFFF_FFFF)] += 1 }
        for key in others { sharers[Int(key & 0xFFFF_FFFF)] += 1 }
        var keys: [UInt64] = []
        var weight = 0.0
        BuyerShops.forEach(in: complaints) { victims in
            let shops = Self.shops(of: victims.buyer, in: others)
            weight += Double(victims.count * shops.count)
            guard victims.count <= maximumShops, shops.count <= maximumShops else { return }
            for index in 0..<victims.count {
                for shared in shops where UInt32(truncatingIfNeeded: shared) != victims[index] {
                    keys.append(UInt64(victims[index]) << 32 | (shared & 0xFFFF_FFFF))
                }
            }
        }
        let total = Double(complaints.count) * Double(others.count)
        let (pairKeys, counts) = SortedKeys.counted(keys)
        let tested = zip(pairKeys, counts).filter { Int($0.1) >= minimumRaters }
        let required = threshold + log10(Double(max(1, tested.count)))
        var result = Set<UInt64>()
        for (key, count) in tested {
            let mean = Double(complainers[Int(key >> 32)] - 1) * Double(sharers[Int(key & 0xFFFF_FFFF)] - 1) * weight / total
            if Chance.poissonSurprise(count: Int(count) - 1, mean: mean) >= required { result.insert(key) }
        }
        return result
    }

    /// The ascending keys `buyer << 32 | shop` of the shops each buyer kept an order at
    /// (not cancelled: `purchased`, `BuyerShops.purchased`) and never complained about
    /// (`complaint`, per rating): an order a rater complained about backs the complaint
    /// and is no work for a hirer (one crew buys at both of its victims).
    static func boughtShops(purchased: [UInt64], ratings: RatingsTable, complaint: [Bool]) -> [UInt64] {
        let complained = BuyerShops.distinctKeys(buyers: ratings.buyer, shops: ratings.shop) { complaint[$0] }
        return zip(purchased, SortedKeys.membership(of: purchased, in: complained)).compactMap { $1 ? nil : $0 }
    }

    /// Per account, the most shops it bought at (`bought`, ascending keys: `boughtShops`) that `rivals`
    /// (`victim << 32 | shop`) pairs with one shop it complained about once (`complaints`,
    /// ascending keys): a hired account buys where its hirer sends it, so it meets several
    /// of its victim's pairs, where an honest complainer who shops at one of them meets
    /// one. `.nan` for an account without a one-off complaint.
    static func crewShops(complaints: [UInt64], bought: [UInt64], rivals: Set<UInt64>, accountCount: Int) -> [Double] {
        var result = [Double](repeating: .nan, count: accountCount)
        // Few victims have pairs: the others are passed over without a lookup.
        var paired = [Bool](repeating: false, count: accountCount)
        for pair in rivals { paired[Int(pair >> 32)] = true }
        BuyerShops.forEach(in: complaints) { victims in
            guard let first = (0..<victims.count).first(where: { paired[Int(victims[$0])] }) else {
                result[Int(victims.buyer)] = 0
                return
            }
            // The buyer's shops, looked up once for all its paired victims.
            let shops = Self.shops(of: victims.buyer, in: bought)
            var most = 0
            for index in first..<victims.count where paired[Int(victims[index])] {
                let victim = UInt64(victims[index]) << 32
                most = max(most, shops.reduce(0) { $0 + (rivals.contains(victim | ($1 & 0xFFFF_FFFF)) ? 1 : 0) })
            }
            result[Int(victims.buyer)] = Double(most)
        }
        return result
    }

    /// The keys of `buyer` in the ascending keys `buyer << 32 | shop`.
    static func shops(of buyer: UInt32, in keys: [UInt64]) -> ArraySlice<UInt64> {
        let start = keys.lowerBound(of: UInt64(buyer) << 32)
        return keys[start..<keys.lowerBound(of: (UInt64(buyer) + 1) << 32, in: start..<keys.count)]
    }
}
