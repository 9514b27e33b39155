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
    /// judged bought gives its customers little surprise, but some: the others' share is
    /// `(m + 1) / (m + 2)` for its `m` other shipped orders, the surprise
    /// `n * log10((m + 2) / (m + 1))`, small when the shop has many other orders and
    /// `0.30 n` when the buyer is its only customer (share 1/2). 0 for a buyer with
    /// shipped orders and no such shop, NaN for one without shipped orders.
    ///
    /// `buyerOfOrder` and `shopOfOrder` name each order's buyer and shop, absent
    /// (`IdDictionary.absent`) for an order not shipped; an order ships on waybill
    /// `waybillOfOrder[order]` and is on a bought waybill when that waybill's `marks`
    /// hold `.bought`. `shopShipped` and `shopBought` count per shop its shipped orders
    /// and those on bought waybills, `buyerShipped` per buyer its shipped orders.
    ///
    /// Only what the signal needs is built: the `buyer << 32 | shop` keys of the orders on
    /// bought waybills (a minority) sorted and counted, the pairs with two or more kept,
    /// then one pass over the orders counts the shipped orders of those pairs, looking up
    /// (`KeyPlaces`: one probe or a few, where a binary search in the kept pairs took a
    /// dozen mispredicted steps) only an order whose buyer and shop both have a kept pair.
    static func surprise(
        buyerOfOrder: [UInt32], shopOfOrder: [UInt32], waybillOfOrder: [UInt32], marks: [WaybillMarks],
        shopShipped: [UInt32], shopBought: [UInt32], buyerShipped: [UInt32]
    ) -> [Double] {
        var values = buyerShipped.map { $0 == 0 ? Double.nan : 0 }
        let orderCount = min(buyerOfOrder.count, shopOfOrder.count, waybillOfOrder.count)
        let buyerCount = buyerShipped.count, shopCount = min(shopShipped.count, shopBought.count)
        let counted = SortedKeys.counted(
            boughtPairs(
                buyerOfOrder: buyerOfOrder, shopOfOrder: shopOfOrder, waybillOfOrder: waybillOfOrder, marks: marks,
                orderCount: orderCount, buyerCount: buyerCount, shopCount: shopCount))
        var returns: [UInt64] = [], boughtThere: [UInt32] = []
        for (pair, count) in zip(counted.keys, counted.counts) where count >= 2 {
            returns.append(pair)
            boughtThere.append(count)
        }
        guard !returns.isEmpty else { return values }
        var returningBuyer = [Bool](repeating: false, count: buyerCount)
        var returnedShop = [Bool](repeating: false, count: shopCount)
        for pair in returns {
            returningBuyer[Int(pair >> 32)] = true
            returnedShop[Int(pair & 0xFFFF_FFFF)] = true
        }
        let places = KeyPlaces(distinct: returns)
        var shippedThere = [UInt32](repeating: 0, count: returns.count)
        buyerOfOrder.withUnsafeBufferPointer { buyerOfOrder in
            shopOfOrder.withUnsafeBufferPointer { shopOfOrder in
                returningBuyer.withUnsafeBufferPointer { returningBuyer in
                    returnedShop.withUnsafeBufferPointer { returnedShop in
                        for order in 0..<orderCount {
                            let buyer = Int(buyerOfOrder[order]), shop = Int(shopOfOrder[order])
                            guard buyer < buyerCount, shop < shopCount, returnedShop[shop], returningBuyer[buyer],
                                  let place = places.place(of: UInt64(buyer) << 32 | UInt64(shop))
                            else { continue }
                            shippedThere[place] += 1
                        }
                    }
                }
            }
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

    /// The `buyer << 32 | shop` keys of the shipped orders (buyer below `buyerCount`, shop
    /// below `shopCount`) on a waybill whose `marks` hold `.bought`, in order: one pass
    /// that reads an order's buyer and shop only when its waybill is bought.
    static func boughtPairs(
        buyerOfOrder: [UInt32], shopOfOrder: [UInt32], waybillOfOrder: [UInt32], marks: [WaybillMarks],
        orderCount: Int, buyerCount: Int, shopCount: Int
    ) -> [UInt64] {
        precondition(orderCount <= min(buyerOfOrder.count, shopOfOrder.count, waybillOfOrder.count))
        var keys: [UInt64] = []
        buyerOfOrder.withUnsafeBufferPointer { buyerOfOrder in
            shopOfOrder.withUnsafeBufferPointer { shopOfOrder in
                waybillOfOrder.withUnsafeBufferPointer { waybillOfOrder in
                    marks.withUnsafeBufferPointer { marks in
                        for order in 0..<orderCount {
                            let waybill = Int(waybillOfOrder[order])
                            guard waybill < marks.count, marks[waybill].contains(.bought) else { continue }
                            let buyer = buyerOfOrder[order], shop = shopOfOrder[order]
                            guard buyer < buyerCount, shop < shopCount else { continue }
                            keys.append(UInt64(buyer) << 32 | UInt64(shop))
                        }
                    }
                }
            }
        }
        return keys
    }
}
