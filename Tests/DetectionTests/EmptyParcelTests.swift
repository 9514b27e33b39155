import Columnar
import Testing
import TestSupport

@testable import Detection

@Suite struct EmptyParcelTests {
    /// A small market: shop 0 ships documents (light, fast, same place) honestly, shop 1
    /// ships heavy goods honestly, shop 2 ships half its orders in empty parcels from
    /// outlet 1 (a few grams, signed at the counter within the hour, some numbers
    /// reused). The first `stray` empty parcels come from outlet 0 instead, picked up
    /// before payment, and so are the first `early` parcels of shop 1. The first
    /// `combined` pairs of shop 1's orders (one buyer, one address, the second placed
    /// before the first was packed) travel in one parcel. Scan rows are written in reverse
    /// time order.
    static func market(ordersPerShop: Int = 60, stray: Int = 0, early: Int = 0, combined: Int = 0) -> Export {
        var export = Export()
        for name in ["s0", "s1", "s2"] { _ = export.dictionaries.accounts.intern(name) }
        for name in ["doc", "kettle", "shirt"] { _ = export.dictionaries.items.intern(name) }
        for name in ["outlet-a", "outlet-b"] { _ = export.dictionaries.couriers.intern(name) }
        for name in ["counter-a", "hub", "counter-b", "door"] { _ = export.dictionaries.locations.intern(name) }
        var scans: [(waybill: UInt32, order: UInt32, courier: UInt32, event: ScanEvent, at: Int64, location: UInt32, grams: Int32)] = []
        var waybill: UInt32 = 0, lastEmpty: UInt32 = 0
        for shop in 0..<3 {
            for index in 0..<ordersPerShop {
                let order = UInt32(export.orders.count)
                _ = export.dictionaries.orders.intern("o\(order)")
                let paid = Int64(order) * 1000
                export.orders.buyer.append(0)
                export.orders.shop.append(UInt32(shop))
                export.orders.item.append(UInt32(shop))
                export.orders.amountCents.append([900, 5000, 4000][shop])
                export.orders.createdAt.append(paid - 60)
                export.orders.paidAt.append(paid)
                export.orders.confirmedAt.append(Missing.time)
                export.orders.status.append(OrderStatus.completed.rawValue)
                for column in [\OrdersTable.shipTo, \.device, \.ip, \.payment] { export.orders[keyPath: column].append(0) }
                let empty = shop == 2 && index % 2 == 0
                let reuse = empty && index % 6 == 0 && index > 0
                let combine = shop == 1 && index % 2 == 1 && index < 2 * combined
                if !reuse && !combine { waybill += 1 }
                let number = reuse ? lastEmpty : waybill
                if empty { lastEmpty = number }
                let strayed = empty && index < 2 * stray
                let courier: UInt32 = empty && !strayed ? 1 : 0
                let grams: Int32 = empty ? 8 : [70, 2000, 450][shop] + Int32(index % 7)
                if empty {
                    scans += [(number, order, courier, .created, paid + 600, 0, -1),
                              (number, order, courier, .pickup, paid + (strayed ? -900 : 900), 0, grams),
                              (number, order, courier, .signed, paid + 2400, 0, -1)]
                } else if shop == 0 {
                    // Same-city document: picked up, delivered at the door within hours, no hub.
                    scans += [(number, order, courier, .created, paid + 3600, 0, -1),
                              (number, order, courier, .pickup, paid + 7200, 0, grams),
                              (number, order, courier, .delivery, paid + 12_000, 3, -1),
                              (number, order, courier, .signed, paid + 12_600, 3, -1)]
                } else {
                    let sent = combine ? paid - 1000 : paid  // a combined order rides its pair's parcel
                    scans += [(number, order, courier, .created, sent + 3600, 0, -1),
                              (number, order, courier, .pickup, sent + (shop == 1 && index < early ? -600 : 7200), 0, grams),
                              (number, order, courier, .transit, sent + 30_000, 1, -1),
                              (number, order, courier, .delivery, sent + 80_000, 2, -1),
                              (number, order, courier, .signed, sent + 82_000, 3, -1)]
                }
            }
        }
        for number in 0...waybill { _ = export.dictionaries.waybills.intern("T\(number)") }
        for scan in scans.reversed() {
            export.logistics.waybill.append(scan.waybill)
            export.logistics.order.append(scan.order)
            export.logistics.courier.append(scan.courier)
            export.logistics.event.append(scan.event.rawValue)
            export.logistics.at.append(scan.at)
            export.logistics.location.append(scan.location)
            export.logistics.weightGrams.append(scan.grams)
        }
        return export
    }

