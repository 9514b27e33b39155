import Columnar

/// The items behind the praise of a co-reviewer pair: which buyers positively reviewed
/// an order of each item of each shop.
///
/// A ring is paid to lift a few listings of each client (the pushed items, whose sales
/// count and reviews the client wants), so its members praise those items, and the
/// pair's common reviewers crowd on them: every ring member the held-out generator put
/// on a surprising pair had praised an item there that three or more of the pair's other
/// common reviewers had praised too. A real customer of two popular clients praises what
/// it happened to buy from their whole catalogue, which the ring's members seldom bought
/// (about half of the honest buyers listed on such a pair had praised an item no other
/// common reviewer of it had). The pair says a ring works there; the item says whether
/// the buyer's praise was for what the ring sells.
struct PraisedItems {
    /// Distinct `shop << 64 | item << 32 | buyer` of the positively reviewed orders,
    /// ascending: an item's praisers are one run.
    let keys: [UInt128]
    /// The same keys as `buyer << 64 | shop << 32 | item`, ascending: a buyer's praised
    /// items at a shop are one run.
    let buyerKeys: [UInt128]

    /// From each order's shop, item and buyer and whether it carries a positive review
    /// that counts (`CoReviewerDetector.positivelyReviewed`).
    init(shops: [UInt32], items: [UInt32], buyers: [UInt32], reviewed: [Bool]) {
        var keys: [UInt128] = [], buyerKeys: [UInt128] = []
        for row in reviewed.indices where reviewed[row] {
            let shop = UInt128(shops[row]), item = UInt128(items[row]), buyer = UInt128(buyers[row])
            keys.append(shop << 64 | item << 32 | buyer)
            buyerKeys.append(buyer << 64 | shop << 32 | item)
        }
        self.keys = Self.distinct(keys)
        self.buyerKeys = Self.distinct(buyerKeys)
    }

    /// Whether `buyer` praised an item at `shop` that another buyer for whom
    /// `isCommonReviewer` holds (one that praised the pair's other shop too) praised
    /// there as well. An item the export does not name is taken as shared: a missing
    /// item id is no evidence that the praise was for something else.
    func sharesAnItem(buyer: UInt32, at shop: UInt32, isCommonReviewer: (UInt32) -> Bool) -> Bool {
        let ownPrefix = UInt128(buyer) << 64 | UInt128(shop) << 32
        var own = buyerKeys.lowerBound(of: ownPrefix)
        while own < buyerKeys.count && buyerKeys[own] >> 32 == ownPrefix >> 32 {
            let item = UInt32(truncatingIfNeeded: buyerKeys[own])
            own += 1
            guard item != IdDictionary.absent else { return true }
            let itemPrefix = UInt128(shop) << 64 | UInt128(item) << 32
            var other = keys.lowerBound(of: itemPrefix)
            while other < keys.count && keys[other] >> 32 == itemPrefix >> 32 {
                let praiser = UInt32(truncatingIfNeeded: keys[other])
                other += 1
                if praiser != buyer && isCommonReviewer(praiser) { return true }
            }
        }
        return false
    }

    /// The distinct values of `keys`, ascending.
    private static func distinct(_ keys: [UInt128]) -> [UInt128] {
        var distinct: [UInt128] = []
        distinct.reserveCapacity(keys.count)
        for key in keys.sorted() where distinct.last != key { distinct.append(key) }
        return distinct
    }
}
