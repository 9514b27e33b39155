import Columnar
import Testing
import TestSupport

@testable import Detection

/// Where parcels start: a shop buying waybills from an outlet in another area shows
/// parcels starting away from its home, at an outlet whose clients are shops based
/// elsewhere; honest shops with two outlets in one area or two warehouses, small shops,
/// same-city couriers and missing locations show nothing.
@Suite struct ParcelOriginsTests {
    /// Waybills built scan by scan: each a `created` at its start place (an outlet id is
    /// also its place id) and, if `hub` is given, a `transit` there an hour later.
    struct Waybills {
        var logistics = LogisticsTable()
        var shopOfWaybill: [UInt32] = []
        var buyerOfWaybill: [UInt32] = []
        var outletOf: [UInt32] = []

        /// `count` waybills, each to a buyer of its own unless `buyer` is given.
        mutating func add(shop: UInt32, outlet: UInt32, hub: UInt32?, count: Int, located: Bool = true, buyer: UInt32? = nil) {
            for _ in 0..<count {
                let waybill = UInt32(shopOfWaybill.count), at = Int64(waybill) * 100
                shopOfWaybill.append(shop)
                buyerOfWaybill.append(buyer ?? 10_000 + waybill)
                outletOf.append(outlet)
                scan(waybill, outlet, .created, at, located ? outlet : IdDictionary.absent)
                if let hub { scan(waybill, outlet, .transit, at + 3_600, hub) }
            }
        }

        mutating func scan(_ waybill: UInt32, _ outlet: UInt32, _ event: ScanEvent, _ at: Int64, _ place: UInt32) {
            logistics.waybill.append(waybill)
            logistics.order.append(waybill)
            logistics.courier.append(outlet)
            logistics.event.append(event.rawValue)
            logistics.at.append(at)
            logistics.location.append(place)
            logistics.weightGrams.append(Missing.count)
        }

        func origins(minimumClients: Int = 3, linkBuyers: Int = 5) -> ParcelOrigins {
            ParcelOrigins(
                starts: ParcelOriginsTests.starts(logistics, waybillCount: shopOfWaybill.count),
                shopOfWaybill: shopOfWaybill, buyerOfWaybill: buyerOfWaybill, outletOf: outletOf, shopCount: 20, outletCount: 10,
                buyerCount: 20_000, placeCount: 256,
                rules: .init(
                    minimumWaybills: 5, clientWaybills: 3, minimumClients: minimumClients, remoteShare: 0.5,
                    linkBuyers: linkBuyers, linkShare: 0.2, foreignHubCorrelation: 0.005))
        }

        /// The shops with at least one waybill starting remote, in order.
        func remoteShops(_ origins: ParcelOrigins) -> [UInt32] {
            Array(Set(zip(shopOfWaybill, origins.remoteStart).filter(\.1).map(\.0))).sorted()
        }
    }

    // Outlets 0-1 in area A (hub 100), 2 in B (hub 101), 3 in C (102), 4 in D (103); 5 sells
    // waybills in area S (hub 104); 6 is a same-city courier (no transit).
    static func market() -> Waybills {
        var waybills = Waybills()
        waybills.add(shop: 0, outlet: 0, hub: 100, count: 20)  // two outlets of one area
        waybills.add(shop: 0, outlet: 1, hub: 100, count: 10)
        waybills.add(shop: 1, outlet: 0, hub: 100, count: 15)  // two warehouses
        waybills.add(shop: 1, outlet: 2, hub: 101, count: 15)
        for shop: UInt32 in 6...8 { waybills.add(shop: shop, outlet: 0, hub: 100, count: 12) }
        for shop: UInt32 in 9...10 { waybills.add(shop: shop, outlet: 2, hub: 101, count: 12) }
        waybills.add(shop: 11, outlet: 5, hub: 104, count: 20)  // the seller's local client
        for (shop, home, hub): (UInt32, UInt32, UInt32) in [(2, 2, 101), (3, 3, 102), (4, 4, 103)] {
            waybills.add(shop: shop, outlet: home, hub: hub, count: 20)
            waybills.add(shop: shop, outlet: 5, hub: 104, count: 8)
        }
        waybills.add(shop: 12, outlet: 4, hub: 103, count: 3)  // small: 3 parcels at home
        waybills.add(shop: 12, outlet: 5, hub: 104, count: 4)
        waybills.add(shop: 13, outlet: 6, hub: nil, count: 10)  // same-city courier and home
        waybills.add(shop: 13, outlet: 3, hub: 102, count: 10)
        waybills.add(shop: 14, outlet: 2, hub: 101, count: 10, located: false)
        return waybills
    }

