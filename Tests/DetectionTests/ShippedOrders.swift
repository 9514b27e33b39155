import Columnar

@testable import Detection

extension Export {
    /// Appends a completed order of item 0 for 50.00 (ids `o<n>` and waybill `T<n>`, `n`
    /// the next order row, paid at `n` x 1,000 s; no address, device, IP or payment) and
    /// its waybill's scans by `outlet`, each `(event, seconds after payment, place, grams
    /// or -1)`: the shipped order the empty-parcel tests build their markets from.
    mutating func appendShippedOrder(buyer: UInt32, shop: UInt32, outlet: UInt32, scans: [(ScanEvent, Int64, UInt32, Int32)]) {
        let order = UInt32(orders.count), paid = Int64(order) * 1_000
        _ = dictionaries.orders.intern("o\(order)")
        _ = dictionaries.waybills.intern("T\(order)")
        orders.buyer.append(buyer)
        orders.shop.append(shop)
        orders.item.append(0)
        orders.amountCents.append(5_000)
        orders.createdAt.append(paid - 60)
        orders.paidAt.append(paid)
        orders.confirmedAt.append(Missing.time)
        orders.status.append(OrderStatus.completed.rawValue)
        for column in [\OrdersTable.shipTo, \.device, \.ip, \.payment] { orders[keyPath: column].append(0) }
        for (event, after, place, grams) in scans {
            logistics.waybill.append(order)
            logistics.order.append(order)
            logistics.courier.append(outlet)
            logistics.event.append(event.rawValue)
            logistics.at.append(paid + after)
            logistics.location.append(place)
            logistics.weightGrams.append(grams)
        }
    }
}
