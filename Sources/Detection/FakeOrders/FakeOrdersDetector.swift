import Columnar

/// Per-shop and per-buyer signals of brushing built on the order marks (`OrderFlags`)
/// and the ring blocks (`RingBlocks`): how much of a shop's business carries the marks
/// of a ring, and how much of a buyer's orders look like a ring member's.
public struct FakeOrdersDetector: SharingDetector {
    public init() {}

    public var name: String { "fake orders" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.shared_device_buyers", 3, "distinct buyers of one shop on one device that make the device shared"),
            Parameter("fake_orders.shared_payment_buyers", 2, "distinct buyers of one shop paying from one account that make it shared"),
            Parameter("fake_orders.shared_address_buyers", 3, "distinct buyers of one shop at one ship-to address that make it shared"),
            Parameter("fake_orders.fast_confirm_seconds", 86_400, "receipt confirmed this soon after payment is implausibly fast for a shipped parcel"),
            Parameter("fake_orders.young_account_days", 30, "an account this young when it orders counts as new"),
            Parameter("fake_orders.min_orders", 5, "fewest orders of a shop for its shares to be measured"),
            Self.shareConfidence,
            Parameter("fake_orders.block_min_marks", 2, "fewest different marks on an order for it to enter the ring tensor"),
            Parameter("fake_orders.block_min_lift", 8, "how many times more often than the platform's a ring block's shop-days must be marked"),
            Parameter("fake_orders.block_searches", 24, "dense-block searches for rings per scan (each takes one block out)"),
            Parameter("fake_orders.block_min_buyers", 3, "fewest buyers in a ring block"),
            Parameter("fake_orders.block_bucket_seconds", 86_400, "width of the time buckets of the buyer x shop x time tensor"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_shared_device_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders from a device several of its buyers use, or a payment account paying for several",
                threshold: 0.12, saturation: 0.3, weight: 0.6),
            SignalDefinition(
                name: "shop_shared_address_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders shipped to an address several of its buyers ship to",
                threshold: 0.25, saturation: 0.5, weight: 0.25),
            SignalDefinition(
                name: "shop_fast_confirm_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders confirmed as received implausibly soon after payment, at shops that ship parcels (a top-up needs no delivery)",
                threshold: 0.1, saturation: 0.4, weight: 0.5),
            SignalDefinition(
                name: "shop_new_account_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders placed by accounts registered shortly before ordering",
                threshold: 0.06, saturation: 0.25, weight: 0.45),
            SignalDefinition(
                name: "shop_ring_block_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders inside a dense block of marked orders (a ring's members, clients and days)",
                threshold: 0.1, saturation: 0.3, weight: 0.6),
            SignalDefinition(
                name: "buyer_shared_identity", entityKind: .buyer, category: .fakeOrders,
                description: "most distinct buyers seen on one of this buyer's devices or payment accounts",
                threshold: 5, saturation: 12, weight: 0.45),
            SignalDefinition(
                name: "buyer_shop_concentration", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders (3 or more) that go to the one shop it buys from most",
                threshold: 0.6, saturation: 0.95, weight: 0.25),
            SignalDefinition(
                name: "buyer_fast_confirm_share", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders confirmed as received implausibly soon after payment, at shops that ship parcels (a top-up needs no delivery)",
                threshold: 0.5, saturation: 0.9, weight: 0.3),
            SignalDefinition(
                name: "buyer_ring_block_share", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders inside a dense block of marked orders (a ring's members, clients and days)",
                threshold: 0.3, saturation: 0.8, weight: 0.55),
        ]
    }

    /// How far below a measured share its signal reads, shared with `TiedSurgeDetector`
    /// and with `CoReviewerDetector`, whose buyer test asks the same confidence of a
    /// buyer's share of ring shops before it reads it as beyond chance.
    static let shareConfidence = Parameter(
        "fake_orders.share_confidence_z", 1.64,
        "standard errors below a shop's fast-confirm and new-account shares, a day's tied share, and a co-reviewer buyer's share of ring shops among its other shops, that their signals read (Wilson bound)")

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let orders = export.orders
        let minimumOrders = Int(config["fake_orders.min_orders"])
        let shops = memo.shops
        let buyers = memo.buyers
        let flags = OrderFlags(export, shops: shops, config: config, threads: threads)
        let minimumMarks = Int(config["fake_orders.block_min_marks"])
        let rings = RingBlocks(
            export, candidates: (0..<orders.count).map { flags.marks($0) >= minimumMarks },
            members: (0..<orders.count).map { flags.parcelMarks($0) >= minimumMarks }, shops: shops, buyers: buyers,
            config: config)
        let inRing = rings.blockOfOrder.map { $0 >= 0 }

