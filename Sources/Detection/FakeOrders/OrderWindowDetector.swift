import Columnar

/// The public brushing rule (as in the Shopee brushing benchmark): within some window
/// of `fake_orders.window_seconds` (one hour), a shop's orders divided by the distinct
/// buyers placing them. Brushing rings re-use a handful of accounts for many orders in
/// a short time, so the rate climbs to 3 and more; a genuine flash sale brings many
/// orders from many buyers and keeps it near 1.
public struct OrderWindowDetector: Detector {
    public init() {}

    public var name: String { "order windows" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.window_seconds", 3600, "length of the sliding window of the orders-per-buyer rule"),
            Parameter("fake_orders.window_min_orders", 3, "fewest orders in a window for its rate to count"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_window_orders_per_buyer", entityKind: .shop, category: .fakeOrders,
                description: "most orders per distinct buyer in one sliding window of the shop's orders (brushing rule: >= 3)",
                threshold: 3, saturation: 6, weight: 0.6)
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int) -> DetectorOutput {
        let definition = signal("shop_window_orders_per_buyer", config)
        let orders = export.orders
        let shops = EntityGroups(
            keys: orders.shop, entityCount: export.dictionaries.accounts.count, orderedBy: orders.createdAt)
        let windows = Self.busiestWindows(
            shops: shops, buyers: orders.buyer, times: orders.createdAt,
            buyerCount: export.dictionaries.accounts.count,
            windowSeconds: Int64(config["fake_orders.window_seconds"]),
            minimumOrders: Int(config["fake_orders.window_min_orders"]), threads: threads)
        var values = [Double](repeating: .nan, count: shops.entityCount)
        var samples: [UInt32: [EvidenceSample]] = [:]
        for (shop, window) in windows.enumerated() {
            guard let window else { continue }
            values[shop] = window.rate
            guard window.rate >= definition.threshold else { continue }
            let rows = shops.rows(of: shop)[window.rows]
            let first = orders.createdAt[Int(rows.first!)], last = orders.createdAt[Int(rows.last!)]
            samples[UInt32(shop)] =
                [EvidenceSample(.window, "\(UnixTime.iso8601(first))..\(UnixTime.iso8601(last)): \(window.rows.count) orders from \(window.buyers) buyers")]
                + rows.prefix(SignalColumn.sampleLimit - 1).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        return DetectorOutput(signals: [SignalColumn(definition: definition, values: values, samples: samples)])
    }

    /// A shop's busiest window: positions (within the shop's time-ordered rows) of its
    /// orders, their distinct buyers and the rate orders / buyers.
    public struct Window: Sendable, Equatable {
        public var rows: Range<Int>
        public var buyers: Int
        public var rate: Double { Double(rows.count) / Double(buyers) }
    }

    /// For each shop, the window of at most `windowSeconds` with the highest orders per
    /// distinct buyer among those with at least `minimumOrders` orders (earliest on
    /// ties); nil for a shop with no such window. Two pointers over each shop's orders
    /// in time order with a per-thread buyer count table: linear in the orders.
    public static func busiestWindows(
        shops: EntityGroups, buyers: [UInt32], times: [Int64], buyerCount: Int,
        windowSeconds: Int64, minimumOrders: Int, threads: Int
    ) -> [Window?] {
        let slices = ParallelRows.map(count: shops.entityCount, threads: threads) { shopRange -> [Window?] in
            var inWindow = [UInt32](repeating: 0, count: buyerCount)
            return shopRange.map { shop -> Window? in
                let rows = shops.rows(of: shop)
                guard rows.count >= minimumOrders else { return nil }
                return rows.withUnsafeBufferPointer { rows in
                    inWindow.withUnsafeMutableBufferPointer { inWindow in
                        busiestWindow(rows: rows, buyers: buyers, times: times, windowSeconds: windowSeconds,
                                      minimumOrders: minimumOrders, inWindow: inWindow)
                    }
                }
            }
        }
        return slices.flatMap { $0 }
    }

    /// The kernel for one shop: each window starts at one of the shop's orders and
    /// holds the orders of the following `windowSeconds`. `inWindow` counts each
    /// buyer's orders in the current window and is all zeros again on return.
    static func busiestWindow(
        rows: UnsafeBufferPointer<UInt32>, buyers: [UInt32], times: [Int64], windowSeconds: Int64,
        minimumOrders: Int, inWindow: UnsafeMutableBufferPointer<UInt32>
    ) -> Window? {
        var best: Window?
        var end = 0
        var distinct = 0
        for start in 0..<rows.count {
            let opening = times[Int(rows[start])]
            while end < rows.count && times[Int(rows[end])] - opening < windowSeconds {
                let buyer = Int(buyers[Int(rows[end])])
                if inWindow[buyer] == 0 { distinct += 1 }
                inWindow[buyer] += 1
                end += 1
            }
            let orders = end - start
            // Compare orders / distinct exactly by cross-multiplication; earliest wins ties.
            if orders >= minimumOrders, best.map({ orders * $0.buyers > $0.rows.count * distinct }) ?? true {
                best = Window(rows: start..<end, buyers: distinct)
            }
            let leaving = Int(buyers[Int(rows[start])])
            inWindow[leaving] -= 1
            if inWindow[leaving] == 0 { distinct -= 1 }
        }
        return best
    }
}
