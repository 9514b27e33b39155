import Columnar

/// Empty-parcel shipments and the courier outlets that sell them. A shop that fakes
/// orders needs them to look shipped, so it buys waybills from a complicit outlet for
/// parcels with nothing inside. Each waybill's scans are traced in time order
/// (`WaybillTrajectory`), turned into physical tells (`ParcelTells`) against the
/// weight its item's parcels normally have (`ParcelWeightBaseline`), and a waybill that
/// looks empty counts against both the shop whose order it ships and the outlet that
/// issued it.
public struct EmptyParcelDetector: Detector {
    public init() {}

    public var name: String { "empty parcels" }

    public var parameters: [Parameter] {
        [
            Parameter("empty_parcels.minimum_hop_seconds", 600, "scans at two different locations closer in time than this are impossible movement (codes only: any two codes count as apart)"),
            Parameter("empty_parcels.stalled_days", 10, "a waybill with no signed or returned scan and no scan in this many days before the export's end never arrived"),
            Parameter("empty_parcels.fast_seconds", 10_800, "signed this soon after the waybill was created or picked up is faster than a parcel travels"),
            Parameter("empty_parcels.light_ratio", 0.5, "a parcel under this share of its item's median weight (and weight per amount) is too light ..."),
            Parameter("empty_parcels.light_deviations", 4, "... when it is also more than this many scaled MADs below it"),
            Parameter("empty_parcels.item_min_parcels", 5, "fewest weighed waybills of an item for its own weight baseline (else its shop's, else the export's)"),
            Parameter("empty_parcels.min_tells", 2, "tells a waybill needs to look empty (a reused tracking number or a pickup before payment suffices alone)"),
            Parameter("empty_parcels.min_waybills", 5, "fewest waybills of a shop or outlet for its shares to be measured"),
            Parameter("empty_parcels.concentration_shops", 3, "the outlet's top shops whose share of its empty-looking waybills is its concentration"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_empty_waybill_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders on waybills that look empty (several physical tells: no weight for the item, no movement, no time in transit)",
                threshold: 0.08, saturation: 0.3, weight: 0.7),
            SignalDefinition(
                name: "shop_reused_tracking_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders on a tracking number that also ships other orders; a real parcel has its own number",
                threshold: 0.005, saturation: 0.015, weight: 0.75),
            SignalDefinition(
                name: "shop_weightless_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders whose parcel declares no weight or far less than its item's parcels weigh",
                threshold: 0.1, saturation: 0.35, weight: 0.35),
            SignalDefinition(
                name: "shop_orders_on_empty_parcels", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's shipped orders on waybills that look empty; an empty parcel exists to make a fake order look shipped",
                threshold: 0.02, saturation: 0.1, weight: 0.6),
            SignalDefinition(
                name: "buyer_orders_on_empty_parcels", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's shipped orders on waybills that look empty; only a fake order's buyer signs for an empty parcel",
                threshold: 0.3, saturation: 0.8, weight: 0.45),
            SignalDefinition(
                name: "courier_empty_waybill_share", entityKind: .courier, category: .emptyParcels,
                description: "share of the outlet's waybills that look empty; an outlet selling waybills issues many for parcels that never move",
                threshold: 0.05, saturation: 0.3, weight: 0.7),
            SignalDefinition(
                name: "courier_reused_tracking_share", entityKind: .courier, category: .emptyParcels,
                description: "share of the outlet's waybills whose tracking number ships several orders",
                threshold: 0.002, saturation: 0.01, weight: 0.75),
            SignalDefinition(
                name: "courier_empty_shop_concentration", entityKind: .courier, category: .emptyParcels,
                description: "share of the outlet's empty-looking waybills that go to its few top shops; waybills sold to brushing clients serve a handful of shops",
                threshold: 0.8, saturation: 1, weight: 0.3),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int) -> DetectorOutput {
        let logistics = export.logistics
        let orders = export.orders
        let waybillNames = export.dictionaries.waybills
        let exportEnd = logistics.at.max() ?? 0
        let waybills = EntityGroups(keys: logistics.waybill, entityCount: waybillNames.count, orderedBy: logistics.at)
        let trajectories = WaybillTrajectory.trace(
            logistics, paidAt: orders.paidAt, waybills: waybills,
            rules: TrajectoryRules(
                minimumHopSeconds: Int64(config["empty_parcels.minimum_hop_seconds"]),
                stalledBefore: exportEnd - Int64(config["empty_parcels.stalled_days"] * 86_400)),
            threads: threads)
        let baseline = ParcelWeightBaseline(
            trajectories: trajectories, orders: orders, itemCount: export.dictionaries.items.count,
            shopCount: export.dictionaries.accounts.count, minimumParcels: Int(config["empty_parcels.item_min_parcels"]),
            threads: threads)
        let underweight = baseline.underweight(
            trajectories, orders: orders, ratio: config["empty_parcels.light_ratio"],
            deviations: config["empty_parcels.light_deviations"])
        let fastSeconds = Int64(config["empty_parcels.fast_seconds"])
        let tells = zip(trajectories, underweight).map { ParcelTells($0, underweight: $1, fastSeconds: fastSeconds) }
        let minimumTells = Int(config["empty_parcels.min_tells"])
        let empty = tells.map { $0.looksEmpty(minimumTells: minimumTells) }
        let minimumWaybills = Int(config["empty_parcels.min_waybills"])

        // Shops: each shipped order counts once, on the waybill that ships it.
        var shipment = [UInt32](repeating: IdDictionary.absent, count: orders.count)
        var shipOf = shipment, buyerOf = shipment
        logistics.order.withUnsafeBufferPointer { order in
            logistics.waybill.withUnsafeBufferPointer { waybill in
                shipment.withUnsafeMutableBufferPointer { shipment in
                    for row in 0..<min(order.count, waybill.count) where Int(order[row]) < shipment.count {
                        shipment[Int(order[row])] = waybill[row]
                    }
                }
            }
        }
        // Shipped orders keyed by shop and by buyer (absent for unshipped ones).
        shipment.withUnsafeBufferPointer { shipment in
            orders.shop.withUnsafeBufferPointer { shop in
                orders.buyer.withUnsafeBufferPointer { buyer in
                    shipOf.withUnsafeMutableBufferPointer { shipOf in
                        buyerOf.withUnsafeMutableBufferPointer { buyerOf in
                            for order in 0..<min(shipment.count, shop.count, buyer.count) where shipment[order] != IdDictionary.absent {
                                shipOf[order] = shop[order]
                                buyerOf[order] = buyer[order]
                            }
                        }
                    }
                }
            }
        }
        let shops = EntityGroups(keys: shipOf, entityCount: export.dictionaries.accounts.count)
        func shopColumn(_ name: String, _ flagged: (ParcelTells, Bool) -> Bool) -> SignalColumn {
            let waybillFlagged = zip(tells, empty).map(flagged)
            let values = RowKernels.share(groups: shops, minimumRows: minimumWaybills) { waybillFlagged[Int(shipment[$0])] }
            return column(name, config, values, groups: shops, flagged: { waybillFlagged[Int(shipment[$0])] },
                          waybillOf: { shipment[$0] }, names: waybillNames)
        }

        let buyers = EntityGroups(keys: buyerOf, entityCount: export.dictionaries.accounts.count)
        func fakeOrderColumn(_ name: String, _ groups: EntityGroups, minimumRows: Int) -> SignalColumn {
            let onEmpty: (Int) -> Bool = { empty[Int(shipment[$0])] }
            return column(
                name, config, RowKernels.share(groups: groups, minimumRows: minimumRows, onEmpty), groups: groups,
                flagged: onEmpty, waybillOf: { shipment[$0] }, names: waybillNames)
        }

        // Outlets: each waybill counts once, for the outlet that issued it.
        let outlets = EntityGroups(keys: trajectories.map(\.courier), entityCount: export.dictionaries.couriers.count)
        func outletColumn(_ name: String, _ values: [Double], _ flagged: [Bool]) -> SignalColumn {
            column(name, config, values, groups: outlets, flagged: { flagged[$0] }, waybillOf: { UInt32($0) }, names: waybillNames)
        }
        let reused = tells.map { $0.contains(.reusedNumber) }
        let concentration = Self.shopConcentration(
            outlets: outlets, empty: empty, shopOfWaybill: trajectories.map { $0.order == IdDictionary.absent ? IdDictionary.absent : orders.shop[Int($0.order)] },
            topShops: Int(config["empty_parcels.concentration_shops"]), minimumEmpty: minimumWaybills)

        return DetectorOutput(signals: [
            shopColumn("shop_empty_waybill_share") { _, empty in empty },
            shopColumn("shop_reused_tracking_share") { tells, _ in tells.contains(.reusedNumber) },
            shopColumn("shop_weightless_share") { tells, _ in tells.contains(.weightless) },
            fakeOrderColumn("shop_orders_on_empty_parcels", shops, minimumRows: minimumWaybills),
            fakeOrderColumn("buyer_orders_on_empty_parcels", buyers, minimumRows: 1),
            outletColumn("courier_empty_waybill_share",
                         RowKernels.share(groups: outlets, minimumRows: minimumWaybills) { empty[$0] }, empty),
            outletColumn("courier_reused_tracking_share",
                         RowKernels.share(groups: outlets, minimumRows: minimumWaybills) { reused[$0] }, reused),
            outletColumn("courier_empty_shop_concentration", concentration, empty),
        ])
    }

    /// A signal column whose samples are the tracking numbers behind each firing entity.
    private func column(
        _ name: String, _ config: DetectionConfig, _ values: [Double], groups: EntityGroups, flagged: (Int) -> Bool,
        waybillOf: (Int) -> UInt32, names: IdDictionary
    ) -> SignalColumn {
        let definition = signal(name, config)
        var samples: [UInt32: [EvidenceSample]] = [:]
        for entity in values.indices where values[entity] >= definition.threshold {
            var found: [EvidenceSample] = []
            for row in groups.rows(of: entity) where flagged(Int(row)) && found.count < SignalColumn.sampleLimit {
                found.append(EvidenceSample(.waybill, names.string(waybillOf(Int(row)))))
            }
            samples[UInt32(entity)] = found
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }

    /// Per outlet with at least `minimumEmpty` empty-looking waybills, the share of them
    /// shipping orders of its `topShops` shops with the most; `.nan` for the others.
    static func shopConcentration(
        outlets: EntityGroups, empty: [Bool], shopOfWaybill: [UInt32], topShops: Int, minimumEmpty: Int
    ) -> [Double] {
        var shops: [UInt32] = []
        var runs: [Int] = []
        return (0..<outlets.entityCount).map { outlet in
            shops.removeAll(keepingCapacity: true)
            for waybill in outlets.rows(of: outlet) where empty[Int(waybill)] {
                shops.append(shopOfWaybill[Int(waybill)])
            }
            guard shops.count >= max(1, minimumEmpty) else { return .nan }
            shops.sort()
            runs.removeAll(keepingCapacity: true)
            var start = 0
            for index in 1...shops.count where index == shops.count || shops[index] != shops[start] {
                runs.append(index - start)
                start = index
            }
            runs.sort(by: >)
            return Double(runs.prefix(topShops).reduce(0, +)) / Double(shops.count)
        }
    }
}