    @Test func flagsTheEmptyParcelShopAndOutletOnly() {
        let export = Self.market()
        let detector = EmptyParcelDetector()
        let config = DetectionConfig(detectors: [detector])
        let output = detector.measure(export, config: config, threads: 1)
        let (scores, suspects) = Scorer.score(output.signals, export: export, config: config)
        let emptyParcels = suspects.filter { $0.category == .emptyParcels }
        let listed = Set(emptyParcels.map { "\($0.entityKind.rawValue):\($0.entityId)" })
        #expect(listed == ["shop:s2", "courier:outlet-b"])
        #expect(emptyParcels.allSatisfy { $0.proposedList == .blacklist })
        // An empty parcel ships a fake order: the shop is a fake-order suspect too.
        #expect(suspects.filter { $0.category == .fakeOrders }.map(\.entityId) == ["s2"])
        #expect(scores.allSatisfy { $0.entity == 2 || $0.kind == .courier })
        let evidence = suspects.first { $0.entityId == "s2" }!.evidence.first!
        #expect(evidence.samples.first?.kind == .waybill)
    }

    /// The detector's signals on `export` and the entities it puts on a list for
    /// empty parcels, as `kind:id`.
    static func listedForEmptyParcels(_ export: Export, threads: Int) -> (DetectorOutput, Set<String>) {
        let detector = EmptyParcelDetector()
        let config = DetectionConfig(detectors: [detector])
        let output = detector.measure(export, config: config, threads: threads)
        let (_, suspects) = Scorer.score(output.signals, export: export, config: config)
        return (output, Set(suspects.filter { $0.category == .emptyParcels }.map { "\($0.entityKind.rawValue):\($0.entityId)" }))
    }

    /// Two of the client's empty parcels from outlet 0, among its 150 honest parcels: too
    /// few for a share, but no genuine parcel is picked up before it is paid.
    @Test func anOutletSellingAFewWaybillsToAClient() {
        let export = Self.market(stray: 2)
        let (output, listed) = Self.listedForEmptyParcels(export, threads: 1)
        #expect(listed == ["shop:s2", "courier:outlet-a", "courier:outlet-b"])
        let clients = output.signals.first { $0.definition.name == "courier_client_empty_waybills" }!
        #expect(clients.values[0] == 2)
        let share = output.signals.first { $0.definition.name == "courier_empty_waybill_share" }!
        #expect(share.values[0] < share.definition.threshold)
    }

    /// Three of shop 1's 60 parcels picked up before they were paid: a share below every
    /// share signal's threshold, but no genuine parcel is shipped before it is sold.
    @Test func aShopWithAFewConclusivelyEmptyParcels() {
        let export = Self.market(early: 3)
        let (output, listed) = Self.listedForEmptyParcels(export, threads: 1)
        #expect(listed == ["shop:s1", "shop:s2", "courier:outlet-b"])
        let conclusive = output.signals.first { $0.definition.name == "shop_conclusive_empty_waybills" }!
        #expect(conclusive.values[0] == 0 && conclusive.values[1] == 3)
        let share = output.signals.first { $0.definition.name == "shop_empty_waybill_share" }!
        #expect(share.values[1] < share.definition.threshold)
    }

    /// Ten pairs of shop 1's orders combined in one parcel each: one buyer's orders from
    /// one shop to one address share a number honestly, so shop 1 stays out, while the
    /// client's resold numbers (later orders on an earlier parcel) still count.
    @Test func combinedShippingIsNoReusedNumber() {
        let export = Self.market(combined: 10)
        let (output, listed) = Self.listedForEmptyParcels(export, threads: 2)
        #expect(listed == ["shop:s2", "courier:outlet-b"])
        let reused = output.signals.first { $0.definition.name == "shop_reused_tracking_share" }!
        #expect(reused.values[1] == 0 && reused.values[2] > 0)
        let conclusive = output.signals.first { $0.definition.name == "shop_conclusive_empty_waybills" }!
        #expect(conclusive.values[1] == 0 && conclusive.values[2] > 0)
    }