        func shopShare(_ name: String, _ flagged: [Bool], confidenceZ: Double = 0) -> SignalColumn {
            column(
                name, config, groups: shops, minimumRows: minimumOrders, flagged: flagged, export: export,
                confidenceZ: confidenceZ)
        }
        // Honest orders carry these two marks at a base rate (a prompt buyer of a same-city
        // parcel, a newcomer's first orders), so a small shop's few orders can show a high
        // share by chance; the signals read the share's lower confidence bound.
        let confidenceZ = config["fake_orders.share_confidence_z"]
        func buyerShare(_ name: String, _ flagged: [Bool], minimumRows: Int) -> SignalColumn {
            column(name, config, groups: buyers, minimumRows: minimumRows, flagged: flagged, export: export)
        }
        // Without scans a fast confirmation is not judged (`OrderFlags.parcelFastConfirm`).
        let fastConfirm = flags.parcelFastConfirm
        var columns = [
            shopShare("shop_shared_device_share", flags.sharedDevice),
            shopShare("shop_shared_address_share", flags.sharedAddress),
        ]
        if let fastConfirm { columns.append(shopShare("shop_fast_confirm_share", fastConfirm, confidenceZ: confidenceZ)) }
        columns.append(shopShare("shop_ring_block_share", inRing))
        if let fastConfirm { columns.append(buyerShare("buyer_fast_confirm_share", fastConfirm, minimumRows: 2)) }
        columns += [
            buyerShare("buyer_ring_block_share", inRing, minimumRows: 1),
            SignalColumn(
                definition: signal("buyer_shared_identity", config),
                values: buyerSharedIdentity(export, buyers: buyers, threads: threads)),
            SignalColumn(
                definition: signal("buyer_shop_concentration", config),
                values: shopConcentration(orders, buyers: buyers, minimumOrders: 3)),
        ]
        if let newAccount = flags.newAccount {
            columns.append(shopShare("shop_new_account_share", newAccount, confidenceZ: confidenceZ))
        }
        for index in columns.indices where columns[index].definition.name.hasSuffix("ring_block_share") {
            for (entity, samples) in columns[index].samples {
                let groups = columns[index].definition.entityKind == .shop ? shops : buyers
                let blocks = Set(groups.rows(of: Int(entity))
                    .compactMap { rings.blockOfOrder[Int($0)] >= 0 ? Int(rings.blockOfOrder[Int($0)]) : nil }).sorted()
                columns[index].samples[entity] = blocks.prefix(2).map { EvidenceSample(.block, rings.findings[$0].title) }
                    + samples.prefix(SignalColumn.sampleLimit - min(2, blocks.count))
            }
        }
        return DetectorOutput(signals: columns, findings: rings.findings)
    }

    /// The share of each entity's rows that are `flagged` (its Wilson lower bound at
    /// `confidenceZ` standard errors when that is above 0), with the flagged orders of
    /// firing entities as samples.
    private func column(
        _ name: String, _ config: DetectionConfig, groups: EntityGroups, minimumRows: Int, flagged: [Bool],
        export: Export, confidenceZ: Double = 0
    ) -> SignalColumn {
        let definition = signal(name, config)
        var values = RowKernels.share(groups: groups, minimumRows: minimumRows) { flagged[$0] }
        if confidenceZ > 0 {
            for entity in values.indices where !values[entity].isNaN {
                values[entity] = Chance.shareLowerBound(values[entity], rows: groups.count(of: entity), z: confidenceZ)
            }
        }
        var samples: [UInt32: [EvidenceSample]] = [:]
        for entity in values.indices where values[entity] >= definition.threshold {
            samples[UInt32(entity)] = groups.rows(of: entity).lazy.filter { flagged[Int($0)] }
                .prefix(SignalColumn.sampleLimit).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }

    /// Per buyer, the most distinct buyers on any of its devices or payment accounts.
    func buyerSharedIdentity(_ export: Export, buyers: EntityGroups, threads: Int) -> [Double] {
        let orders = export.orders
        var most = [UInt32](repeating: 0, count: buyers.entityCount)
        for (identity, count) in [
            (orders.device, export.dictionaries.devices.count), (orders.payment, export.dictionaries.payments.count),
        ] {
            let counts = RowKernels.distinctMembersSharingIdentity(
                groups: EntityGroups(keys: identity, entityCount: count), identity: identity,
                member: orders.buyer, threads: threads)
            for row in counts.indices {
                let buyer = Int(orders.buyer[row])
                most[buyer] = max(most[buyer], counts[row])
            }
        }
        return (0..<buyers.entityCount).map { buyers.count(of: $0) == 0 ? .nan : Double(most[$0]) }
    }

    /// Per buyer with at least `minimumOrders` orders, the share of them at its top shop.
    func shopConcentration(_ orders: OrdersTable, buyers: EntityGroups, minimumOrders: Int) -> [Double] {
        (0..<buyers.entityCount).map { buyer in
            let rows = buyers.rows(of: buyer)
            guard rows.count >= minimumOrders else { return .nan }
            let shops = rows.map { orders.shop[Int($0)] }.sorted()
            var best = 0, run = 0
            for index in shops.indices {
                run = index > 0 && shops[index] == shops[index - 1] ? run + 1 : 1
                best = max(best, run)
            }
            return Double(best) / Double(rows.count)
        }
    }
}
