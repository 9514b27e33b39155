import Columnar

/// One buyer's distinct shops, cut from the ascending keys `buyer << 32 | shop` of an
/// order or rating table's distinct (buyer, shop) pairs: the shop pairs a buyer's purchases or
/// reviews tie together (co-reviewer pairs, one-praisers) and a rater's complaints
/// (co-complainer pairs, a rater being a buyer) are walked buyer by buyer from these
/// keys, sorted once, without a per-buyer list.
struct BuyerShops {
    /// The buyer's keys, a slice of the array they were cut from.
    var keys: ArraySlice<UInt64>
    var count: Int { keys.count }
    /// Where the key at `position` is in the array the keys were cut from.
    func offset(_ position: Int) -> Int { keys.startIndex + position }
    var buyer: UInt32 { UInt32(keys.first! >> 32) }
    subscript(position: Int) -> UInt32 { UInt32(keys[keys.startIndex + position] & 0xFFFF_FFFF) }

    /// Whether an order of `status` was kept: neither refunded nor cancelled, a sale its
    /// buyer paid for and did not send back (`purchased`, `CoReviewerDetector.keptOrders`).
    static func isKept(_ status: UInt8) -> Bool {
        status != OrderStatus.refunded.rawValue && status != OrderStatus.cancelled.rawValue
    }

    /// Calls `body` once per buyer of the ascending keys `buyer << 32 | shop` with that
    /// buyer's shops.
    static func forEach(in keys: [UInt64], _ body: (BuyerShops) -> Void) {
        SortedKeys.forEachRun(count: keys.count, key: { keys[$0] >> 32 }) { _, run in body(BuyerShops(keys: keys[run])) }
    }

    /// The ascending distinct keys `buyer << 32 | shop` of the `orders` not cancelled,
    /// and per key whether one of them was kept, not refunded either
    /// (`CoReviewerDetector.keptOrders`): the co-reviewer test reads the kept keys, the
    /// rating-burst crews' purchases (`RatingBurstDetector.boughtShops`) all of them.
    /// `buyers` groups `orders` by buyer; each buyer's few shops are sorted on their own,
    /// so the keys come out ascending without a sort of them all.
    static func purchased(orders: OrdersTable, buyers: EntityGroups) -> (keys: [UInt64], kept: [Bool]) {
        let cancelled = OrderStatus.cancelled.rawValue
        var keys: [UInt64] = [], kept: [Bool] = []
        // A buyer's orders as `shop << 1 | kept`: sorted, a shop's last one is kept when any is.
        var shops: [UInt64] = []
        for buyer in 0..<buyers.entityCount where buyers.count(of: buyer) > 0 {
            shops.removeAll(keepingCapacity: true)
            for row in buyers.rows(of: buyer) where orders.status[Int(row)] != cancelled {
                shops.append(UInt64(orders.shop[Int(row)]) << 1 | (isKept(orders.status[Int(row)]) ? 1 : 0))
            }
            shops.sort()
            SortedKeys.forEachRun(count: shops.count, key: { shops[$0] >> 1 }) { shop, run in
                keys.append(UInt64(buyer) << 32 | shop)
                kept.append(shops[run.upperBound - 1] & 1 == 1)
            }
        }
        return (keys, kept)
    }

    /// The distinct keys `buyer << 32 | shop` of the rows where `include` holds, ascending.
    static func distinctKeys(buyers: Column<UInt32>, shops: Column<UInt32>, include: (Int) -> Bool) -> [UInt64] {
        var keys: [UInt64] = []
        for row in buyers.indices where include(row) {
            keys.append(UInt64(buyers[row]) << 32 | UInt64(shops[row]))
        }
        return SortedKeys.counted(keys).keys
    }
}