    /// Shop 2's examples are its first `sampleLimit` distinct tracking numbers among its
    /// orders on empty-looking waybills, in order: every sixth of its orders ships on the
    /// number of the empty parcel before it, so its first 20 such orders name only 14.
    @Test func examplesAreTheFirstDistinctWaybills() {
        let export = Self.market()
        let (output, _) = Self.listedForEmptyParcels(export, threads: 1)
        let share = output.signals.first { $0.definition.name == "shop_empty_waybill_share" }!
        var waybillOf: [UInt32: UInt32] = [:]
        for row in 0..<export.logistics.count { waybillOf[export.logistics.order[row]] = export.logistics.waybill[row] }
        var expected: [String] = []
        for order in 0..<export.orders.count where export.orders.shop[order] == 2 && (order - 120) % 2 == 0 {
            let name = export.dictionaries.waybills.string(waybillOf[UInt32(order)]!)
            if !expected.contains(name) { expected.append(name) }
        }
        #expect(expected.count > SignalColumn.sampleLimit)
        #expect(share.samples[2]?.map(\.id) == Array(expected.prefix(SignalColumn.sampleLimit)))
        #expect(share.samples[2]?.allSatisfy { $0.kind == .waybill } == true)
    }

    /// A waybill counts against its outlet with a conclusive tell on a client shop's order.
    @Test func clientWaybillsNeedAConclusiveTellAndAClient() {
        let tells: [ParcelTells] = [.copiedTrace, .reusedNumber, [.weightless, .wentNowhere], .copiedTrace, .pickupBeforePayment, []]
        let shops: [UInt32] = [2, 2, 2, 0, IdDictionary.absent, 2]
        let marked = EmptyParcelDetector.conclusiveForClients(
            tells, shopOfWaybill: shops, clientShop: [false, false, true], firstHubs: Array(repeating: .unknown, count: 6))
        #expect(marked == [true, true, false, false, false, false])
        #expect(MarkCounts.marked(marked, entityOf: [0, 1, 0, 0, 1, IdDictionary.absent], waybillOf: nil, entityCount: 2) == [1, 1])
        // Rows shipping on waybills of their own (absent: none): waybill 0 ships two.
        let shipping: [UInt32] = [0, 0, 1, IdDictionary.absent, 4, 2]
        #expect(MarkCounts.marked(marked, entityOf: [1, 0, 0, 1, 0, 1], waybillOf: shipping, entityCount: 2) == [2, 1])
    }

    /// A copied trace beginning at its own area's hub is the original (a client's real
    /// parcel whose history was copied), not counted against its outlet; a copy beginning
    /// at another area's hub, or a copied trace with another conclusive tell, is.
    @Test func aCopiedTraceBeginningAtItsOwnHubIsTheOriginal() {
        let tells: [ParcelTells] = [.copiedTrace, .copiedTrace, .copiedTrace, [.copiedTrace, .reusedNumber]]
        let firstHubs: [ParcelOrigins.FirstHub] = [.ownArea, .otherArea, .unknown, .ownArea]
        let marked = EmptyParcelDetector.conclusiveForClients(
            tells, shopOfWaybill: [1, 1, 1, 1], clientShop: [false, true], firstHubs: firstHubs)
        #expect(marked == [false, true, true, true])
    }

    @Test func sameAnswerForAnyThreadCount() {
        let export = Self.market(ordersPerShop: 30_000)
        let detector = EmptyParcelDetector()
        let config = DetectionConfig(detectors: [detector])
        let one = detector.measure(export, config: config, threads: 1).signals
        let two = detector.measure(export, config: config, threads: 2).signals
        for (a, b) in zip(one, two) {
            #expect(a.values.elementsEqual(b.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(a.samples == b.samples)
        }
    }

    /// The verdicts of the weight baseline with the default rules: one shop, items of at
    /// least five weighed waybills have their own norm.
    static func underweight(_ trajectories: [WaybillTrajectory], _ orders: OrdersTable, itemCount: Int) -> [Bool] {
        ParcelWeightBaseline.underweight(
            trajectories, orders: orders, itemCount: itemCount, shopCount: 1,
            rules: .init(minimumParcels: 5, ratio: 0.5, deviations: 4))
    }

