import Columnar
import Testing
import TestSupport

@testable import Detection

/// Waybills an outlet issued to one shop whose route begins at another area's sorting
/// hub: a seller's client stands out even among many honest parcels of the outlet and
/// of the shop, while honest pairs with the export's occasional such waybill do not.
@Suite struct ForeignSortingHubsTests {
    typealias FirstHub = ParcelOrigins.FirstHub

    /// Waybills of (shop, outlet) pairs, `foreign` of each pair's `count` beginning at
    /// another area's hub.
    struct Pairs {
        var firstHubs: [FirstHub] = []
        var shopOfWaybill: [UInt32] = []
        var outletOf: [UInt32] = []

        mutating func add(shop: UInt32, outlet: UInt32, count: Int, foreign: Int, unknown: Int = 0) {
            for index in 0..<(count + unknown) {
                firstHubs.append(index >= count ? .unknown : index < foreign ? .otherArea : .ownArea)
                shopOfWaybill.append(shop)
                outletOf.append(outlet)
            }
        }

        /// As `ParcelOrigins` hands them over: grouped by shop (8 shops), in row order.
        func hubs(correlation: Double = 0.005) -> ForeignSortingHubs {
            let shops = ValueGroups(
                rows: firstHubs.count, groups: 8, key: { shopOfWaybill[$0] },
                value: { ParcelOrigins.ShopWaybill(place: 0, outlet: outletOf[$0], firstHub: firstHubs[$0]) })
            return ForeignSortingHubs(shops: shops, outletCount: 5, correlation: correlation)
        }
    }

    /// Outlet 0 serves honest shops 0-3 (one waybill in 100 begins at another hub, about
    /// the export's share); outlet 1 sells 40 waybills to client shop 4, a quarter of them
    /// beginning elsewhere, among 900 honest parcels of its local shop 5; the client
    /// ships 400 real parcels from its home outlet 2.
    static func market() -> Pairs {
        var pairs = Pairs()
        for shop: UInt32 in 0...3 { pairs.add(shop: shop, outlet: 0, count: 500, foreign: 5) }
        pairs.add(shop: 5, outlet: 1, count: 900, foreign: 9)
        pairs.add(shop: 4, outlet: 1, count: 40, foreign: 10)
        pairs.add(shop: 4, outlet: 2, count: 400, foreign: 4, unknown: 30)
        pairs.add(shop: 6, outlet: 3, count: 0, foreign: 0, unknown: 5)  // same-city: nothing compared
        return pairs
    }

