import Columnar

/// Per-shop and per-buyer signals of brushing that follow from how it is done: a ring
/// of buyer accounts run from a few phones, payment accounts and drop addresses places
/// orders that are confirmed at once (there is nothing to wait for), often from
/// accounts made for the purpose, and each account serves few shops.
public struct FakeOrderSignalsDetector: Detector {
    public init() {}

    public var name: String { "fake-order signals" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.shared_device_buyers", 3, "distinct buyers of one shop on one device that make the device shared"),
            Parameter("fake_orders.shared_address_buyers", 3, "distinct buyers of one shop at one ship-to address that make it shared"),
            Parameter("fake_orders.shared_payment_buyers", 2, "distinct buyers of one shop paying from one account that make it shared"),
            Parameter("fake_orders.shared_ip_buyers", 4, "distinct buyers of one shop from one network address that make it shared"),
            Parameter("fake_orders.fast_confirm_seconds", 86_400, "receipt confirmed this soon after payment is implausibly fast for a shipped parcel"),
            Parameter("fake_orders.young_account_days", 30, "an account this young when it orders counts as new"),
            Parameter("fake_orders.min_orders", 5, "fewest orders of a shop or buyer for its shares to be measured"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_shared_identity_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders whose device, ip, payment account or ship-to address several of its buyers share",
                threshold: 0.15, saturation: 0.5, weight: 0.55),
            SignalDefinition(
                name: "shop_fast_confirm_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders confirmed as received implausibly soon after payment",
                threshold: 0.25, saturation: 0.6, weight: 0.4),
            SignalDefinition(
                name: "shop_new_account_share", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's orders placed by accounts registered shortly before ordering",
                threshold: 0.3, saturation: 0.7, weight: 0.3),
            SignalDefinition(
                name: "buyer_shared_identity", entityKind: .buyer, category: .fakeOrders,
                description: "most distinct buyers seen on one of this buyer's devices or payment accounts",
                threshold: 5, saturation: 12, weight: 0.45),
            SignalDefinition(
                name: "buyer_shop_concentration", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders that go to the one shop it buys from most",
                threshold: 0.6, saturation: 0.95, weight: 0.25),
            SignalDefinition(
                name: "buyer_fast_confirm_share", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's orders confirmed as received implausibly soon after payment",
                threshold: 0.5, saturation: 0.9, weight: 0.3),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int) -> DetectorOutput {
        let orders = export.orders
        let accountCount = export.dictionaries.accounts.count
        let minimumOrders = Int(config["fake_orders.min_orders"])
        let shops = EntityGroups(keys: orders.shop, entityCount: accountCount)
        let buyers = EntityGroups(keys: orders.buyer, entityCount: accountCount)

        let shared = sharedIdentityRows(orders, shops: shops, config: config, threads: threads)
        let fast = fastConfirmedRows(orders, seconds: Int64(config["fake_orders.fast_confirm_seconds"]))
        let young = newAccountRows(export, days: Int64(config["fake_orders.young_account_days"]))

        var columns = [
            column("shop_shared_identity_share", config, RowKernels.share(groups: shops, minimumRows: minimumOrders) { shared[$0] },
                   samples: shops, flagged: shared, export: export),
            column("shop_fast_confirm_share", config, RowKernels.share(groups: shops, minimumRows: minimumOrders) { fast[$0] },
                   samples: shops, flagged: fast, export: export),
            column("buyer_fast_confirm_share", config, RowKernels.share(groups: buyers, minimumRows: 2) { fast[$0] },
                   samples: buyers, flagged: fast, export: export),
            column("buyer_shared_identity", config, buyerSharedIdentity(export, buyers: buyers, threads: threads),
                   samples: nil, flagged: [], export: export),
            column("buyer_shop_concentration", config, shopConcentration(orders, buyers: buyers, minimumOrders: 3),
                   samples: nil, flagged: [], export: export),
        ]
        if let young {
            columns.append(
                column("shop_new_account_share", config, RowKernels.share(groups: shops, minimumRows: minimumOrders) { young[$0] },
                       samples: shops, flagged: young, export: export))
        }
        return DetectorOutput(signals: columns)
    }

    /// A signal column whose samples are the flagged orders of each firing entity.
    private func column(
        _ name: String, _ config: DetectionConfig, _ values: [Double], samples groups: EntityGroups?,
        flagged: [Bool], export: Export
    ) -> SignalColumn {
        let definition = signal(name, config)
        var samples: [UInt32: [EvidenceSample]] = [:]
        if let groups {
            for entity in values.indices where values[entity] >= definition.threshold {
                samples[UInt32(entity)] = groups.rows(of: entity).lazy.filter { flagged[Int($0)] }
                    .prefix(SignalColumn.sampleLimit).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
            }
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }

    /// Orders whose device, ip, payment account or address is used by enough distinct
    /// buyers of the same shop.
    func sharedIdentityRows(_ orders: OrdersTable, shops: EntityGroups, config: DetectionConfig, threads: Int) -> [Bool] {
        let identities: [([UInt32], Double)] = [
            (orders.device, config["fake_orders.shared_device_buyers"]),
            (orders.ip, config["fake_orders.shared_ip_buyers"]),
            (orders.payment, config["fake_orders.shared_payment_buyers"]),
            (orders.shipTo, config["fake_orders.shared_address_buyers"]),
        ]
        var flagged = [Bool](repeating: false, count: orders.count)
        for (identity, minimumBuyers) in identities {
            let counts = RowKernels.distinctMembersSharingIdentity(
                groups: shops, identity: identity, member: orders.buyer, threads: threads)
            for row in counts.indices where Double(counts[row]) >= minimumBuyers { flagged[row] = true }
        }
        return flagged
    }

    /// Orders confirmed within `seconds` of payment (of creation when payment time is
    /// unknown).
    func fastConfirmedRows(_ orders: OrdersTable, seconds: Int64) -> [Bool] {
        (0..<orders.count).map { row in
            let confirmed = orders.confirmedAt[row]
            guard confirmed != Missing.time else { return false }
            let paid = orders.paidAt[row] != Missing.time ? orders.paidAt[row] : orders.createdAt[row]
            return confirmed - paid < seconds
        }
    }

    /// Orders placed by accounts registered less than `days` before; nil when the
    /// export has no registration times.
    func newAccountRows(_ export: Export, days: Int64) -> [Bool]? {
        var registered = [Int64](repeating: Missing.time, count: export.dictionaries.accounts.count)
        var known = false
        for row in 0..<export.accounts.count where export.accounts.registeredAt[row] != Missing.time {
            registered[Int(export.accounts.account[row])] = export.accounts.registeredAt[row]
            known = true
        }
        guard known else { return nil }
        let orders = export.orders
        return (0..<orders.count).map { row in
            let since = registered[Int(orders.buyer[row])]
            return since != Missing.time && orders.createdAt[row] - since < days * 86_400
        }
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