    /// Orders of shop 0 with one weighed waybill each: `(item, grams)` per order.
    static func weighed(_ parcels: [(item: UInt32, grams: Int32)]) -> (OrdersTable, [WaybillTrajectory]) {
        var orders = OrdersTable()
        var trajectories: [WaybillTrajectory] = []
        for (index, parcel) in parcels.enumerated() {
            orders.buyer.append(0)
            orders.shop.append(0)
            orders.item.append(parcel.item)
            orders.amountCents.append(1000)
            var trajectory = WaybillTrajectory()
            trajectory.order = UInt32(index)
            trajectory.grams = parcel.grams
            trajectories.append(trajectory)
        }
        return (orders, trajectories)
    }

    @Test func lightItemsSetTheirOwnBaseline() {
        let (orders, trajectories) = Self.weighed(
            [60, 62, 58, 61, 59, 8, 2000, 2010, 1990, 2005, 30].enumerated().map { (UInt32($0 < 6 ? 0 : 1), Int32($1)) })
        // Item 0 sorted: 8 58 59 60 61 62; the centre is at rank 3 (60), the distances from it
        // on are 0 1 2 (deviation 1); item 1's centre is 2005.
        let underweight = Self.underweight(trajectories, orders, itemCount: 2)
        let light = trajectories.indices.filter { underweight[$0] }
        #expect(light == [5, 10])
    }

    /// Empty parcels as a large minority of an item's waybills (40%, a few grams each,
    /// beside real parcels of 700-1300 g) still stand out: they sit below the item's real
    /// weight, where a one-sided norm does not look. An item of genuinely light parcels
    /// (documents, 55-70 g) flags none.
    @Test func aLargeLightMinorityStillFlags() {
        var parcels: [(item: UInt32, grams: Int32)] = []
        for index in 0..<50 {
            parcels.append((0, index % 5 < 2 ? Int32(2 + index % 7) : 700 + Int32(index * 37 % 61) * 10))
            parcels.append((1, 55 + Int32(index * 7 % 16)))
        }
        let (orders, trajectories) = Self.weighed(parcels)
        let underweight = Self.underweight(trajectories, orders, itemCount: 2)
        let empty = parcels.indices.filter { parcels[$0].item == 0 && parcels[$0].grams < 100 }
        #expect(empty.count == 20)
        #expect(parcels.indices.filter { underweight[$0] } == empty)
        // The two-sided median and MAD this replaces let them all pass: its bound is below zero.
        let grams = parcels.filter { $0.item == 0 }.map { Double($0.grams) }
        let median = WeightSelectionTests.middle(grams.sorted())
        let mad = WeightSelectionTests.middle(grams.map { abs($0 - median) }.sorted())
        #expect(min(0.5 * median, median - 4 * 1.4826 * mad) < 0)
    }

    /// A shop whose heavy item (200-209 g) has its own norm and whose ten light items
    /// (40-94 g, three parcels each) fall back to the shop's: pooled over different
    /// items, lighter parcels are lighter items, so the shop's norm stays two-sided and
    /// flags none of them (its upper quartile would put them all under half of it).
    @Test func aShopsPooledNormIsTwoSided() {
        var parcels: [(item: UInt32, grams: Int32)] = (0..<30).map { (0, 200 + Int32($0 % 10)) }
        for item in 1...10 {
            for parcel in 0..<3 { parcels.append((UInt32(item), 40 + Int32(item * 5 + parcel))) }
        }
        let (orders, trajectories) = Self.weighed(parcels)
        let grams = parcels.map { Double($0.grams) }
        #expect(WeightSelectionTests.upperReference(grams).lowerBound(ratio: 0.5, deviations: 4) > 94)
        #expect(!Self.underweight(trajectories, orders, itemCount: 11).contains(true))
    }