    @Test func aSellersClientStandsOut() {
        let hubs = Self.market().hubs()
        let threshold = 3.0  // the signals' threshold
        #expect(hubs.outletSurprise[1] >= threshold && hubs.shopSurprise[4] >= threshold)
        #expect(hubs.outletSurprise[0] < threshold && hubs.outletSurprise[2] < threshold)
        for shop in [0, 1, 2, 3, 5] { #expect(hubs.shopSurprise[shop] < threshold) }
        // Judged as a whole, outlet 1 (19 of 940) and shop 4 (14 of 440) are diluted.
        let whole = Chance.betaBinomialSurprise(count: 19, trials: 940, share: 43.0 / 3_340, correlation: 0.005)
        #expect(whole < threshold)
        #expect(hubs.outletSurprise[3].isNaN && hubs.shopSurprise[6].isNaN && hubs.outletSurprise[4].isNaN)
        #expect(hubs.shopSurprise[7].isNaN)
    }

    @Test func aLargerCorrelationExpectsMoreVariation() {
        let market = Self.market()
        #expect(market.hubs(correlation: 0.05).outletSurprise[1] < market.hubs(correlation: 0.005).outletSurprise[1])
    }

    @Test func noForeignHubNoSurprise() {
        var pairs = Pairs()
        pairs.add(shop: 0, outlet: 0, count: 50, foreign: 0)
        let hubs = pairs.hubs()
        #expect(hubs.outletSurprise[0] == 0 && hubs.shopSurprise[0] == 0)
    }

    /// The plain reference: dictionaries of pairs (waybills with a shop and an outlet in
    /// range and a compared first hub), the beta-binomial tail of each.
    static func reference(_ pairs: Pairs, shopCount: Int, outletCount: Int, correlation: Double) -> ([Double], [Double]) {
        var counts: [[UInt32]: (compared: Int, foreign: Int)] = [:]
        var outletSeen = Set<UInt32>(), shopSeen = Set<UInt32>()
        var compared = 0, foreign = 0
        for (row, hub) in pairs.firstHubs.enumerated() where hub != .unknown {
            let shop = pairs.shopOfWaybill[row], outlet = pairs.outletOf[row], isForeign = hub == .otherArea ? 1 : 0
            guard Int(shop) < shopCount, Int(outlet) < outletCount else { continue }
            compared += 1
            foreign += isForeign
            shopSeen.insert(shop)
            outletSeen.insert(outlet)
            counts[[outlet, shop], default: (0, 0)].compared += 1
            counts[[outlet, shop], default: (0, 0)].foreign += isForeign
        }
        var outletSurprise = (0..<outletCount).map { outletSeen.contains(UInt32($0)) ? 0.0 : .nan }
        var shopSurprise = (0..<shopCount).map { shopSeen.contains(UInt32($0)) ? 0.0 : .nan }
        for (pair, count) in counts where foreign > 0 {
            let surprise = Chance.betaBinomialSurprise(
                count: count.foreign, trials: count.compared, share: Double(foreign) / Double(compared), correlation: correlation)
            outletSurprise[Int(pair[0])] = max(outletSurprise[Int(pair[0])], surprise)
            shopSurprise[Int(pair[1])] = max(shopSurprise[Int(pair[1])], surprise)
        }
        return (outletSurprise, shopSurprise)
    }

    @Test(arguments: 0..<30) func matchesReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 7_000)
        var pairs = Pairs()
        // Some shops and outlets out of range, absent ids, and pairs of every size (small
        // ones and ones past `smallPairs`, whose tails are kept apart), some repeated.
        var previous = (count: 0, foreign: 0)
        for _ in 0..<Int(random.next() % 60) {
            let shop = random.next() % 15 == 0 ? IdDictionary.absent : UInt32(random.next() % 9)
            let outlet = random.next() % 15 == 0 ? IdDictionary.absent : UInt32(random.next() % 6)
            let count = random.next() % 4 == 0 ? ForeignSortingHubs.smallPairs + Int(random.next() % 150) : Int(random.next() % 40)
            let foreign = Int(random.next() % UInt64(count + 1)) / (1 + Int(random.next() % 4))
            let repeated = random.next() % 3 == 0
            pairs.add(
                shop: shop, outlet: outlet, count: repeated ? previous.count : count, foreign: repeated ? previous.foreign : foreign,
                unknown: Int(random.next() % 3))
            if !repeated { previous = (count, foreign) }
        }
        let hubs = pairs.hubs(correlation: 0.01)
        let (outlets, shops) = Self.reference(pairs, shopCount: 8, outletCount: 5, correlation: 0.01)
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.elementsEqual(b) { $0 == $1 || ($0.isNaN && $1.isNaN) } }
        #expect(same(hubs.outletSurprise, outlets), "seed \(seed)")
        #expect(same(hubs.shopSurprise, shops), "seed \(seed)")
    }

    /// Pairs past `smallPairs` with as many waybills and other counts, and one repeated:
    /// each gets its own tail.
    @Test func largePairsOfOneSizeKeepTheirOwnTails() {
        var pairs = Pairs()
        let size = ForeignSortingHubs.smallPairs + 36
        pairs.add(shop: 0, outlet: 0, count: size, foreign: 30)
        pairs.add(shop: 1, outlet: 1, count: size, foreign: 45)
        pairs.add(shop: 2, outlet: 2, count: size, foreign: 30)
        for shop: UInt32 in 3...7 { pairs.add(shop: shop, outlet: 3, count: 400, foreign: 4) }
        let hubs = pairs.hubs(correlation: 0.01)
        let (outlets, shops) = Self.reference(pairs, shopCount: 8, outletCount: 5, correlation: 0.01)
        #expect(hubs.shopSurprise[0] < hubs.shopSurprise[1] && hubs.shopSurprise[0] == hubs.shopSurprise[2])
        #expect(hubs.outletSurprise.elementsEqual(outlets) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(hubs.shopSurprise == shops)
    }

    /// The whole detector on an export: outlets 0 (area A, hub 10) and 1 (area B, hub 11)
    /// carry honest shops 0-2; outlet 1 also sells 20 waybills to shop 3, whose real
    /// parcels leave from outlet 0, and their copied routes begin at A's hub. Only shop 3
    /// and outlet 1 fire the two signals.
    @Test func theDetectorFlagsTheSellerAndItsClient() {
        var export = Export()
        for shop in 0..<4 { _ = export.dictionaries.accounts.intern("s\(shop)") }
        _ = export.dictionaries.items.intern("item")
        for outlet in 0..<2 { _ = export.dictionaries.couriers.intern("outlet-\(outlet)") }
        for place in 0..<12 { _ = export.dictionaries.locations.intern("p\(place)") }
        // (shop, outlet, first hub, waybills): each to a buyer of its own.
        let shipments: [(UInt32, UInt32, UInt32, Int)] = [(0, 0, 10, 40), (1, 0, 10, 40), (2, 1, 11, 40), (3, 0, 10, 40), (3, 1, 10, 20)]
        for (shop, outlet, hub, count) in shipments {
            for _ in 0..<count {
                export.appendShippedOrder(
                    buyer: 4 + UInt32(export.orders.count), shop: shop, outlet: outlet,
                    scans: [
                        (.created, 3_600, outlet, -1), (.pickup, 7_200, outlet, 500), (.transit, 20_000, hub, -1),
                        (.transit, 60_000, 21 - hub, -1), (.delivery, 90_000, 5, -1), (.signed, 95_000, 5, -1),
                    ])
            }
        }
        let detector = EmptyParcelDetector()
        let signals = detector.measure(export, config: DetectionConfig(detectors: [detector]), threads: 1).signals
        func firing(_ name: String) -> [Int] {
            let column = signals.first { $0.definition.name == name }!
            return column.values.indices.filter { column.values[$0] >= column.definition.threshold }
        }
        #expect(firing("shop_foreign_hub_surprise") == [3])
        #expect(firing("courier_foreign_hub_surprise") == [1])
        let shop = signals.first { $0.definition.name == "shop_foreign_hub_surprise" }!
        #expect(shop.samples[3]?.count == SignalColumn.sampleLimit)
    }
}
