import Columnar

/// Buyers who come back to a shop for empty parcels. A customer's parcels from a shop
/// travel like the shop's other customers'; an account the shop brushes with (a drip
/// shop's relatives or bought accounts, ordering again and again) receives a bought
/// waybill each time it returns. Its cover purchases at other shops dilute its share of
/// orders on bought waybills (`buyer_orders_on_empty_parcels`) but not what it got at
/// the shop it works for.
enum ReturningBuyers {
    /// Per buyer, `-log10` of the chance of its most surprising shop: that `k` or more of
    /// its `n` shipped orders there are on bought waybills, binomial at the share of the
    /// shop's other shipped orders on bought waybills (rule of succession,
    /// `(bought - k + 1) / (shipped - n + 2)`, so a shop whose other parcels show none
    /// still leaves a chance), for `k >= 2` only: one bought waybill is the other signal's
    /// evidence, a second at the same shop is the return. A shop whose parcels are all
    /// judged bought gives its customers no surprise. 0 for a buyer with shipped orders
    /// and no such shop, NaN for one without shipped orders.
    ///
    /// `buyerOfOrder` and `shopOfOrder` name each order's buyer and shop, absent
    /// (`IdDictionary.absent`) for an order not shipped (`bought` is asked of shipped orders
    /// only); `shopShipped` and `shopBought`
    /// count per shop its shipped orders and those on bought waybills, `buyerShipped` per
    /// buyer its shipped orders. Only the pairs with two bought waybills or more are
    /// counted (a sort of the bought orders' `buyer << 32 | shop` keys, then one pass over
    /// the orders that looks up only those of the buyers with such a pair).
    static func surprise(
        buyerOfOrder: [UInt32], shopOfOrder: [UInt32], bought: (Int) -> Bool, shopShipped: [UInt32],
        shopBought: [UInt32], buyerShipped: [UInt32]
    ) -> [Double] {
        var values = buyerShipped.map { $0 == 0 ? Double.nan : 0 }
        let orderCount = min(buyerOfOrder.count, shopOfOrder.count)
        func key(_ order: Int) -> UInt64? {
            let buyer = buyerOfOrder[order], shop = shopOfOrder[order]
            guard buyer < buyerShipped.count, shop < shopShipped.count, shop < shopBought.count else { return nil }
            return UInt64(buyer) << 32 | UInt64(shop)
        }
        let counted = SortedKeys.counted((0..<orderCount).compactMap { order in key(order).flatMap { bought(order) ? $0 : nil } })
        var returns: [UInt64] = [], boughtThere: [UInt32] = []
        for (pair, count) in zip(counted.keys, counted.counts) where count >= 2 {
            returns.append(pair)
            boughtThere.append(count)
        }
        guard !returns.isEmpty else { return values }
        var returning = [Bool](repeating: false, count: buyerShipped.count)
        for pair in returns { returning[Int(pair >> 32)] = true }
        var shippedThere = [UInt32](repeating: 0, count: returns.count)
        for order in 0..<orderCount {
            guard let pair = key(order), returning[Int(pair >> 32)],
                  let place = SortedKeys.position(of: pair, in: returns) else { continue }
            shippedThere[place] += 1
        }
        for (place, pair) in returns.enumerated() {
            let buyer = Int(pair >> 32), shop = Int(pair & 0xFFFF_FFFF)
            let k = Int(boughtThere[place]), n = Int(shippedThere[place])
            let othersBought = Double(Int(shopBought[shop]) - k + 1), othersShipped = Double(Int(shopShipped[shop]) - n + 2)
            let surprise = Chance.betaBinomialSurprise(
                count: k, trials: n, share: othersBought / othersShipped, correlation: 0)
            values[buyer] = max(values[buyer], surprise)
        }
        return values
    }
}