    @Test func oneTellIsNotEnough() {
        #expect(!ParcelTells.fast.looksEmpty(minimumTells: 2))
        #expect(!ParcelTells.wentNowhere.looksEmpty(minimumTells: 2))
        // A same-city parcel signed at its courier's own counter within hours: went
        // nowhere a hub saw and fast are one thing, a local delivery, and count once.
        #expect(!ParcelTells([.fast, .wentNowhere]).looksEmpty(minimumTells: 2))
        #expect(!ParcelTells([.fast, .wentNowhere, .signedAtCounter]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.fast, .wentNowhere, .weightless]).looksEmpty(minimumTells: 2))
        // Collected at the counter minutes after going out under the city's code: the
        // hop belongs to the same local delivery; without both of the others it counts.
        #expect(!ParcelTells([.fast, .wentNowhere, .impossibleHop]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.fast, .wentNowhere, .impossibleHop, .weightless]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.fast, .impossibleHop]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.wentNowhere, .impossibleHop]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.fast, .weightless]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.wentNowhere, .stalled]).looksEmpty(minimumTells: 2))
        #expect(ParcelTells([.fast, .wentNowhere]).looksEmpty(minimumTells: 1))
        #expect(ParcelTells.reusedNumber.looksEmpty(minimumTells: 2))
        #expect(ParcelTells.pickupBeforePayment.looksEmpty(minimumTells: 2))
    }

    @Test func outletConcentrationOnTopShops() {
        let outlets: [UInt32] = [0, 1, 0, 0, 0, 0, 0, 1, IdDictionary.absent]
        let empty = [true, true, true, true, true, false, true, true, true]
        let shops: [UInt32] = [5, 1, 5, 6, 7, 8, 9, 1, 5]
        let values = EmptyParcelDetector.shopConcentration(
            outletOf: outlets, outletCount: 2, marks: empty.map { $0 ? [.shipped, .empty] : .shipped }, shopOfWaybill: shops,
            topShops: 2, minimumEmpty: 3)
        #expect(values[0] == 3.0 / 5.0)
        #expect(values[1].isNaN)
    }
}

@Suite struct IssuingCounterTests {
    /// Plain reference: per (outlet, shop) pair, its waybills and those signed where
    /// issued, counted with dictionaries; the tell goes on the pair's signed-where-issued
    /// waybills when the pair qualifies against the shop's other waybills.
    static func reference(
        _ trajectories: [WaybillTrajectory], shops: [UInt32], minimum: Int, share: Double, otherShare: Double
    ) -> [Bool] {
        struct Pair: Hashable { let outlet: UInt32, shop: UInt32 }
        var pairs: [Pair: (all: Int, signed: Int)] = [:], byShop: [UInt32: (all: Int, signed: Int)] = [:]
        for (trajectory, shop) in zip(trajectories, shops) where shop != IdDictionary.absent {
            let signed = trajectory.flags.contains(.signedWhereIssued) ? 1 : 0
            byShop[shop, default: (0, 0)].all += 1
            byShop[shop, default: (0, 0)].signed += signed
            guard trajectory.courier != IdDictionary.absent else { continue }
            pairs[Pair(outlet: trajectory.courier, shop: shop), default: (0, 0)].all += 1
            pairs[Pair(outlet: trajectory.courier, shop: shop), default: (0, 0)].signed += signed
        }
        return zip(trajectories, shops).map { trajectory, shop in
            guard shop != IdDictionary.absent, trajectory.courier != IdDictionary.absent,
                  trajectory.flags.contains(.signedWhereIssued), let pair = pairs[Pair(outlet: trajectory.courier, shop: shop)],
                  let all = byShop[shop] else { return false }
            let other = all.all - pair.all, otherSigned = all.signed - pair.signed
            return pair.signed >= minimum && Double(pair.signed) >= share * Double(pair.all)
                && other >= minimum && Double(otherSigned) < otherShare * Double(other)
        }
    }

