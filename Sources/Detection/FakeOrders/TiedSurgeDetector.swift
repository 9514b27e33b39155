import Columnar

/// Brushing campaigns as tied surges. A shop buys a batch of orders from a studio, and
/// the studio places them within hours to days from accounts that share a few devices,
/// payment accounts and drop addresses. In such a time bucket (a day, or three days for
/// a campaign that camouflage spreads out) a large part of the shop's orders are
/// *tied*: another buyer of the shop used the same device, payment account or ship-to
/// address in that bucket. Camouflage also copies the shop's basket and lets the
/// accounts shop elsewhere, which dilutes every share taken over the shop's whole
/// history (`FakeOrdersDetector`), but not the campaign's own bucket.
///
/// Honest surges (a flash sale, a platform promotion) bring unrelated buyers, so their
/// tied share stays at the households' and parcel lockers' everyday rate; a shop whose
/// orders are tied every day alike (a campus shop shipping to one locker) has no excess
/// over its own other days. Only completed orders not rated low count: a bought order
/// is confirmed so that it counts as a sale and may be reviewed, while a crew ordering
/// at the victim it attacks leaves refunds, cancellations and low ratings, and a
/// studio's accounts shopping together for cover in a promotion's last hours leave
/// orders still on their way (held-out generator). Buyers whose own order was tied in
/// a surge inherit the surge's strength.
public struct TiedSurgeDetector: SharingDetector {
    public init() {}

    public var name: String { "tied surges" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.surge_short_seconds", 86_400, "width of the short time buckets in which a shop's orders are tied to each other (a campaign of hours)"),
            Parameter("fake_orders.surge_long_seconds", 259_200, "width of the long time buckets in which a shop's orders are tied to each other (a campaign spread over days)"),
            Parameter("fake_orders.surge_min_tied", 4, "fewest tied orders in one bucket for its tied share to count"),
            FakeOrdersDetector.shareConfidence, RatingFacts.lowStars,
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_surge_tied_excess", entityKind: .shop, category: .fakeOrders,
                description: "most by which the share of one day's or three days' orders tied to other buyers by a shared device, payment account or address (lower confidence bound) exceeds the shop's tied share at other times",
                threshold: 0.15, saturation: 0.45, weight: 0.6),
            SignalDefinition(
                name: "buyer_surge_tie", entityKind: .buyer, category: .fakeOrders,
                description: "the tied-share excess of a shop's day or three days on which an order of this buyer was tied to other buyers' orders by a shared device, payment account or address",
                threshold: 0.15, saturation: 0.45, weight: 0.55),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let shopSignal = signal("shop_surge_tied_excess", config)
        let buyerSignal = signal("buyer_surge_tie", config)
        let orders = export.orders
        let accountCount = export.dictionaries.accounts.count
        let shops = memo.shopsInTime
        let start = orders.createdAt.min() ?? 0
        let sales = Self.confirmedSales(export, lowStars: UInt8(clamping: Int(config[RatingFacts.lowStars.key])))
        let identities = [
            (orders.device, export.dictionaries.devices.count), (orders.payment, export.dictionaries.payments.count),
            (orders.shipTo, export.dictionaries.addresses.count),
        ]
        // Per shop its strongest bucket's excess, per order the excess of the strongest
        // bucket it is tied in, over both widths.
        var shopExcess = [Double](repeating: .nan, count: accountCount)
        var tiedExcess = [Double](repeating: .nan, count: orders.count)
        for key in ["fake_orders.surge_short_seconds", "fake_orders.surge_long_seconds"] {
            let width = max(1, Int64(config[key]))
            let buckets = orders.createdAt.map { UInt32(clamping: ($0 - start) / width) }
            let tied = Self.tiedOrders(
                shops: shops, buckets: buckets, buyers: orders.buyer, sales: sales, identities: identities,
                threads: threads)
            let surges = Self.surges(
                shops: shops, buckets: buckets, tied: tied, minimumTied: Int(config["fake_orders.surge_min_tied"]),
                z: config[FakeOrdersDetector.shareConfidence.key])
            for shop in shopExcess.indices { shopExcess[shop] = .maximum(shopExcess[shop], surges.shopExcess[shop]) }
            for row in tiedExcess.indices where tied[row] {
                tiedExcess[row] = .maximum(tiedExcess[row], surges.rowExcess[row])
            }
        }