    @Test func waybillsBoughtFromARemoteSellerStartAway() {
        let waybills = Self.market()
        let origins = waybills.origins()
        #expect(waybills.remoteShops(origins) == [2, 3, 4])
        // Only the bought waybills, not the clients' real parcels.
        for (waybill, remote) in origins.remoteStart.enumerated() where remote { #expect(waybills.outletOf[waybill] == 5) }
        #expect(origins.remoteClients == [0, 0, 0, 0, 0, 3, 0, 0, 0, 0])
    }

    @Test func fewRemoteClientsAreNoRemoteClientele() {
        // The two-warehouse shop is a remote client of outlets 0 and 2, each with local
        // clients; the seller's three clients are not enough when four are required.
        let origins = Self.market().origins(minimumClients: 4)
        #expect(origins.remoteClients.allSatisfy { $0 == 0 })
        #expect(!origins.remoteStart.contains(true))
    }

    @Test func aSellerMostlyServingItsOwnAreaHasNoRemoteClientele() {
        var waybills = Self.market()
        for shop: UInt32 in 15...18 { waybills.add(shop: shop, outlet: 5, hub: 104, count: 10) }
        let origins = waybills.origins()
        #expect(origins.remoteClients[5] == 0)
        #expect(!origins.remoteStart.contains(true))
    }

    @Test func aCitysHubsOfTwoCarriersAreOneArea() {
        // Outlet 7 is a second carrier in area A with its own hub (110). Three shops of A
        // ship from outlets 0 and 7; unjoined, each is a remote client of both, and outlet
        // 0's clientele turns remote (the two-warehouse shop 1 with it). Buyers of A
        // receiving parcels through both hubs join them.
        var waybills = Self.market()
        for shop: UInt32 in 15...17 {
            waybills.add(shop: shop, outlet: 0, hub: 100, count: 20)
            waybills.add(shop: shop, outlet: 7, hub: 110, count: 10)
        }
        #expect(waybills.remoteShops(waybills.origins()) == [1, 2, 3, 4, 15, 16, 17])
        for buyer: UInt32 in 1_000..<1_008 {
            waybills.add(shop: 6, outlet: 0, hub: 100, count: 1, buyer: buyer)
            waybills.add(shop: 18, outlet: 7, hub: 110, count: 1, buyer: buyer)
        }
        #expect(waybills.remoteShops(waybills.origins()) == [2, 3, 4])
        // Too few buyers in common join nothing.
        #expect(waybills.remoteShops(waybills.origins(linkBuyers: 9)) == [1, 2, 3, 4, 15, 16, 17])
    }

    @Test func firstHubsAreJudgedAgainstTheStartsArea() {
        var waybills = Self.market()
        let first = waybills.shopOfWaybill.count
        waybills.add(shop: 2, outlet: 5, hub: 101, count: 6)  // issued in S, first scanned at B's hub
        waybills.add(shop: 3, outlet: 3, hub: 200, count: 2)  // a hub no place's parcels pass first
        let firstHubs = waybills.origins().firstHubs
        #expect(firstHubs[first..<(first + 6)].allSatisfy { $0 == .otherArea })
        #expect(firstHubs[(first + 6)...].allSatisfy { $0 == .ownArea })
        // The market: every located waybill with a transit at its own area's hub; the
        // same-city courier's (no transit) and the unlocated ones are not compared.
        for (waybill, hub) in firstHubs[..<first].enumerated() {
            let compared = waybills.outletOf[waybill] != 6 && waybills.shopOfWaybill[waybill] != 14
            #expect(hub == (compared ? .ownArea : .unknown), "waybill \(waybill)")
        }
    }

    /// Where each waybill below `waybillCount` starts, as the trajectory pass finds it.
    static func starts(_ logistics: LogisticsTable, waybillCount: Int, threads: Int = 1) -> [ParcelStart] {
        WaybillTrajectory.traceAll(
            logistics, paidAt: [], waybillCount: waybillCount, rules: TrajectoryRules(minimumHopSeconds: 0, stalledBefore: 0),
            threads: threads
        ).starts
    }

    /// The plain reference of the trajectory pass's `ParcelStart`s: per waybill, its scans
    /// sorted by (time, place), the first located created or pickup, the first located
    /// transit and the last.
    static func startsReference(_ logistics: LogisticsTable, waybillCount: Int) -> [ParcelStart] {
        (0..<waybillCount).map { waybill in
            let rows = logistics.waybill.indices.filter {
                Int(logistics.waybill[$0]) == waybill && logistics.location[$0] != IdDictionary.absent
            }.sorted { (logistics.at[$0], logistics.location[$0]) < (logistics.at[$1], logistics.location[$1]) }
            func first(_ events: Set<ScanEvent>) -> UInt32 {
                rows.first { events.contains(ScanEvent(rawValue: logistics.event[$0])!) }.map { logistics.location[$0] }
                    ?? IdDictionary.absent
            }
            let last = rows.last { logistics.event[$0] == ScanEvent.transit.rawValue }.map { logistics.location[$0] }
            return ParcelStart(place: first([.created, .pickup]), firstHub: first([.transit]), lastHub: last ?? IdDictionary.absent)
        }
    }

    @Test(arguments: 0..<30, [false, true]) func startsMatchReference(seed: Int, grouped: Bool) {
        var random = SeededRandom(seed: UInt64(seed))
        let waybillCount = Int(random.next() % 40) + 1
        var logistics = LogisticsTable()
        for _ in 0..<Int(random.next() % 300) {
            logistics.waybill.append(UInt32(random.next() % UInt64(waybillCount + 2)))  // some beyond the count
            logistics.order.append(0)
            logistics.courier.append(0)
            logistics.event.append(UInt8(random.next() % 6))
            logistics.at.append(Int64(random.next() % 20))  // ties in time
            logistics.location.append(random.next() % 5 == 0 ? IdDictionary.absent : UInt32(random.next() % 6))
            logistics.weightGrams.append(Missing.count)
        }
        if grouped { logistics = logistics.reordered(logistics.waybill.indices.sorted { logistics.waybill[$0] < logistics.waybill[$1] }) }
        let reference = Self.startsReference(logistics, waybillCount: waybillCount)
        for threads in [1, 2] {
            #expect(Self.starts(logistics, waybillCount: waybillCount, threads: threads) == reference, "seed \(seed), threads \(threads)")
        }
    }

    /// The plain reference of `ParcelOrigins`, dictionaries and sets over the rules as
    /// written: (remote start per waybill, remote clients per outlet, first hub per waybill).
    static func originsReference(
        _ logistics: LogisticsTable, waybillCount: Int, shopOfWaybill: [UInt32], buyerOfWaybill: [UInt32], outletOf: [UInt32],
        shopCount: Int, outletCount: Int, rules: ParcelOrigins.Rules
    ) -> ([Bool], [Double], [ParcelOrigins.FirstHub]) {
        let absent = IdDictionary.absent
        let starts = Self.startsReference(logistics, waybillCount: waybillCount)
        let place = starts.map(\.place), firstHub = starts.map(\.firstHub), lastHub = starts.map(\.lastHub)
        // Origin hub per place: the most passed first transit, ties to the smallest.
        var passes: [UInt32: [UInt32: Int]] = [:]
        for (place, transit) in zip(place, firstHub) where place != absent && transit != absent {
            passes[place, default: [:]][transit, default: 0] += 1
        }
        let originHub = passes.mapValues { counts in counts.min { ($1.value, $0.key) < ($0.value, $1.key) }!.key }
        // Hubs joined through buyers receiving through both (at most maximumBuyerHubs each).
        var hubsOfBuyer: [UInt32: Set<UInt32>] = [:]
        for (waybill, hub) in lastHub.enumerated() where hub != absent && waybill < buyerOfWaybill.count {
            if buyerOfWaybill[waybill] != absent { hubsOfBuyer[buyerOfWaybill[waybill], default: []].insert(hub) }
        }
        var buyersOfHub: [UInt32: Int] = [:], common: [[UInt32]: Int] = [:]
        for hubs in hubsOfBuyer.values where hubs.count <= ParcelOrigins.maximumBuyerHubs {
            for hub in hubs { buyersOfHub[hub, default: 0] += 1 }
            for a in hubs { for b in hubs where a < b { common[[a, b], default: 0] += 1 } }
        }
        var joined: [Set<UInt32>] = []
        for (pair, buyers) in common
        where buyers >= rules.linkBuyers && Double(buyers) >= rules.linkShare * Double(min(buyersOfHub[pair[0]]!, buyersOfHub[pair[1]]!)) {
            let touching = joined.filter { !$0.isDisjoint(with: pair) }
            joined.removeAll { !$0.isDisjoint(with: pair) }
            joined.append(touching.reduce(Set(pair)) { $0.union($1) })
        }
        func hubArea(_ hub: UInt32) -> UInt32 { joined.first { $0.contains(hub) }?.min() ?? hub }
        func area(_ place: UInt32) -> UInt32? { originHub[place].map(hubArea) }
        // A first hub is another area's when it is some place's origin hub, of another area.
        let originHubs = Set(originHub.values)
        let firstHubs = (0..<waybillCount).map { waybill -> ParcelOrigins.FirstHub in
            guard place[waybill] != absent, let own = area(place[waybill]), firstHub[waybill] != absent else { return .unknown }
            return originHubs.contains(firstHub[waybill]) && hubArea(firstHub[waybill]) != own ? .otherArea : .ownArea
        }
        // Per shop and place: away when the shop's waybills elsewhere are enough and another
        // area holds more of them than the place's own area (its other places).
        let judged = (0..<min(waybillCount, shopOfWaybill.count)).filter {
            Int(shopOfWaybill[$0]) < shopCount && place[$0] != absent && area(place[$0]) != nil
        }
        var atPlace: [UInt32: [UInt32: Int]] = [:]
        for waybill in judged { atPlace[shopOfWaybill[waybill], default: [:]][place[waybill], default: 0] += 1 }
        func away(_ shop: UInt32, _ place: UInt32) -> Bool {
            let places = atPlace[shop]!, here = places[place]!, total = places.values.reduce(0, +)
            var perArea: [UInt32: Int] = [:]
            for (other, count) in places where other != place { perArea[area(other)!, default: 0] += count }
            let own = perArea[area(place)!] ?? 0
            let other = perArea.filter { $0.key != area(place)! }.values.max() ?? 0
            return total - here >= max(1, rules.minimumWaybills) && other > own
        }
        // Per outlet, its client shops and those mostly starting away.
        var atOutlet: [UInt32: [UInt32: (waybills: Int, away: Int)]] = [:]
        for waybill in judged where waybill < outletOf.count && Int(outletOf[waybill]) < outletCount {
            let shop = shopOfWaybill[waybill]
            atOutlet[outletOf[waybill], default: [:]][shop, default: (0, 0)].waybills += 1
            atOutlet[outletOf[waybill], default: [:]][shop, default: (0, 0)].away += away(shop, place[waybill]) ? 1 : 0
        }
        let remoteClients = (0..<outletCount).map { outlet -> Double in
            let clients = (atOutlet[UInt32(outlet)] ?? [:]).values.filter { $0.waybills >= rules.clientWaybills }
            let remote = clients.filter { 2 * $0.away > $0.waybills }.count
            return remote >= max(1, rules.minimumClients) && Double(remote) >= rules.remoteShare * Double(clients.count) ? Double(remote) : 0
        }
        let remoteStart = (0..<waybillCount).map { waybill in
            judged.contains(waybill) && waybill < outletOf.count && Int(outletOf[waybill]) < outletCount
                && away(shopOfWaybill[waybill], place[waybill]) && remoteClients[Int(outletOf[waybill])] > 0
        }
        return (remoteStart, remoteClients, firstHubs)
    }

    /// A random small world (few shops, outlets, places and buyers, so pairs repeat, hubs
    /// join and outlets reach a remote clientele) and random rules.
    static func randomWorld(seed: Int) -> (Waybills, ParcelOrigins.Rules) {
        var random = SeededRandom(seed: UInt64(seed) &+ 1_000)
        func draw(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        // Shops mostly start parcels at a home place, outlets serve places, a place passes
        // one of a few hubs first and a buyer's parcels reach one of a few hubs last; a
        // random share of everything (and times, ties, missing ids) is noise.
        let waybillCount = 60 + draw(300), places = 3 + draw(8), hubs = 3 + draw(4)
        let home = (0..<7).map { _ in UInt32(draw(places)) }
        func noisy(_ value: Int, _ bound: Int) -> UInt32 { UInt32(draw(8) == 0 ? draw(bound) : value) }
        var world = Waybills()
        for waybill in 0..<waybillCount {
            let shop = draw(7), buyer = draw(60)
            let place = draw(3) == 0 ? UInt32(draw(places)) : home[shop]
            world.shopOfWaybill.append(draw(12) == 0 ? IdDictionary.absent : UInt32(shop))
            world.buyerOfWaybill.append(draw(12) == 0 ? IdDictionary.absent : UInt32(buyer))
            world.outletOf.append(draw(12) == 0 ? IdDictionary.absent : noisy(Int(place) % 6, 6))
            let at = Int64(draw(5))
            let scans: [(ScanEvent, Int64, UInt32)] = [
                (draw(2) == 0 ? .created : .pickup, at, place),
                (.transit, at + Int64(draw(3)), 100 + noisy(Int(place) % hubs, hubs)),
                (.transit, at + 2 + Int64(draw(3)), 100 + UInt32(draw(20) == 0 ? draw(hubs) : buyer % hubs)),
                ([ScanEvent.created, .pickup, .transit, .signed][draw(4)], Int64(draw(8)), UInt32(draw(places))),
            ]
            for (event, time, location) in scans.prefix(1 + draw(4)) {
                world.scan(UInt32(waybill), 0, event, time, draw(10) == 0 ? IdDictionary.absent : location)
            }
        }
        let rules = ParcelOrigins.Rules(
            minimumWaybills: 1 + draw(4), clientWaybills: 1 + draw(3), minimumClients: 1 + draw(2), remoteShare: 0.3,
            linkBuyers: 2 + draw(3), linkShare: 0.2, foreignHubCorrelation: 0.005)
        return (world, rules)
    }

    /// `ParcelOrigins` of a random world (shop 6 and outlet 5 out of range).
    static func origins(_ world: Waybills, _ rules: ParcelOrigins.Rules) -> ParcelOrigins {
        ParcelOrigins(
            starts: Self.starts(world.logistics, waybillCount: world.shopOfWaybill.count), shopOfWaybill: world.shopOfWaybill,
            buyerOfWaybill: world.buyerOfWaybill, outletOf: world.outletOf, shopCount: 6, outletCount: 5, buyerCount: 64,
            placeCount: 128, rules: rules)
    }

    @Test(arguments: 0..<40) func originsMatchReference(seed: Int) {
        let (world, rules) = Self.randomWorld(seed: seed)
        let origins = Self.origins(world, rules)
        let (remoteStart, remoteClients, firstHubs) = Self.originsReference(
            world.logistics, waybillCount: world.shopOfWaybill.count, shopOfWaybill: world.shopOfWaybill,
            buyerOfWaybill: world.buyerOfWaybill, outletOf: world.outletOf, shopCount: 6, outletCount: 5, rules: rules)
        #expect(origins.remoteStart == remoteStart)
        #expect(origins.remoteClients == remoteClients)
        #expect(origins.firstHubs == firstHubs)
    }

    /// The random worlds compared above exercise the rules: many have remote starts, and
    /// not every waybill of those starts remote.
    @Test func randomWorldsHaveRemoteStarts() {
        let remote = (0..<40).map { seed in
            let (world, rules) = Self.randomWorld(seed: seed)
            return Self.origins(world, rules).remoteStart
        }
        #expect(remote.filter { $0.contains(true) }.count >= 10)
        #expect(remote.filter { $0.contains(true) && $0.contains(false) }.count >= 10)
    }

    /// ... and first hubs of every kind.
    @Test func randomWorldsHaveForeignFirstHubs() {
        let firstHubs = (0..<40).flatMap { seed in
            let (world, rules) = Self.randomWorld(seed: seed)
            return Self.origins(world, rules).firstHubs
        }
        #expect(Set(firstHubs) == [.unknown, .ownArea, .otherArea])
        #expect(firstHubs.filter { $0 == .otherArea }.count >= 50)
    }

    /// The whole detector on an export whose bought waybills look like real parcels (a
    /// full route, the item's weight): shops 0-3 ship from their home outlets 0-2 (areas
    /// A-C, hubs 10-12), shop 7 is the local client of outlet 3 (area S, hub 13), and
    /// brushing clients 4-6 ship their real parcels from home and 8 orders each of ring
    /// buyers 8 and 9 on waybills bought from outlet 3. Those orders are fake for their
    /// shops and buyers though no waybill looks empty; the honest shops' and buyers' are
    /// not. Without cover the seller's clientele is remote (the bought waybills start away);
    /// with cover, four more local shops 20-23 make it local, and the bought waybills'
    /// routes, copied from parcels of area B, begin at B's hub instead.
    @Test(arguments: [false, true])
    func ordersOnWaybillsBoughtFromAWaybillSellerAreFakeOrders(sellerCover: Bool) {
        var export = Export()
        for account in 0..<300 { _ = export.dictionaries.accounts.intern("a\(account)") }
        _ = export.dictionaries.items.intern("item")
        for outlet in 0..<4 { _ = export.dictionaries.couriers.intern("outlet-\(outlet)") }
        for place in 0..<400 { _ = export.dictionaries.locations.intern("p\(place)") }
        var nextHonestBuyer: UInt32 = 40
        func ship(shop: UInt32, outlet: UInt32, count: Int, ringBuyers: [UInt32] = [], firstHub: UInt32? = nil) {
            for index in 0..<count {
                let buyer: UInt32
                if ringBuyers.isEmpty {
                    buyer = nextHonestBuyer
                    nextHonestBuyer += 1
                } else {
                    buyer = ringBuyers[index % ringBuyers.count]
                }
                // Each parcel to its buyer's own place, delivered after its own time on the
                // road: no trace is a copy of another.
                let order = UInt32(export.orders.count)
                let home = 100 + order, road = Int64(order) * 37
                export.appendShippedOrder(
                    buyer: buyer, shop: shop, outlet: outlet,
                    scans: [
                        (.created, 3_600, outlet, -1), (.pickup, 7_200, outlet, 500),
                        (.transit, 20_000, firstHub ?? 10 + outlet, -1), (.transit, 60_000, 20, -1),
                        (.delivery, 90_000 + road, home, -1), (.signed, 95_000 + road, home, -1),
                    ])
            }
        }
        for (shop, outlet): (UInt32, UInt32) in [(0, 0), (1, 0), (2, 1), (3, 2), (7, 3)] { ship(shop: shop, outlet: outlet, count: 20) }
        if sellerCover { for shop: UInt32 in 20...23 { ship(shop: shop, outlet: 3, count: 20) } }
        for (shop, home): (UInt32, UInt32) in [(4, 0), (5, 1), (6, 2)] {
            ship(shop: shop, outlet: home, count: 20)
            ship(shop: shop, outlet: 3, count: 8, ringBuyers: [8, 9], firstHub: sellerCover ? 11 : nil)
        }
        let detector = EmptyParcelDetector()
        let signals = detector.measure(export, config: DetectionConfig(detectors: [detector]), threads: 1).signals
        func firing(_ name: String) -> [Int] {
            let column = signals.first { $0.definition.name == name }!
            return column.values.indices.filter { column.values[$0] >= column.definition.threshold }
        }
        #expect(firing("shop_empty_waybill_share").isEmpty)
        #expect(firing("shop_remote_origin_share") == (sellerCover ? [] : [4, 5, 6]))
        #expect(firing("shop_orders_on_empty_parcels") == [4, 5, 6])
        #expect(firing("buyer_orders_on_empty_parcels") == [8, 9])
        #expect(firing("buyer_returns_on_empty_parcels") == [8, 9])
    }
}