    @Test(arguments: 0..<40) func marksMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 500)
        let outletCount = Int(random.next() % 4) + 1, shopCount = Int(random.next() % 5) + 1
        let count = Int(random.next() % 300)
        // Each pair leans one way, so some pairs cross the share and some shops do not.
        let lean = (0..<(outletCount * shopCount)).map { _ in Double(random.next() % 100) / 100 }
        var trajectories: [WaybillTrajectory] = []
        var shops: [UInt32] = []
        for _ in 0..<count {
            var trajectory = WaybillTrajectory()
            let outlet = Int(random.next() % UInt64(outletCount + 1)), shop = Int(random.next() % UInt64(shopCount + 1))
            trajectory.courier = outlet == outletCount ? IdDictionary.absent : UInt32(outlet)
            let p = outlet < outletCount && shop < shopCount ? lean[outlet * shopCount + shop] : 0.5
            if Double(random.next() % 100) / 100 < p { trajectory.flags.insert(.signedWhereIssued) }
            trajectories.append(trajectory)
            shops.append(shop == shopCount ? IdDictionary.absent : UInt32(shop))
        }
        let minimum = Int(random.next() % 4) + 1
        var tells = [ParcelTells](repeating: [], count: count)
        IssuingCounters.markSignedAtCounter(
            &tells, trajectories: trajectories, shopOfWaybill: shops, shopCount: shopCount, outletCount: outletCount,
            minimumWaybills: minimum, share: 0.8, otherShare: 0.5)
        #expect(tells.map { $0.contains(.signedAtCounter) }
                == Self.reference(trajectories, shops: shops, minimum: minimum, share: 0.8, otherShare: 0.5), "seed \(seed)")
    }
}

@Suite struct WeightSelectionTests {
    /// The middle of sorted non-empty `values` (the mean of the two middle ones for an even count).
    static func middle(_ sorted: [Double]) -> Double {
        let half = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2
    }

    /// Plain reference: the upper quartile of the sorted values (rank 3 (n - 1) / 4) and
    /// the median distance above it of the values from that rank on.
    static func upperReference(_ values: [Double]) -> ParcelWeightBaseline.Spread {
        let sorted = values.sorted()
        let rank = 3 * (sorted.count - 1) / 4
        let centre = sorted[rank]
        return .init(centre: centre, deviation: middle(sorted[rank...].map { $0 - centre }))
    }

    /// Plain reference: median and MAD of the sorted values.
    static func medianReference(_ values: [Double]) -> ParcelWeightBaseline.Spread {
        let median = middle(values.sorted())
        return .init(centre: median, deviation: middle(values.map { abs($0 - median) }.sorted()))
    }

    /// The selection kernels against the sorted references: small groups (up to 32 values
    /// go through the ranking kernel) and large ones, ties, sorted and reversed input.
    @Test func selectionMatchesSortedSpread() {
        var random = SeededRandom(seed: 8)
        for trial in 0..<3_000 {
            let count = trial < 200 ? trial % 100 + 1 : Int(random.next() % 400) + 1
            let distinct = [2, 5, 50, 1_000_000][trial % 4]
            // Negative values too (every fifth trial): the kernels compare, they do not assume weights.
            let shift = trial % 5 == 0 ? Double(distinct / 2) : 0
            var values = (0..<count).map { _ in Double(random.next() % UInt64(distinct)) / Double(1 + trial % 3) - shift }
            if trial % 7 == 0 { values.sort() }
            if trial % 11 == 0 { values.sort(by: >) }
            var upper = values, median = values
            #expect(upper.withUnsafeMutableBufferPointer { ParcelWeightBaseline.upperSpread(selectingIn: $0) }
                    == Self.upperReference(values), "trial \(trial), \(count) values")
            #expect(median.withUnsafeMutableBufferPointer { median -> ParcelWeightBaseline.Spread in
                let centre = ParcelWeightBaseline.median(selectingIn: median)
                return .init(centre: centre, deviation: ParcelWeightBaseline.deviation(selectingIn: median, from: centre))
            } == Self.medianReference(values), "trial \(trial), \(count) values")
            var again = values
            let k = Int(random.next() % UInt64(count))
            let kth = again.withUnsafeMutableBufferPointer { ParcelWeightBaseline.select(k, in: $0) }
            #expect(kth == values.sorted()[k])
            #expect(again[..<k].allSatisfy { $0 <= kth } && again[(k + 1)...].allSatisfy { $0 >= kth })
        }
    }
}

@Suite struct WeightBaselineTests {
    /// Which norm judged a waybill in the reference, and what it found.
    struct Judged: Equatable {
        enum Norm { case item, shop, export }
        var norm: Norm
        var lightInGrams: Bool
        var light: Bool
    }