        var shopSamples: [UInt32: [EvidenceSample]] = [:]
        for shop in shopExcess.indices where shopExcess[shop] >= shopSignal.threshold {
            let rows = shops.rows(of: shop).filter { tiedExcess[Int($0)] == shopExcess[shop] }
            guard let first = rows.first, let last = rows.last else { continue }
            let span = "\(UnixTime.iso8601(orders.createdAt[Int(first)]))..\(UnixTime.iso8601(orders.createdAt[Int(last)]))"
            shopSamples[UInt32(shop)] = [EvidenceSample(.window, "\(span): \(Finding.counted(rows.count, "tied order"))")]
                + rows.prefix(SignalColumn.sampleLimit - 1).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        // Per buyer, the strongest surge its orders are tied in, and its first such orders.
        var buyerValues = [Double](repeating: .nan, count: accountCount)
        var buyerRows: [UInt32: [Int]] = [:]
        for row in tiedExcess.indices where tiedExcess[row] >= shopSignal.threshold {
            let buyer = orders.buyer[row]
            buyerValues[Int(buyer)] = .maximum(buyerValues[Int(buyer)], tiedExcess[row])
            if buyerRows[buyer, default: []].count < SignalColumn.sampleLimit { buyerRows[buyer, default: []].append(row) }
        }
        let buyerSamples = buyerRows.filter { buyerValues[Int($0.key)] >= buyerSignal.threshold }
            .mapValues { rows in rows.map { EvidenceSample(.order, export.dictionaries.orders.string(UInt32($0))) } }
        return DetectorOutput(signals: [
            SignalColumn(definition: shopSignal, values: shopExcess, samples: shopSamples),
            SignalColumn(definition: buyerSignal, values: buyerValues, samples: buyerSamples),
        ])
    }

    /// Per order, whether it is a confirmed sale: completed, and not rated `lowStars` or
    /// fewer. When the ratings name no orders (`RatingFacts.namesOrders`: the export
    /// leaves their `order_id` out), every order of a buyer at a shop it rated that low
    /// counts as rated low: which of them the rating was about is unknown, and counting
    /// them all as sales put two honest buyers of a crew's victim at key scrutiny (seed
    /// 11, camouflage 1, ratings without `order_id`).
    static func confirmedSales(_ export: Export, lowStars: UInt8) -> [Bool] {
        let orders = export.orders, ratings = export.ratings
        var sales = orders.status.map { $0 == OrderStatus.completed.rawValue }
        guard RatingFacts.namesOrders(export) else {
            let ratedLow = BuyerShops.distinctKeys(buyers: ratings.buyer, shops: ratings.shop) { ratings.stars[$0] <= lowStars }
            for row in 0..<orders.count
            where SortedKeys.position(of: UInt64(orders.buyer[row]) << 32 | UInt64(orders.shop[row]), in: ratedLow) != nil {
                sales[row] = false
            }
            return sales
        }
        for rating in 0..<ratings.count where ratings.order[rating] != IdDictionary.absent && ratings.stars[rating] <= lowStars {
            sales[Int(ratings.order[rating])] = false
        }
        return sales
    }

