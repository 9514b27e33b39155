import Columnar

/// The public brushing rule (as in the Shopee brushing benchmark): within a window of
/// `fake_orders.window_seconds` (one hour), a shop's orders divided by the distinct
/// buyers placing them. Brushing rings re-use a handful of accounts for many orders in
/// a short time, so the rate climbs to 3 and more; a genuine flash sale brings many
/// orders from many buyers and keeps it near 1. A window needs two buyers or more, so
/// that one buyer splitting a cart into several orders is not a ring.
public struct OrderWindowDetector: SharingDetector {
    public init() {}

    public var name: String { "order windows" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.window_seconds", 3600, "length of the sliding window of the orders-per-buyer rule"),
            Parameter("fake_orders.window_min_orders", 3, "fewest orders in a window for its rate to count"),
            Parameter("fake_orders.window_min_buyers", 2, "fewest distinct buyers in a window for its rate to count"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_window_orders_per_buyer", entityKind: .shop, category: .fakeOrders,
                description: "most orders per distinct buyer in one sliding window of the shop's orders (brushing rule: >= 3)",
                threshold: 3, saturation: 20, weight: 1),
            SignalDefinition(
                name: "buyer_brushing_window_share", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders placed inside a shop's window that meets the brushing rule",
                threshold: 0.3, saturation: 0.8, weight: 0.5),
        ]
    }

    /// The rule's settings.
    public struct Rule: Sendable {
        public var windowSeconds: Int64
        public var minimumOrders: Int
        public var minimumBuyers: Int
        /// Orders per distinct buyer at which a window counts as brushing.
        public var brushingRate: Double
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let shopSignal = signal("shop_window_orders_per_buyer", config)
        let buyerSignal = signal("buyer_brushing_window_share", config)
        let rule = Rule(
            windowSeconds: Int64(config["fake_orders.window_seconds"]),
            minimumOrders: Int(config["fake_orders.window_min_orders"]),
            minimumBuyers: Int(config["fake_orders.window_min_buyers"]), brushingRate: shopSignal.threshold)
        let orders = export.orders
        let accountCount = export.dictionaries.accounts.count
        let shops = memo.shopsInTime
        let (windows, inBrushingWindow) = Self.busiestWindows(
            shops: shops, buyers: orders.buyer, times: orders.createdAt, buyerCount: accountCount, rule: rule,
            threads: threads)

        var values = [Double](repeating: .nan, count: shops.entityCount)
        var samples: [UInt32: [EvidenceSample]] = [:]
        for (shop, window) in windows.enumerated() {
            guard let window else { continue }
            values[shop] = window.rate
            guard window.rate >= shopSignal.threshold else { continue }
            let shopRows = shops.rows(of: shop)
            let rows = shopRows[(shopRows.startIndex + window.rows.lowerBound)..<(shopRows.startIndex + window.rows.upperBound)]
            let first = orders.createdAt[Int(rows.first!)], last = orders.createdAt[Int(rows.last!)]
            samples[UInt32(shop)] =
                [EvidenceSample(.window, "\(UnixTime.iso8601(first))..\(UnixTime.iso8601(last)): \(window.rows.count) orders from \(window.buyers) buyers")]
                + rows.prefix(SignalColumn.sampleLimit - 1).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        let buyers = memo.buyers
        let buyerValues = RowKernels.share(groups: buyers) { inBrushingWindow[$0] }
        var buyerSamples: [UInt32: [EvidenceSample]] = [:]
        for buyer in buyerValues.indices where buyerValues[buyer] >= buyerSignal.threshold {
            buyerSamples[UInt32(buyer)] = buyers.rows(of: buyer).lazy.filter { inBrushingWindow[Int($0)] }
                .prefix(SignalColumn.sampleLimit).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        return DetectorOutput(signals: [
            SignalColumn(definition: shopSignal, values: values, samples: samples),
            SignalColumn(definition: buyerSignal, values: buyerValues, samples: buyerSamples),
        ])
    }

    /// A shop's busiest window: positions (within the shop's time-ordered rows) of its
    /// orders, their distinct buyers and the rate orders / buyers.
    public struct Window: Sendable, Equatable {
        public var rows: Range<Int>
        public var buyers: Int
        public var rate: Double { Double(rows.count) / Double(buyers) }
    }

    /// For each shop, the window with the highest orders per distinct buyer among those
    /// the rule counts (earliest on ties; nil when none), and for each order whether it
    /// lies in some window that meets the brushing rate. Two pointers over each shop's
    /// orders in time order with a per-thread buyer count table: linear in the orders.
    public static func busiestWindows(
        shops: EntityGroups, buyers: Column<UInt32>, times: Column<Int64>, buyerCount: Int, rule: Rule, threads: Int
    ) -> (windows: [Window?], inBrushingWindow: [Bool]) {
        let flags = DisjointRows<Bool>(count: buyers.count, initial: false)
        let slices = ParallelRows.map(count: shops.entityCount, threads: threads) { shopRange -> [Window?] in
            var inWindow = [UInt32](repeating: 0, count: buyerCount)
            var covered: [Int32] = []
            return shopRange.map { shop -> Window? in
                let rows = shops.rows(of: shop)
                guard rows.count >= rule.minimumOrders else { return nil }
                covered.removeAll(keepingCapacity: true)
                covered.append(contentsOf: repeatElement(0, count: rows.count + 1))
                let best = rows.withUnsafeBufferPointer { rows in
                    buyers.withUnsafeBufferPointer { buyers in
                        times.withUnsafeBufferPointer { times in
                            inWindow.withUnsafeMutableBufferPointer { inWindow in
                                covered.withUnsafeMutableBufferPointer { covered in
                                    busiestWindow(rows: rows, buyers: buyers, times: times, rule: rule,
                                                  inWindow: inWindow, covered: covered)
                                }
                            }
                        }
                    }
                }
                var depth: Int32 = 0
                for (position, row) in rows.enumerated() {
                    depth += covered[position]
                    if depth > 0 { flags.set(Int(row), true) }
                }
                return best
            }
        }
        return (slices.flatMap { $0 }, flags.result)
    }

    /// The kernel for one shop: each window starts at one of the shop's orders and
    /// holds the orders of the following `windowSeconds`. `inWindow` counts each
    /// buyer's orders in the current window and is all zeros again on return;
    /// `covered` (zeros, one more than the rows) receives +1 / -1 at the bounds of each
    /// window that meets the brushing rate, so its running sum marks covered orders.
    static func busiestWindow(
        rows: UnsafeBufferPointer<UInt32>, buyers: UnsafeBufferPointer<UInt32>, times: UnsafeBufferPointer<Int64>, rule: Rule,
        inWindow: UnsafeMutableBufferPointer<UInt32>, covered: UnsafeMutableBufferPointer<Int32>
    ) -> Window? {
        var best: Window?
        var end = 0
        var distinct = 0
        for start in 0..<rows.count {
            let opening = times[Int(rows[start])]
            while end < rows.count && times[Int(rows[end])] - opening < rule.windowSeconds {
                let buyer = Int(buyers[Int(rows[end])])
                if inWindow[buyer] == 0 { distinct += 1 }
                inWindow[buyer] += 1
                end += 1
            }
            let orders = end - start
            if orders >= rule.minimumOrders && distinct >= rule.minimumBuyers {
                // Compare orders / distinct exactly by cross-multiplication; earliest wins ties.
                if best.map({ orders * $0.buyers > $0.rows.count * distinct }) ?? true {
                    best = Window(rows: start..<end, buyers: distinct)
                }
                if Double(orders) >= rule.brushingRate * Double(distinct) {
                    covered[start] += 1
                    covered[end] -= 1
                }
            }
            let leaving = Int(buyers[Int(rows[start])])
            inWindow[leaving] -= 1
            if inWindow[leaving] == 0 { distinct -= 1 }
        }
        return best
    }
}