    /// Plain reference of the whole baseline: each weighed waybill's values in a list per
    /// item, per shop and in every k-th weighed waybill for the export; every norm from the
    /// sorted references, whether a verdict needs it or not; a waybill is judged by its
    /// item's norm, else its shop's, else the export's (nil: by none).
    static func reference(
        _ trajectories: [WaybillTrajectory], _ orders: OrdersTable, itemCount: Int, shopCount: Int,
        rules: ParcelWeightBaseline.Rules
    ) -> [Judged?] {
        typealias Norm = (grams: ParcelWeightBaseline.Spread, perCent: ParcelWeightBaseline.Spread)
        var byItem = [[(grams: Double, perCent: Double)]](repeating: [], count: itemCount)
        var byShop = [[(grams: Double, perCent: Double)]](repeating: [], count: shopCount)
        var weighed: [(grams: Double, perCent: Double)] = []
        func value(_ trajectory: WaybillTrajectory) -> (order: Int, grams: Double, perCent: Double)? {
            let order = Int(trajectory.order)
            guard trajectory.order != IdDictionary.absent, order < orders.item.count, trajectory.grams >= 0 else { return nil }
            return (order, Double(trajectory.grams), Double(trajectory.grams) / Double(max(1, orders.amountCents[order])))
        }
        for trajectory in trajectories {
            guard let (order, grams, perCent) = value(trajectory) else { continue }
            byItem[Int(orders.item[order])].append((grams, perCent))
            byShop[Int(orders.shop[order])].append((grams, perCent))
            weighed.append((grams, perCent))
        }
        func norm(_ values: [(grams: Double, perCent: Double)], _ spread: ([Double]) -> ParcelWeightBaseline.Spread) -> Norm? {
            values.count >= max(1, rules.minimumParcels) ? (spread(values.map(\.grams)), spread(values.map(\.perCent))) : nil
        }
        let items = byItem.map { norm($0, WeightSelectionTests.upperReference) }
        let shops = byShop.map { norm($0, WeightSelectionTests.medianReference) }
        let every = max(1, weighed.count / ParcelWeightBaseline.overallSample)
        let sample = stride(from: 0, to: weighed.count, by: every).map { weighed[$0] }
        let overall: Norm? = sample.isEmpty
            ? nil : (WeightSelectionTests.medianReference(sample.map(\.grams)), WeightSelectionTests.medianReference(sample.map(\.perCent)))
        return trajectories.map { trajectory in
            guard let (order, grams, perCent) = value(trajectory) else { return nil }
            let judged: (Judged.Norm, Norm)
            if let norm = items[Int(orders.item[order])] {
                judged = (.item, norm)
            } else if let norm = shops[Int(orders.shop[order])] {
                judged = (.shop, norm)
            } else if let overall {
                judged = (.export, overall)
            } else {
                return nil
            }
            let lightInGrams = grams < judged.1.grams.lowerBound(ratio: rules.ratio, deviations: rules.deviations)
            let lightPerCent = perCent < judged.1.perCent.lowerBound(ratio: rules.ratio, deviations: rules.deviations)
            return Judged(norm: judged.0, lightInGrams: lightInGrams, light: lightInGrams && lightPerCent)
        }
    }

