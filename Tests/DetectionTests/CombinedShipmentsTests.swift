import Columnar
import Testing

@testable import Detection

/// Combined shipping against resold tracking numbers: only one buyer's orders from one
/// shop to one address, placed before the parcel's first scan, share a number honestly.
@Suite struct CombinedShipmentsTests {
    /// Orders as (buyer, shop, address, created).
    static func orders(_ rows: [(UInt32, UInt32, UInt32, Int64)]) -> OrdersTable {
        var table = OrdersTable()
        for (buyer, shop, address, created) in rows {
            table.buyer.append(buyer)
            table.shop.append(shop)
            table.shipTo.append(address)
            table.createdAt.append(created)
            table.paidAt.append(created + 60)
            for column in [\OrdersTable.item, \.device, \.ip, \.payment] { table[keyPath: column].append(0) }
            table.amountCents.append(1000)
            table.confirmedAt.append(Missing.time)
            table.status.append(OrderStatus.completed.rawValue)
        }
        return table
    }

    @Test func onlyOneBuyersParcelKeepsItsNumber() {
        let packed: Int64 = 10_000
        let orders = Self.orders([
            (1, 7, 3, 9_000), (1, 7, 3, 9_500),  // waybill 0: one parcel, combined
            (1, 7, 3, 9_000), (2, 7, 3, 9_500),  // waybill 1: another buyer
            (1, 7, 3, 9_000), (1, 8, 3, 9_500),  // waybill 2: another shop
            (1, 7, 3, 9_000), (1, 7, 4, 9_500),  // waybill 3: another address
            (1, 7, 3, 9_000), (1, 7, 3, 12_000),  // waybill 4: ordered after the parcel left
            (1, 7, 3, 9_000), (1, 7, 3, 9_100), (5, 7, 3, 9_200),  // waybill 5: one of two further orders resold
            (1, 7, 3, 9_000), (1, 7, 3, 12_000),  // waybill 6: no created or pickup scan
        ])
        let firsts: [UInt32] = [0, 2, 4, 6, 8, 10, 13]
        var trajectories = firsts.map { first -> WaybillTrajectory in
            var trajectory = WaybillTrajectory()
            trajectory.order = first
            trajectory.startAt = packed
            trajectory.flags = .severalOrders
            return trajectory
        }
        trajectories[6].startAt = Missing.time
        let further: [(order: UInt32, waybill: UInt32)] = [(1, 0), (3, 1), (5, 2), (7, 3), (9, 4), (11, 5), (12, 5), (14, 6)]
        var tells = [ParcelTells](repeating: [.reusedNumber, .fast], count: trajectories.count)
        CombinedShipments.clearReusedNumber(&tells, trajectories: trajectories, furtherOrders: further, orders: orders)
        #expect(tells.map { $0.contains(.reusedNumber) } == [false, true, true, true, true, true, false])
        // Other tells stay as they were.
        #expect(tells.allSatisfy { $0.contains(.fast) })
    }

    @Test func aWaybillWithOneOrderIsUntouched() {
        let orders = Self.orders([(1, 7, 3, 9_000)])
        var trajectory = WaybillTrajectory()
        trajectory.order = 0
        var tells: [ParcelTells] = [[.weightless]]
        CombinedShipments.clearReusedNumber(&tells, trajectories: [trajectory], furtherOrders: [], orders: orders)
        #expect(tells == [[.weightless]])
    }
}
