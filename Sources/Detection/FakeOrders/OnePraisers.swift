/// The buyers of a ring's pair of client shops who bought at both and praised only one,
/// against how many real customers chance makes such one-praisers of the two shops.
///
/// A pair's surprise is measured on its common reviewers, the buyers who praised both
/// shops. A ring member that skips a review (camouflage lowers the praise rate) bought at
/// both and praised one; so did any real customer of two popular shops who reviewed one
/// of them and bought at the other without a review, and such customers are many more
/// than common reviewers, since an honest buyer praises a minority of the shops it buys
/// at (held-out generator, seed 101, camouflage 0-3: 41/23/21/21 honest buyers at key
/// scrutiny on such a pair, against 0/2/1/4 ring members, before this test). Where the ring's members skip reviews, its one-praisers stand out of what chance
/// gives; where they praise both, the pair's one-praisers are chance customers.
///
/// The null is the configuration model of the graph whose edges are a buyer's praised
/// shops and its shops bought at without praise, within each buyer region: a pair expects
/// `Σ_g (p_a^g s_b^g + p_b^g s_a^g) Σ k_p k_s / (K_p K_s)` one-praisers, where `p_x^g` and
/// `s_x^g` are shop `x`'s distinct praisers and silent buyers from region `g`, `k_p` and
/// `k_s` a buyer's numbers of praised and silent shops, `K_p` and `K_s` their sums over
/// `g`. A buyer who praises everything, or nothing, makes no one-praiser by chance.
struct OnePraisers {
    /// Per pair of `CoReviewerPairs` (by position), the buyers with at most `maximumShops`
    /// shops who bought at both shops and positively reviewed exactly one; counted only
    /// for pairs above the shared surprise (0 elsewhere).
    var count: [UInt32]
    /// Per pair, the one-praisers the null expects; worked out only where `count` is
    /// counted (0 elsewhere).
    var expected: [Double]

    /// Counted from the buyers' distinct (buyer, shop) keys of kept orders `buyerShops`
    /// (`CoReviewerDetector.keptOrders`, ascending) and, per key, whether the buyer
    /// positively reviewed the shop (`praised`). Only shops of a pair above
    /// `sharedSurprise` can be in one, so each buyer's other shops are skipped before any
    /// pair is formed.
    init(
        _ pairs: CoReviewerPairs, buyerShops: [UInt64], praised: [Bool], maximumShops: Int, sharedSurprise: Double
    ) {
        var count = [UInt32](repeating: 0, count: pairs.pairKeys.count)
        var silentRegions: [UInt64] = []
        var sums: [UInt32: (praised: Double, silent: Double, product: Double)] = [:]
        var ring: [(shop: UInt32, reviewed: Bool)] = []
        BuyerShops.forEach(in: buyerShops) { shops in
            let group = pairs.region[Int(shops.buyer)]
            var praising = 0, quiet = 0
            ring.removeAll(keepingCapacity: true)
            for position in 0..<shops.count {
                let reviewed = praised[shops.offset(position)]
                if reviewed { praising += 1 } else { quiet += 1; silentRegions.append(UInt64(shops[position]) << 32 | UInt64(group)) }
                if pairs.shopSurprise[Int(shops[position])] > sharedSurprise { ring.append((shops[position], reviewed)) }
            }
            let sum = sums[group] ?? (0, 0, 0)
            sums[group] = (sum.praised + Double(praising), sum.silent + Double(quiet), sum.product + Double(praising * quiet))
            guard ring.count >= 2 && shops.count <= maximumShops else { return }
            for first in 0..<(ring.count - 1) {
                for second in (first + 1)..<ring.count where ring[first].reviewed != ring[second].reviewed {
                    guard let index = pairs.index(ring[first].shop, ring[second].shop),
                        pairs.pairSurprise[index] > sharedSurprise
                    else { continue }
                    count[index] += 1
                }
            }
        }
        self.count = count
        // A shop's praisers by region are the pairs' `regionKeys` and `regionReviewers`:
        // the praised keys are the pairs' own input, each also in `buyerShops`.
        let (silentKeys, silent) = SortedKeys.counted(silentRegions)
        let regionRate = sums.mapValues { $0.praised > 0 && $0.silent > 0 ? $0.product / ($0.praised * $0.silent) : 0 }
        func crossing(_ praised: UInt64, _ bought: UInt64) -> Double {
            let praiserKeys = pairs.regionKeys
            var sum = 0.0
            for position in praiserKeys.lowerBound(of: praised << 32)..<praiserKeys.lowerBound(of: (praised + 1) << 32) {
                let group = praiserKeys[position] & 0xFFFF_FFFF
                guard let other = SortedKeys.position(of: bought << 32 | group, in: silentKeys) else { continue }
                sum += Double(pairs.regionReviewers[position]) * Double(silent[other]) * regionRate[UInt32(group)]!
            }
            return sum
        }
        expected = pairs.pairKeys.indices.map { index in
            guard pairs.pairSurprise[index] > sharedSurprise else { return 0 }
            let a = pairs.pairKeys[index] >> 32, b = pairs.pairKeys[index] & 0xFFFF_FFFF
            return crossing(a, b) + crossing(b, a)
        }
    }

    /// The pair's one-praisers other than a buyer that is one, and how many the null
    /// expects, for the pair at position `index`.
    func peers(_ index: Int) -> (others: Int, expected: Double) {
        (max(0, Int(count[index]) - 1), expected[index])
    }

    /// Whether the null explains at least half of the pair's one-praisers other than a
    /// buyer that is one: then such a buyer is as likely a chance customer of both shops
    /// as the ring's.
    func explained(_ index: Int) -> Bool {
        let (others, expected) = peers(index)
        return 2 * expected >= Double(others)
    }
}