    /// A random export (`seed`): items of 0 to 40 parcels, a rare item of a rare shop, few
    /// distinct weights (ties, all equal), light parcels of a few grams and of
    /// any weight up to the heaviest (so some sit at every bound), missing weights and orders, orders outside the table,
    /// amounts that make a light parcel light in grams but not in grams per cent, and rules
    /// from lenient to strict, so that many waybills sit at each bound.
    static func export(seed: Int) -> (
        orders: OrdersTable, trajectories: [WaybillTrajectory], itemCount: Int, shopCount: Int, rules: ParcelWeightBaseline.Rules
    ) {
        var random = SeededRandom(seed: UInt64(seed) &+ 77)
        // The last item and the last shop are rare: one order in 60 ships that item from
        // that shop, so its waybills often fall back to the export's norm.
        let itemCount = Int(random.next() % 30) + 2, shopCount = Int(random.next() % 6) + 2
        let orderCount = Int(random.next() % 400)
        let distinct = [1, 3, 40, 5000][seed % 4]
        var orders = OrdersTable()
        for _ in 0..<orderCount {
            let rare = random.next() % 60 == 0
            // The product of two draws: higher items are ever rarer, many too rare for a norm.
            let skewed = random.next() % UInt64(itemCount - 1) * (random.next() % UInt64(itemCount - 1)) / UInt64(itemCount - 1)
            let item = rare ? UInt32(itemCount - 1) : UInt32(seed % 2 == 0 ? skewed : random.next() % UInt64(itemCount - 1))
            orders.item.append(item)
            let shop = seed % 3 == 0 ? UInt32(random.next() % UInt64(shopCount - 1)) : item % UInt32(shopCount - 1)
            orders.shop.append(rare ? UInt32(shopCount - 1) : shop)
            orders.buyer.append(0)
            orders.amountCents.append(Int64(random.next() % 3) * 700 + (seed % 5 == 1 ? Int64(random.next() % 5000) : 0))
        }
        let trajectories = (0..<(orderCount + 20)).map { _ -> WaybillTrajectory in
            var trajectory = WaybillTrajectory()
            let roll = random.next() % 20
            trajectory.order = roll == 0 ? IdDictionary.absent : UInt32(random.next() % UInt64(orderCount + 5))
            trajectory.grams = roll == 1 ? Missing.count : roll < 3 ? Int32(random.next() % 5)
                : roll < 6 ? Int32(random.next() % UInt64(100 + distinct)) : Int32(100 + random.next() % UInt64(distinct))
            return trajectory
        }
        let rules = ParcelWeightBaseline.Rules(
            minimumParcels: Int(random.next() % 6) + 1, ratio: [0.5, 0.9, 1.0, 1.2][Int(random.next() % 4)],
            deviations: [4, 1, 0, -1][Int(random.next() % 4)])
        return (orders, trajectories, itemCount, shopCount, rules)
    }

    @Test(arguments: 0..<60) func verdictsMatchReference(seed: Int) {
        let (orders, trajectories, itemCount, shopCount, rules) = Self.export(seed: seed)
        let expected = Self.reference(trajectories, orders, itemCount: itemCount, shopCount: shopCount, rules: rules)
        for threads in [1, 3] {
            #expect(ParcelWeightBaseline.underweight(
                trajectories, orders: orders, itemCount: itemCount, shopCount: shopCount, rules: rules, threads: threads)
                    == expected.map { $0?.light ?? false }, "seed \(seed), \(threads) threads")
        }
    }

    /// The random exports of `verdictsMatchReference` reach every kind of verdict: too
    /// light by an item's norm, by a shop's and by the export's, and light in grams but
    /// not in grams per cent by each (so a baseline that skipped either quantity, or a
    /// fallback, would fail there).
    @Test func exportsReachEveryVerdict() {
        var seen: Set<String> = []
        for seed in 0..<60 {
            let (orders, trajectories, itemCount, shopCount, rules) = Self.export(seed: seed)
            for judged in Self.reference(trajectories, orders, itemCount: itemCount, shopCount: shopCount, rules: rules) {
                guard let judged, judged.lightInGrams else { continue }
                seen.insert("\(judged.norm) \(judged.light)")
            }
        }
        #expect(seen.count == 6, "\(seen.sorted())")
    }
}

@Suite struct EntityGroupOrderTests {
    /// Plain reference: each entity's rows sorted by (time, row), over random keys with
    /// absent ones, many equal times, groups short and long, in and out of order.
    @Test(arguments: 0..<30) func groupsMatchSortedRows(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 1000)
        let entityCount = Int(random.next() % 12) + 1
        let rowCount = Int(random.next() % 600)
        let keys = (0..<rowCount).map { _ in random.next() % 9 == 0 ? IdDictionary.absent : UInt32(random.next() % UInt64(entityCount)) }
        let inOrder = seed % 3 == 0
        let times = (0..<rowCount).map { row in inOrder ? Int64(row / 3) : Int64(random.next() % 50) }
        let groups = EntityGroups(keys: Column(keys), entityCount: entityCount, orderedBy: Column(times))
        for entity in 0..<entityCount {
            let expected = (0..<rowCount).filter { keys[$0] == UInt32(entity) }
                .sorted { (times[$0], $0) < (times[$1], $1) }.map { UInt32($0) }
            #expect(Array(groups.rows(of: entity)) == expected, "entity \(entity), seed \(seed)")
        }
    }
}
