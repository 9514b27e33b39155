import Columnar

/// Shops praised far more often than the platform's trade explains, and the buyers who
/// give that praise: the reviews a brushing ring is paid for.
///
/// A ring's order exists for its review, so its members review nearly every fake order,
/// while honest buyers review a minority of theirs. A client shop therefore carries more
/// positive reviews per kept order than the platform's share gives a shop of its size,
/// however honest each order and review looks. A shop's surprise is
/// `-log10 P(X >= praised)` for `X` beta-binomial over its kept orders with the
/// platform's share as mean: honest shops differ in how often they are reviewed (their
/// goods, their buyers), so the shares spread wider than a binomial's, and a shop of
/// 30,000 orders reviewed 8% more often than the platform is no surprise. The
/// intra-shop correlation `ρ` of the beta-binomial is the moment estimate over every
/// measured shop, `Σ((p - nq)² - nq(1 - q)) / Σ n(n - 1)q(1 - q)` (at least 0). Its
/// excess share, `(praised - share x kept) / praised`, is the part of its
/// praise the platform's share does not explain: the chance that one of its positive
/// reviewers is the ring's.
///
/// A buyer inherits that chance from the most suspect shop it praised (surprise at least
/// `minimumSurprise`), weighted by how unusual its own basket is: the lower confidence
/// bound of the share of its orders it praised. An honest reviewer of a client shop
/// reviews a minority of what it buys elsewhere; a ring member, farmed or hired, praises
/// what it buys.
struct PraiseRates {
    /// Positive reviews over kept orders, platform-wide.
    var platformShare: Double
    /// The intra-shop correlation `ρ` of the beta-binomial null (0: binomial).
    var overdispersion: Double
    /// Per shop (account id), its praise surprise; `.nan` below `minimumOrders` kept orders.
    var shopSurprise: [Double]
    /// Per shop, kept orders and positively reviewed ones.
    var shopKept: [UInt32]
    var shopPraised: [UInt32]
    /// Per buyer, the excess share of the most suspect shop it praised times its own
    /// praised-share lower bound; `.nan` for an account without orders.
    var buyerValue: [Double]
    /// Per buyer, the shop its value comes from, or `UInt32.max`.
    var buyerShop: [UInt32]

    /// From each order's `buyer` and `shop`, whether it was `kept` (neither refunded nor
    /// cancelled) and `praised` (a positive review on a kept order). A buyer inherits from
    /// no shop of its pair in `pairOf` (per account `a << 32 | b`; `UInt64.max` or absent:
    /// none): the co-reviewer pair already reads its praise there, and one piece of
    /// evidence counted twice made a blacklist proposal of it.
    init(
        buyers: Column<UInt32>, shops: Column<UInt32>, kept: [Bool], praised: [Bool], accountCount: Int, minimumOrders: Int,
        minimumSurprise: Double, confidenceZ: Double, pairOf: [UInt64] = []
    ) {
        var shopKept = [UInt32](repeating: 0, count: accountCount)
        var shopPraised = [UInt32](repeating: 0, count: accountCount)
        var buyerOrders = [UInt32](repeating: 0, count: accountCount)
        var buyerPraised = [UInt32](repeating: 0, count: accountCount)
        var totalKept = 0, totalPraised = 0
        for row in buyers.indices {
            let buyer = Int(buyers[row]), shop = Int(shops[row])
            buyerOrders[buyer] += 1
            if praised[row] { buyerPraised[buyer] += 1 }
            guard kept[row] else { continue }
            shopKept[shop] += 1
            totalKept += 1
            if praised[row] {
                shopPraised[shop] += 1
                totalPraised += 1
            }
        }
        let share = Double(totalPraised) / Double(max(1, totalKept))
        platformShare = share
        var spread = 0.0, binomialSpread = 0.0
        for shop in 0..<accountCount where shopKept[shop] >= minimumOrders {
            let n = Double(shopKept[shop]), deviation = Double(shopPraised[shop]) - n * share
            spread += deviation * deviation - n * share * (1 - share)
            binomialSpread += n * (n - 1) * share * (1 - share)
        }
        let rho = binomialSpread > 0 ? min(0.5, max(0, spread / binomialSpread)) : 0
        overdispersion = rho
        shopSurprise = (0..<accountCount).map { shop in
            guard shopKept[shop] >= minimumOrders else { return .nan }
            return Chance.betaBinomialSurprise(
                count: Int(shopPraised[shop]), trials: Int(shopKept[shop]), share: share, correlation: rho)
        }
        var excess = [Double](repeating: 0, count: accountCount)
        for shop in 0..<accountCount where shopSurprise[shop] >= minimumSurprise {
            let praisedCount = Double(shopPraised[shop])
            excess[shop] = (praisedCount - share * Double(shopKept[shop])) / praisedCount
        }
        var bestExcess = [Double](repeating: 0, count: accountCount)
        var buyerShop = [UInt32](repeating: .max, count: accountCount)
        for row in buyers.indices where praised[row] {
            let buyer = Int(buyers[row]), shop = shops[row]
            if buyer < pairOf.count && pairOf[buyer] != .max
                && (UInt64(shop) == pairOf[buyer] >> 32 || UInt64(shop) == pairOf[buyer] & 0xFFFF_FFFF)
            {
                continue
            }
            if excess[Int(shop)] > bestExcess[buyer] { (bestExcess[buyer], buyerShop[buyer]) = (excess[Int(shop)], shop) }
        }
        buyerValue = (0..<accountCount).map { buyer in
            guard buyerOrders[buyer] > 0 else { return .nan }
            guard bestExcess[buyer] > 0 else { return 0 }
            let own = Double(buyerPraised[buyer]) / Double(buyerOrders[buyer])
            return bestExcess[buyer]
                * Chance.shareLowerBound(own, rows: Int(buyerOrders[buyer]), z: confidenceZ)
        }
        self.shopKept = shopKept
        self.shopPraised = shopPraised
        self.buyerShop = buyerShop
    }
}
