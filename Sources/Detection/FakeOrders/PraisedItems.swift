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
    /// The positively reviewed orders grouped by item (orders of an unnamed item left out).
    let byItem: EntityGroups
    /// Every order grouped by buyer (`ScanMemo.buyers`).
    let byBuyer: EntityGroups
    /// Each order's shop, item and buyer, and whether it carries a positive review that
    /// counts (`CoReviewerDetector.positivelyReviewed`).
    let shops: Column<UInt32>, items: Column<UInt32>, buyers: Column<UInt32>, reviewed: [Bool]

    /// From each order's shop, item and buyer, the orders grouped by buyer (`byBuyer`)
    /// and whether each order is positively reviewed; `itemCount` bounds the item ids.
    /// One counting sort, no hashing.
    init(
        shops: Column<UInt32>, items: Column<UInt32>, buyers: Column<UInt32>, byBuyer: EntityGroups, reviewed: [Bool],
        itemCount: Int
    ) {
        byItem = EntityGroups(keys: RatingFacts.keep(items, where: reviewed), entityCount: itemCount)
        (self.shops, self.items, self.buyers, self.byBuyer, self.reviewed) = (shops, items, buyers, byBuyer, reviewed)
    }

    /// Whether `buyer` praised an item at `shop` that another buyer for whom
    /// `isCommonReviewer` holds (one that praised the pair's other shop too) praised
    /// there as well. An item the export does not name is taken as shared: a missing
    /// item id is no evidence that the praise was for something else.
    func sharesAnItem(buyer: UInt32, at shop: UInt32, isCommonReviewer: (UInt32) -> Bool) -> Bool {
        for own in byBuyer.rows(of: Int(buyer)) where reviewed[Int(own)] && shops[Int(own)] == shop {
            let item = items[Int(own)]
            guard item != IdDictionary.absent else { return true }
            for other in byItem.rows(of: Int(item)) where shops[Int(other)] == shop {
                let praiser = buyers[Int(other)]
                if praiser != buyer && isCommonReviewer(praiser) { return true }
            }
        }
        return false
    }
}
