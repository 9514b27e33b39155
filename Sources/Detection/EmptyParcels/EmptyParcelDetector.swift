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
            Parameter("empty_parcels.light_ratio", 0.5, "a parcel under this share of its item's upper-quartile weight (and weight per amount) is too light ..."),
            Parameter("empty_parcels.light_deviations", 4, "... when it is also more than this many scaled one-sided MADs (spread above the upper quartile) below it"),
            Parameter("empty_parcels.item_min_parcels", 5, "fewest weighed waybills of an item for its own weight baseline (else its shop's, else the export's)"),
            Parameter("empty_parcels.min_tells", 2, "tells a waybill needs to look empty (a reused tracking number or a pickup before payment suffices alone)"),
            Parameter("empty_parcels.copied_trace_scans", 3, "fewest created, pickup, transit and signed scans two waybills of different buyers must share (times counted back from signing, and transit places) to be a copied tracking history"),
            Parameter("empty_parcels.min_waybills", 5, "fewest waybills of a shop or outlet for its shares to be measured"),
            Parameter("empty_parcels.concentration_shops", 3, "the outlet's top shops whose share of its empty-looking waybills is its concentration"),
            Parameter("empty_parcels.counter_share", 0.8, "a shop's waybills from one outlet signed where they were issued, at least this share of them (and min_waybills), ..."),
            Parameter("empty_parcels.counter_other_share", 0.5, "... while fewer than this share of its other waybills (at least min_waybills) are: its buyers cannot all collect at the sender's counter"),
            Parameter("empty_parcels.origin_client_waybills", 3, "fewest waybills of a shop at an outlet for the shop to count as the outlet's client (ParcelOrigins)"),
            Parameter("empty_parcels.origin_min_clients", 3, "an outlet has a remote clientele with at least this many client shops whose other parcels mostly start in another area than its own ..."),
            Parameter("empty_parcels.origin_remote_share", 0.5, "... making up at least this share of its clients"),
            Parameter("empty_parcels.origin_link_buyers", 5, "two transit hubs are one area (a city's hubs of different carriers) when at least this many buyers receive parcels through both last ..."),
            Parameter("empty_parcels.origin_link_share", 0.2, "... and at least this share of the buyers of the less used one"),
            Parameter("empty_parcels.foreign_hub_correlation", 0.005, "how much the share of waybills whose first sorting hub is another area's varies between honest (outlet, shop) pairs (beta-binomial intra-class correlation: lost hub scans and neighbouring cities' hubs differ by place)"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_counter_signed_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders signed at the outlet counter that issued them, where nearly all its parcels from that outlet are while its others travel; a parcel with nothing inside goes nowhere",
                threshold: 0.03, saturation: 0.1, weight: 0.75),
            SignalDefinition(
                name: "shop_empty_waybill_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders on waybills that look empty (a tracking history copied from another buyer's parcel, a reused number, a pickup before payment, or several physical tells: too light for the item, no movement, no time in transit)",
                threshold: 0.08, saturation: 0.3, weight: 0.7),
            SignalDefinition(
                name: "shop_reused_tracking_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders on a tracking number that also ships other orders; a real parcel has its own number",
                threshold: 0.005, saturation: 0.015, weight: 0.75),
            SignalDefinition(
                name: "shop_conclusive_empty_waybills", entityKind: .shop, category: .emptyParcels,
                description: "the shop's shipped orders on waybills with a tell no genuine parcel shows (a copied tracking history, a reused number, a pickup before payment), however many real parcels it also ships; the copied original is not counted",
                threshold: 1, saturation: 3, weight: 0.9),
            SignalDefinition(
                name: "shop_remote_origin_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders whose parcel starts (created or pickup scan) in another area than most of its other parcels, at an outlet whose clients are mostly shops based elsewhere; a bought waybill starts where the shop's goods are not",
                threshold: 0.04, saturation: 0.2, weight: 0.75),
            SignalDefinition(
                name: "shop_foreign_hub_surprise", entityKind: .shop, category: .emptyParcels,
                description: "-log10 of the chance that as many of the shop's waybills from one outlet begin their route at another area's sorting hub (beta-binomial at the export's share); a bought waybill's transit scans are copied or faked from elsewhere, a real parcel goes to its own city's hub first",
                threshold: 3, saturation: 10, weight: 0.75),
            SignalDefinition(
                name: "shop_weightless_share", entityKind: .shop, category: .emptyParcels,
                description: "share of the shop's shipped orders whose parcel declares far less weight than its item's parcels weigh",
                threshold: 0.1, saturation: 0.35, weight: 0.35),
            SignalDefinition(
                name: "shop_orders_on_empty_parcels", entityKind: .shop, category: .fakeOrders,
                description: "share of the shop's shipped orders on bought waybills (looking empty, starting at a waybill seller away from the shop's goods, or first reaching another area's hub where both the shop's and the outlet's foreign-hub surprise fire); an empty parcel exists to make a fake order look shipped",
                threshold: 0.02, saturation: 0.1, weight: 0.6),
            SignalDefinition(
                name: "buyer_orders_on_empty_parcels", entityKind: .buyer, category: .fakeOrders,
                description: "share of the buyer's shipped orders on bought waybills (looking empty, starting at a waybill seller away from the shop's goods, or first reaching another area's hub where both the shop's and the outlet's foreign-hub surprise fire); only a fake order's buyer signs for an empty parcel",
                threshold: 0.3, saturation: 0.8, weight: 0.45),
            SignalDefinition(
                name: "buyer_returns_on_empty_parcels", entityKind: .buyer, category: .fakeOrders,
                description: "-log10 of the chance that as many of the buyer's shipped orders at one shop (two or more) are on bought waybills, at the share of the shop's other shipped orders; a customer's parcels travel like the shop's other customers', an account the shop brushes with gets an empty parcel each time it comes back, whatever it buys elsewhere",
                threshold: 1, saturation: 3, weight: 0.5),
            SignalDefinition(
                name: "courier_empty_waybill_share", entityKind: .courier, category: .emptyParcels,
                description: "share of the outlet's waybills that look empty; an outlet selling waybills issues many for parcels that never move",
                threshold: 0.05, saturation: 0.3, weight: 0.7),
            SignalDefinition(
                name: "courier_counter_signed_share", entityKind: .courier, category: .emptyParcels,
                description: "share of the outlet's waybills signed at its own counter for a shop whose parcels from it nearly all are, while that shop's other parcels travel",
                threshold: 0.02, saturation: 0.1, weight: 0.75),
            SignalDefinition(
                name: "courier_remote_clients", entityKind: .courier, category: .emptyParcels,
                description: "client shops of the outlet whose other parcels mostly start in another area than the outlet's, counted when they are at least empty_parcels.origin_min_clients and empty_parcels.origin_remote_share of its clients; an outlet selling waybills online serves shops whose goods are elsewhere, an honest one the shops of its area",
                threshold: 3, saturation: 6, weight: 0.75),
            SignalDefinition(
                name: "courier_foreign_hub_surprise", entityKind: .courier, category: .emptyParcels,
                description: "-log10 of the chance that as many of the waybills the outlet issued to one client shop begin their route at another area's sorting hub (beta-binomial at the export's share); waybills sold for empty parcels carry transit scans copied or faked from elsewhere",
                threshold: 3, saturation: 10, weight: 0.75),
            SignalDefinition(
                name: "courier_reused_tracking_share", entityKind: .courier, category: .emptyParcels,
                description: "share of the outlet's waybills whose tracking number ships several orders",
                threshold: 0.002, saturation: 0.01, weight: 0.75),
            SignalDefinition(
                name: "courier_client_empty_waybills", entityKind: .courier, category: .emptyParcels,
                description: "waybills of the outlet with a tell no genuine parcel shows (a copied tracking history, a reused number, a pickup before payment) that ship orders of shops whose own share of empty-looking waybills fires shop_empty_waybill_share; an outlet selling waybills to a brushing client issues them however many honest parcels it also carries, an honest outlet none",
                threshold: 1, saturation: 3, weight: 0.9),
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
        let accountCount = export.dictionaries.accounts.count, outletCount = export.dictionaries.couriers.count
        let exportEnd = logistics.at.max() ?? 0
        var traced = WaybillTrajectory.traceAll(
            logistics, paidAt: orders.paidAt, waybillCount: waybillNames.count,
            rules: TrajectoryRules(
                minimumHopSeconds: Int64(config["empty_parcels.minimum_hop_seconds"]),
                stalledBefore: exportEnd - Int64(config["empty_parcels.stalled_days"] * 86_400)),
            threads: threads)
        let trajectories = traced.trajectories
        // One pass over the trajectories (about 70 MB at 10M scans) for each waybill's
        // shop, buyer and outlet, written in place (appending checked each array's
        // uniqueness at every waybill), into fresh storage on huge pages (9 MB each at 10M
        // scans: 2,200 faults of 4 KB apiece otherwise).
        let absent = IdDictionary.absent
        var buyerOfWaybill: [UInt32] = [], outletOf: [UInt32] = []
        let shopOfWaybill = [UInt32](unsafeUninitializedCapacity: trajectories.count) { shopOf, shopsWritten in
            buyerOfWaybill = [UInt32](unsafeUninitializedCapacity: trajectories.count) { buyerOf, buyersWritten in
                outletOf = [UInt32](unsafeUninitializedCapacity: trajectories.count) { outletOf, outletsWritten in
                    HugePages.advise(shopOf)
                    HugePages.advise(buyerOf)
                    HugePages.advise(outletOf)
                    for (waybill, trajectory) in trajectories.enumerated() {
                        let order = Int(trajectory.order)
                        shopOf[waybill] = order < orders.shop.count ? orders.shop[order] : absent
                        buyerOf[waybill] = order < orders.buyer.count ? orders.buyer[order] : absent
                        outletOf[waybill] = trajectory.courier
                    }
                    outletsWritten = trajectories.count
                }
                buyersWritten = trajectories.count
            }
            shopsWritten = trajectories.count
        }
        // Copied traces before the weight baseline: the signatures' memory is then released
        // when the baseline lays its values out, which reuses those pages (at 10M scans,
        // clearing fresh pages for it was a tenth of a run written waybill by waybill).
        let copies = CopiedTraces.copies(
            signatures: traced.signatures, buyerOfWaybill: buyerOfWaybill, shopOfWaybill: shopOfWaybill,
            shopCount: accountCount, minimumScans: Int(config["empty_parcels.copied_trace_scans"]))
        traced.signatures = []
        let underweight = ParcelWeightBaseline.underweight(
            trajectories, orders: orders, itemCount: export.dictionaries.items.count, shopCount: accountCount,
            rules: .init(
                minimumParcels: Int(config["empty_parcels.item_min_parcels"]), ratio: config["empty_parcels.light_ratio"],
                deviations: config["empty_parcels.light_deviations"]),
            threads: threads)
        let fastSeconds = Int64(config["empty_parcels.fast_seconds"])
        let minimumWaybills = Int(config["empty_parcels.min_waybills"])
        precondition(underweight.count == trajectories.count)
        var tells = [ParcelTells](unsafeUninitializedCapacity: trajectories.count) { tells, written in
            trajectories.withUnsafeBufferPointer { trajectories in
                underweight.withUnsafeBufferPointer { underweight in
                    for waybill in trajectories.indices {
                        tells[waybill] = ParcelTells(trajectories[waybill], underweight: underweight[waybill], fastSeconds: fastSeconds)
                    }
                }
            }
            written = trajectories.count
        }
        for waybill in copies { tells[waybill].insert(.copiedTrace) }
        CombinedShipments.clearReusedNumber(
            &tells, trajectories: trajectories, furtherOrders: traced.furtherOrders, orders: orders)
        IssuingCounters.markSignedAtCounter(
            &tells, trajectories: trajectories, shopOfWaybill: shopOfWaybill, shopCount: accountCount,
            outletCount: outletCount, minimumWaybills: minimumWaybills,
            share: config["empty_parcels.counter_share"], otherShare: config["empty_parcels.counter_other_share"])
        let origins = ParcelOrigins(
            starts: traced.starts, shopOfWaybill: shopOfWaybill, buyerOfWaybill: buyerOfWaybill, outletOf: outletOf,
            shopCount: accountCount, outletCount: outletCount, buyerCount: accountCount,
            placeCount: export.dictionaries.locations.count,
            rules: .init(
                minimumWaybills: minimumWaybills, clientWaybills: Int(config["empty_parcels.origin_client_waybills"]),
                minimumClients: Int(config["empty_parcels.origin_min_clients"]),
                remoteShare: config["empty_parcels.origin_remote_share"],
                linkBuyers: Int(config["empty_parcels.origin_link_buyers"]), linkShare: config["empty_parcels.origin_link_share"],
                foreignHubCorrelation: config["empty_parcels.foreign_hub_correlation"]))
        traced.starts = []
        // One pass over the waybills for what each counts towards in the shares below.
        let marks = Self.marks(
            tells, minimumTells: Int(config["empty_parcels.min_tells"]), origins: origins,
            shopOfWaybill: shopOfWaybill, outletOf: outletOf,
            shopForeign: config["signals.shop_foreign_hub_surprise.threshold"],
            outletForeign: config["signals.courier_foreign_hub_surprise.threshold"])

        // Shops and buyers: each shipped order counts once, on the highest-numbered
        // waybill that ships it.
        let orderCount = min(orders.count, orders.shop.count, orders.buyer.count)
        var shipping = [UInt32](repeating: IdDictionary.absent, count: orderCount)
        shipping.withUnsafeMutableBufferPointer { shipping in
            for (waybill, trajectory) in trajectories.enumerated() where Int(trajectory.order) < orderCount {
                shipping[Int(trajectory.order)] = UInt32(waybill)
            }
        }
        for (order, waybill) in traced.furtherOrders where Int(order) < orderCount {
            if shipping[Int(order)] == IdDictionary.absent || waybill > shipping[Int(order)] { shipping[Int(order)] = waybill }
        }
        let shipment = shipping
        let shopOfOrder = Self.shipped(orders.shop, shipment: shipment)
        let buyerOfOrder = Self.shipped(orders.buyer, shipment: shipment)
        let byShop = MarkCounts(entityOf: shopOfOrder, waybillOf: shipment, entityCount: accountCount, marks: marks)
        let byBuyer = MarkCounts(entityOf: buyerOfOrder, waybillOf: shipment, entityCount: accountCount, marks: marks)
        let byOutlet = MarkCounts(entityOf: outletOf, waybillOf: nil, entityCount: outletCount, marks: marks)

        func shopColumn(_ name: String, _ hits: [UInt32], _ flagged: (Int) -> Bool) -> SignalColumn {
            column(
                name, config, MarkCounts.shares(hits, of: byShop.total, minimumRows: minimumWaybills), entityOf: shopOfOrder,
                flagged: flagged, waybillOf: { shipment[$0] }, names: waybillNames)
        }
        func outletColumn(_ name: String, _ values: [Double], _ flagged: (Int) -> Bool) -> SignalColumn {
            column(name, config, values, entityOf: outletOf, flagged: flagged, waybillOf: { UInt32($0) }, names: waybillNames)
        }
        func outletShares(_ hits: [UInt32]) -> [Double] {
            MarkCounts.shares(hits, of: byOutlet.total, minimumRows: minimumWaybills)
        }
        let onEmpty: (Int) -> Bool = { marks[Int(shipment[$0])].contains(.empty) }
        let onBought: (Int) -> Bool = { marks[Int(shipment[$0])].contains(.bought) }
        let clientShare = config["signals.shop_empty_waybill_share.threshold"]
        let clientShop = MarkCounts.shares(byShop.empty, of: byShop.total, minimumRows: minimumWaybills).map { $0 >= clientShare }
        let clientWaybill = Self.conclusiveForClients(
            tells, shopOfWaybill: shopOfWaybill, clientShop: clientShop, firstHubs: origins.firstHubs)
        let concentration = Self.shopConcentration(
            outletOf: outletOf, outletCount: outletCount, marks: marks, shopOfWaybill: shopOfWaybill,
            topShops: Int(config["empty_parcels.concentration_shops"]), minimumEmpty: minimumWaybills)

        return DetectorOutput(signals: [
            shopColumn("shop_counter_signed_share", byShop.signedAtCounter) { tells[Int(shipment[$0])].contains(.signedAtCounter) },
            shopColumn("shop_empty_waybill_share", byShop.empty, onEmpty),
            shopColumn("shop_reused_tracking_share", byShop.reusedNumber) { tells[Int(shipment[$0])].contains(.reusedNumber) },
            column(
                "shop_conclusive_empty_waybills", config, byShop.conclusive.map(Double.init), entityOf: shopOfOrder,
                flagged: { !tells[Int(shipment[$0])].isDisjoint(with: .conclusive) }, waybillOf: { shipment[$0] }, names: waybillNames),
            shopColumn("shop_remote_origin_share", byShop.remoteStart) { marks[Int(shipment[$0])].contains(.remoteStart) },
            column(
                "shop_foreign_hub_surprise", config, origins.foreignHubs.shopSurprise, entityOf: shopOfOrder,
                flagged: { origins.firstHubs[Int(shipment[$0])] == .otherArea }, waybillOf: { shipment[$0] }, names: waybillNames),
            shopColumn("shop_weightless_share", byShop.weightless) { tells[Int(shipment[$0])].contains(.weightless) },
            shopColumn("shop_orders_on_empty_parcels", byShop.bought, onBought),
            column(
                "buyer_orders_on_empty_parcels", config, MarkCounts.shares(byBuyer.bought, of: byBuyer.total, minimumRows: 1),
                entityOf: buyerOfOrder, flagged: onBought, waybillOf: { shipment[$0] }, names: waybillNames),
            column(
                "buyer_returns_on_empty_parcels", config,
                ReturningBuyers.surprise(
                    buyerOfOrder: buyerOfOrder, shopOfOrder: shopOfOrder, waybillOfOrder: shipment, marks: marks,
                    shopShipped: byShop.total, shopBought: byShop.bought, buyerShipped: byBuyer.total),
                entityOf: buyerOfOrder, flagged: onBought, waybillOf: { shipment[$0] }, names: waybillNames),
            outletColumn("courier_empty_waybill_share", outletShares(byOutlet.empty)) { marks[$0].contains(.empty) },
            outletColumn("courier_counter_signed_share", outletShares(byOutlet.signedAtCounter)) { tells[$0].contains(.signedAtCounter) },
            outletColumn("courier_remote_clients", origins.remoteClients) { origins.remoteStart[$0] },
            outletColumn("courier_foreign_hub_surprise", origins.foreignHubs.outletSurprise) { origins.firstHubs[$0] == .otherArea },
            outletColumn("courier_reused_tracking_share", outletShares(byOutlet.reusedNumber)) { tells[$0].contains(.reusedNumber) },
            outletColumn(
                "courier_client_empty_waybills",
                MarkCounts.marked(clientWaybill, entityOf: outletOf, waybillOf: nil, entityCount: outletCount).map(Double.init)
            ) { clientWaybill[$0] },
            outletColumn("courier_empty_shop_concentration", concentration) { marks[$0].contains(.empty) },
        ])
    }

    /// A signal column whose samples are the tracking numbers behind each firing entity:
    /// the first `SignalColumn.sampleLimit` distinct ones of its flagged rows, in row
    /// order (orders shipped together, or on a copied tracking number, share one and are
    /// named once). Nothing is walked when no entity fires; otherwise one pass keeps, per
    /// firing entity, its waybills so far as a chain through the kept list (a repeat is
    /// found by walking at most `sampleLimit` links), and names are looked up and sample
    /// lists built, each at its final size, for the kept waybills only: when most
    /// entities fire (small shops), per-sample hashing and list growth cost more than the
    /// detector.
    private func column(
        _ name: String, _ config: DetectionConfig, _ values: [Double], entityOf: [UInt32], flagged: (Int) -> Bool, waybillOf: (Int) -> UInt32, names: IdDictionary
    ) -> SignalColumn {
        let definition = signal(name, config)
        let firing = values.map { $0 >= definition.threshold }
        let firingCount = firing.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard firingCount > 0 else { return SignalColumn(definition: definition, values: values, samples: [:]) }
        let none = UInt32.max
        // Per entity its kept count and its latest kept waybill's place in `kept`; per
        // kept waybill the place of the entity's one before it.
        var found = [UInt8](repeating: 0, count: values.count)
        var latest = [UInt32](repeating: none, count: values.count)
        var kept: [UInt32] = [], earlier: [UInt32] = []
        for row in entityOf.indices {
            let entity = Int(entityOf[row])
            guard entity < firing.count, firing[entity], Int(found[entity]) < SignalColumn.sampleLimit, flagged(row) else { continue }
            let waybill = waybillOf(row)
            var link = latest[entity]
            while link != none && kept[Int(link)] != waybill { link = earlier[Int(link)] }
            guard link == none else { continue }
            found[entity] += 1
            earlier.append(latest[entity])
            latest[entity] = UInt32(kept.count)
            kept.append(waybill)
        }
        var samples: [UInt32: [EvidenceSample]] = [:]
        samples.reserveCapacity(firingCount)
        for entity in firing.indices where firing[entity] {
            var waybills = [UInt32](repeating: 0, count: Int(found[entity]))
            var link = latest[entity]
            for slot in waybills.indices.reversed() {
                waybills[slot] = kept[Int(link)]
                link = earlier[Int(link)]
            }
            samples[UInt32(entity)] = waybills.map { EvidenceSample(.waybill, names.string($0)) }
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }

    /// Per waybill, whether it shows a conclusive tell and ships an order of a shop that
    /// `clientShop` marks (a shop whose own waybills look empty): the waybills an outlet
    /// sold to a brushing client. The copied original is not among them
    /// (`CopiedTraces`), so an honest outlet whose parcel was copied is not blamed. When
    /// the copied original's shop is itself a client, its shop no longer tells it from the
    /// copies, but its route does: a copy issued at a selling outlet carries the hubs of a
    /// parcel that started elsewhere, the original begins at its own area's hub
    /// (`firstHubs`). A waybill whose only conclusive tell is a copied trace that begins
    /// at its own area's hub is not counted (a copy issued in the original's own city is
    /// lost with it).
    static func conclusiveForClients(
        _ tells: [ParcelTells], shopOfWaybill: [UInt32], clientShop: [Bool], firstHubs: [ParcelOrigins.FirstHub]
    ) -> [Bool] {
        precondition(shopOfWaybill.count >= tells.count && firstHubs.count >= tells.count, "a shop and first hub per waybill")
        return [Bool](unsafeUninitializedCapacity: tells.count) { marked, written in
            tells.withUnsafeBufferPointer { tells in
                shopOfWaybill.withUnsafeBufferPointer { shopOfWaybill in
                    firstHubs.withUnsafeBufferPointer { firstHubs in
                        clientShop.withUnsafeBufferPointer { clientShop in
                            for waybill in tells.indices {
                                let tells = tells[waybill], shop = Int(shopOfWaybill[waybill])
                                let original = tells.intersection(.conclusive) == .copiedTrace && firstHubs[waybill] == .ownArea
                                marked[waybill] = !tells.isDisjoint(with: .conclusive) && !original && shop < clientShop.count && clientShop[shop]
                            }
                        }
                    }
                }
            }
            written = tells.count
        }
    }

    /// Per order of `shipment` (the waybill shipping it, or absent), its entity in
    /// `entityOf` (at least as long) when a waybill ships it, else absent; written into
    /// fresh storage on huge pages (one per order: 9 MB at 10M scans).
    static func shipped(_ entityOf: Column<UInt32>, shipment: [UInt32]) -> [UInt32] {
        precondition(entityOf.count >= shipment.count)
        return [UInt32](unsafeUninitializedCapacity: shipment.count) { shipped, written in
            HugePages.advise(shipped)
            entityOf.withUnsafeBufferPointer { entityOf in
                shipment.withUnsafeBufferPointer { shipment in
                    for order in shipment.indices {
                        shipped[order] = shipment[order] == IdDictionary.absent ? IdDictionary.absent : entityOf[order]
                    }
                }
            }
            written = shipment.count
        }
    }

    /// Per waybill what it counts towards (`WaybillMarks`): its tells, whether it looks
    /// empty (`minimumTells`), whether it starts remote, and whether it is bought. A fake
    /// order's waybill is bought: it looks empty, or, copied from a real parcel and weighed
    /// like one, it still starts at a waybill seller away from its shop's goods, or begins
    /// its route at another area's hub where its shop's foreign-hub surprise reaches
    /// `shopForeign` and its outlet's `outletForeign` (the seller and its client both have
    /// more such waybills than chance gives).
    static func marks(
        _ tells: [ParcelTells], minimumTells: Int, origins: ParcelOrigins, shopOfWaybill: [UInt32], outletOf: [UInt32],
        shopForeign: Double, outletForeign: Double
    ) -> [WaybillMarks] {
        let shopHubs = origins.foreignHubs.shopSurprise, outletHubs = origins.foreignHubs.outletSurprise
        return tells.indices.map { waybill in
            let empty = tells[waybill].looksEmpty(minimumTells: minimumTells), remote = origins.remoteStart[waybill]
            let shop = Int(shopOfWaybill[waybill]), outlet = Int(outletOf[waybill])
            let bought = empty || remote
                || (origins.firstHubs[waybill] == .otherArea && shop < shopHubs.count && outlet < outletHubs.count
                    && shopHubs[shop] >= shopForeign && outletHubs[outlet] >= outletForeign)
            return WaybillMarks(tells[waybill], empty: empty, bought: bought, remoteStart: remote)
        }
    }

    /// Per outlet with at least `minimumEmpty` empty-looking waybills, the share of them
    /// shipping orders of its `topShops` shops with the most; `.nan` for the others.
    static func shopConcentration(
        outletOf: [UInt32], outletCount: Int, marks: [WaybillMarks], shopOfWaybill: [UInt32], topShops: Int, minimumEmpty: Int
    ) -> [Double] {
        var keys: [UInt64] = []
        for waybill in outletOf.indices where marks[waybill].contains(.empty) && Int(outletOf[waybill]) < outletCount {
            keys.append(UInt64(outletOf[waybill]) << 32 | UInt64(shopOfWaybill[waybill]))
        }
        keys.sort()
        var values = [Double](repeating: .nan, count: outletCount)
        var runs: [Int] = []
        var start = 0
        while start < keys.count {
            let outlet = keys[start] >> 32
            var end = start
            runs.removeAll(keepingCapacity: true)
            while end < keys.count && keys[end] >> 32 == outlet {
                let shop = keys[end]
                let runStart = end
                while end < keys.count && keys[end] == shop { end += 1 }
                runs.append(end - runStart)
            }
            if end - start >= max(1, minimumEmpty) {
                runs.sort(by: >)
                values[Int(outlet)] = Double(runs.prefix(topShops).reduce(0, +)) / Double(end - start)
            }
            start = end
        }
        return values
    }
}