    /// Per order, whether it is a sale tied to another buyer's sale at the same shop in
    /// the same bucket: one of `identities` (a column of ids and how many ids there are)
    /// is the same and not absent. `shops` holds each shop's rows in time order, so a
    /// bucket is a run of rows. Per identity and thread, one `TieScratch`, reset through
    /// the ids a bucket touched: linear in the orders.
    static func tiedOrders(
        shops: EntityGroups, buckets: [UInt32], buyers: Column<UInt32>, sales: [Bool],
        identities: [(column: Column<UInt32>, count: Int)], threads: Int
    ) -> [Bool] {
        let tied = DisjointRows<Bool>(count: buyers.count, initial: false)
        _ = ParallelRows.map(count: shops.entityCount, threads: threads) { shopRange -> Int in
            var touched: [UInt32] = []
            buckets.withUnsafeBufferPointer { buckets in
                buyers.withUnsafeBufferPointer { buyers in
                    sales.withUnsafeBufferPointer { sales in
                        for identity in identities {
                            let scratch = TieScratch(ids: identity.count)
                            identity.column.withUnsafeBufferPointer { column in
                                for shop in shopRange {
                                    shops.rows(of: shop).withUnsafeBufferPointer { rows in
                                        scratch.tie(
                                            rows: rows, buckets: buckets, buyers: buyers, sales: sales, identity: column,
                                            touched: &touched, tied: tied)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return 0
        }
        return tied.result
    }

    /// Calls `body` with each run of `rows` (one shop's rows in time order) whose orders
    /// fall in one bucket (`buckets`, per order), as a range of positions in `rows`.
    @inline(__always)
    static func forEachBucket(
        of rows: UnsafeBufferPointer<UInt32>, buckets: UnsafeBufferPointer<UInt32>, _ body: (Range<Int>) -> Void
    ) {
        SortedKeys.forEachRun(count: rows.count, key: { buckets[Int(rows[$0])] }) { _, run in body(run) }
    }

    /// Each shop's strongest surge and, per order, the excess of its shop's bucket.
    struct Surges: Sendable {
        /// Per shop, the largest excess among its buckets with enough tied orders (nan
        /// when none has).
        var shopExcess: [Double]
        /// Per order, the excess of its shop's bucket (nan where the bucket has too few
        /// tied orders).
        var rowExcess: [Double]
    }

    /// A bucket's excess: the lower confidence bound (`z` standard errors, Wilson) of
    /// its tied share, less the shop's tied share over its other buckets. Only buckets
    /// with at least `minimumTied` tied orders count.
    static func surges(
        shops: EntityGroups, buckets: [UInt32], tied: [Bool], minimumTied: Int, z: Double
    ) -> Surges {
        var shopExcess = [Double](repeating: .nan, count: shops.entityCount)
        var rowExcess = [Double](repeating: .nan, count: tied.count)
        buckets.withUnsafeBufferPointer { buckets in
            for shop in 0..<shops.entityCount {
                let rows = shops.rows(of: shop)
                let allTied = rows.reduce(0) { $0 + (tied[Int($1)] ? 1 : 0) }
                guard allTied >= minimumTied else { continue }
                rows.withUnsafeBufferPointer { rows in
                    forEachBucket(of: rows, buckets: buckets) { run in
                        var runTied = 0
                        for position in run where tied[Int(rows[position])] { runTied += 1 }
                        guard runTied >= minimumTied else { return }
                        let count = run.count, others = rows.count - count
                        let elsewhere = others > 0 ? Double(allTied - runTied) / Double(others) : 0
                        let excess = Chance.shareLowerBound(Double(runTied) / Double(count), rows: count, z: z) - elsewhere
                        for position in run { rowExcess[Int(rows[position])] = excess }
                        if shopExcess[shop].isNaN || excess > shopExcess[shop] { shopExcess[shop] = excess }
                    }
                }
            }
        }
        return Surges(shopExcess: shopExcess, rowExcess: rowExcess)
    }
}

/// One worker's scratch for tying the sales of one identity (a column of ids) within a
/// bucket: the first buyer seen on each id and whether another buyer used it too, both
/// reset through the ids the bucket touched, so a bucket costs its own rows only.
private final class TieScratch {
    /// Per id, the first buyer seen in the bucket (`IdDictionary.absent` between buckets).
    let firstBuyer: UnsafeMutableBufferPointer<UInt32>
    /// Per id, whether a second buyer used it in the bucket (false between buckets).
    let shared: UnsafeMutableBufferPointer<Bool>

    init(ids: Int) {
        firstBuyer = .allocate(capacity: ids)
        firstBuyer.initialize(repeating: IdDictionary.absent)
        shared = .allocate(capacity: ids)
        shared.initialize(repeating: false)
    }

    deinit {
        firstBuyer.deallocate()
        shared.deallocate()
    }

    /// The kernel of `TiedSurgeDetector.tiedOrders` for one identity over one shop's
    /// time-ordered rows: per bucket of two or more rows, the first buyer seen on each
    /// id, then the sales whose id another buyer used too. `touched` (empty) holds the
    /// bucket's ids on the way.
    func tie(
        rows: UnsafeBufferPointer<UInt32>, buckets: UnsafeBufferPointer<UInt32>, buyers: UnsafeBufferPointer<UInt32>,
        sales: UnsafeBufferPointer<Bool>, identity: UnsafeBufferPointer<UInt32>, touched: inout [UInt32],
        tied: DisjointRows<Bool>
    ) {
        TiedSurgeDetector.forEachBucket(of: rows, buckets: buckets) { run in
            guard run.count > 1 else { return }
            for position in run {
                let row = Int(rows[position])
                let id = identity[row]
                guard sales[row] && id != IdDictionary.absent else { continue }
                let first = firstBuyer[Int(id)]
                if first == IdDictionary.absent {
                    firstBuyer[Int(id)] = buyers[row]
                    touched.append(id)
                } else if first != buyers[row] {
                    shared[Int(id)] = true
                }
            }
            for position in run {
                let row = Int(rows[position])
                let id = identity[row]
                if sales[row] && id != IdDictionary.absent && shared[Int(id)] { tied.set(row, true) }
            }
            for id in touched {
                firstBuyer[Int(id)] = IdDictionary.absent
                shared[Int(id)] = false
            }
            touched.removeAll(keepingCapacity: true)
        }
    }
}
