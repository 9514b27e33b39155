import Columnar

/// One buyer's orders from one shop to one address, packed into one parcel before it
/// left the counter (combined shipping): the tracking number they share is a genuine
/// parcel's. A number sold again for an empty parcel ships another buyer's order, or
/// another shop's, or to another address, or an order placed after the parcel was
/// already on its way; only that is a reused number.
enum CombinedShipments {
    /// Removes `.reusedNumber` from each waybill whose further orders (`furtherOrders`,
    /// as `TracedWaybills` collects them) all share its first order's buyer, shop and
    /// ship-to address and were placed no later than its first scan.
    static func clearReusedNumber(
        _ tells: inout [ParcelTells], trajectories: [WaybillTrajectory],
        furtherOrders: [(order: UInt32, waybill: UInt32)], orders: OrdersTable
    ) {
        var resold = Set<UInt32>()
        for (order, waybill) in furtherOrders where !resold.contains(waybill) {
            let trajectory = trajectories[Int(waybill)]
            if !sameParcel(Int(trajectory.order), Int(order), packedAt: trajectory.startAt, orders: orders) {
                resold.insert(waybill)
            }
        }
        for (_, waybill) in furtherOrders where !resold.contains(waybill) {
            tells[Int(waybill)].remove(.reusedNumber)
        }
    }

    /// Whether order `further` could travel in the parcel of order `first`: same buyer,
    /// shop and address, and placed by the time the parcel was first scanned
    /// (`packedAt`, or `Missing.time` when the waybill has no created or pickup scan).
    static func sameParcel(_ first: Int, _ further: Int, packedAt: Int64, orders: OrdersTable) -> Bool {
        let count = min(orders.buyer.count, orders.shop.count, orders.shipTo.count, orders.createdAt.count)
        guard first < count, further < count else { return false }
        return orders.buyer[first] == orders.buyer[further] && orders.shop[first] == orders.shop[further]
            && orders.shipTo[first] == orders.shipTo[further]
            && (packedAt == Missing.time || orders.createdAt[further] <= packedAt)
    }
}
