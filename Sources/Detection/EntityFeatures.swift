import Columnar

/// Plain per-entity features that platforms compute in SQL today (and the side-by-side
/// benchmark against DuckDB computes there): a shop's orders, buyers, busiest window and
/// shared-device share; a waybill's scans and time to signature; a rater's ratings and
/// the share of them without an order. Each is a fold over one entity's group of rows.
public enum EntityFeatures {
    /// A shop's order features.
    public struct Shop: Sendable, Equatable {
        public var orders: Int
        public var distinctBuyers: Int
        /// Most orders per distinct buyer among the windows of `windowSeconds` that start
        /// at each of the shop's orders (in time, then file order).
        public var busiestWindowRate: Double
        /// Share of the shop's orders whose device serves `sharedDeviceBuyers` or more of
        /// its distinct buyers.
        public var sharedDeviceShare: Double
    }

    /// The features of every shop with orders, by account id (nil for accounts that sell
    /// nothing).
    public static func shops(
        _ orders: OrdersTable, accountCount: Int, windowSeconds: Int64 = 3600, sharedDeviceBuyers: UInt32 = 3,
        threads: Int
    ) -> [Shop?] {
        let shops = EntityGroups(keys: orders.shop, entityCount: accountCount, orderedBy: orders.createdAt)
        let rule = OrderWindowDetector.Rule(windowSeconds: windowSeconds, minimumOrders: 1, minimumBuyers: 1, brushingRate: .infinity)
        let windows = OrderWindowDetector.busiestWindows(
            shops: shops, buyers: orders.buyer, times: orders.createdAt, buyerCount: accountCount, rule: rule,
            threads: threads
        ).windows
        let sharing = RowKernels.distinctMembersSharingIdentity(
            groups: shops, identity: orders.device, member: orders.buyer, threads: threads)
        let buyers = distinctCounts(groups: shops, members: orders.buyer, memberCount: accountCount, threads: threads)
        return (0..<accountCount).map { shop in
            let rows = shops.rows(of: shop)
            guard !rows.isEmpty, let window = windows[shop] else { return nil }
            var shared = 0
            for row in rows where sharing[Int(row)] >= sharedDeviceBuyers { shared += 1 }
            return Shop(
                orders: rows.count, distinctBuyers: buyers[shop], busiestWindowRate: window.rate,
                sharedDeviceShare: Double(shared) / Double(rows.count))
        }
    }

    /// A waybill's scan features.
    public struct Waybill: Sendable, Equatable {
        public var scans: Int
        /// Seconds from its first scan to its first `signed` scan; nil when never signed.
        public var firstToSignedSeconds: Int64?
        public var hasTransit: Bool
    }

    /// The features of every waybill, by waybill id.
    public static func waybills(_ logistics: LogisticsTable, waybillCount: Int) -> [Waybill] {
        let groups = EntityGroups(keys: logistics.waybill, entityCount: waybillCount)
        return (0..<waybillCount).map { waybill in
            var first = Int64.max, signed = Int64.max
            var transit = false
            for row in groups.rows(of: waybill) {
                let at = logistics.at[Int(row)], event = logistics.event[Int(row)]
                first = min(first, at)
                if event == ScanEvent.signed.rawValue { signed = min(signed, at) }
                if event == ScanEvent.transit.rawValue { transit = true }
            }
            return Waybill(
                scans: groups.count(of: waybill), firstToSignedSeconds: signed == .max ? nil : signed - first,
                hasTransit: transit)
        }
    }

    /// A rater's features.
    public struct Rater: Sendable, Equatable {
        public var ratings: Int
        /// Share of the rater's ratings that name no order of the export.
        public var withoutOrderShare: Double
    }

    /// The features of every account that rated, by account id (nil for the others).
    public static func raters(_ ratings: RatingsTable, accountCount: Int) -> [Rater?] {
        let groups = EntityGroups(keys: ratings.buyer, entityCount: accountCount)
        let share = RowKernels.share(groups: groups) { ratings.order[$0] == IdDictionary.absent }
        return (0..<accountCount).map { rater in
            groups.count(of: rater) == 0 ? nil : Rater(ratings: groups.count(of: rater), withoutOrderShare: share[rater])
        }
    }

    /// Distinct members per group: each worker marks members in its own table, stamped
    /// with the group so it never needs clearing.
    static func distinctCounts(groups: EntityGroups, members: [UInt32], memberCount: Int, threads: Int) -> [Int] {
        ParallelRows.map(count: groups.entityCount, threads: threads) { range -> [Int] in
            var stamp = [Int32](repeating: -1, count: memberCount)
            return range.map { group in
                var distinct = 0
                for row in groups.rows(of: group) {
                    let member = Int(members[Int(row)])
                    if stamp[member] != Int32(truncatingIfNeeded: group) {
                        stamp[member] = Int32(truncatingIfNeeded: group)
                        distinct += 1
                    }
                }
                return distinct
            }
        }.flatMap { $0 }
    }
}
