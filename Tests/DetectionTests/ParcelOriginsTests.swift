import Columnar
import Testing

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
                logistics, waybillCount: shopOfWaybill.count, shopOfWaybill: shopOfWaybill, buyerOfWaybill: buyerOfWaybill,
                outletOf: outletOf, shopCount: 20, outletCount: 10,
                rules: .init(
                    minimumWaybills: 5, clientWaybills: 3, minimumClients: minimumClients, remoteShare: 0.5,
                    linkBuyers: linkBuyers, linkShare: 0.2))
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

    /// The plain reference of `ParcelOrigins.starts`: per waybill, its scans sorted by
    /// (time, place), the first located created or pickup, the first located transit and
    /// the last.
    static func startsReference(_ logistics: LogisticsTable, waybillCount: Int) -> [(UInt32, UInt32, UInt32)] {
        (0..<waybillCount).map { waybill in
            let rows = logistics.waybill.indices.filter {
                Int(logistics.waybill[$0]) == waybill && logistics.location[$0] != IdDictionary.absent
            }.sorted { (logistics.at[$0], logistics.location[$0]) < (logistics.at[$1], logistics.location[$1]) }
            func first(_ events: Set<ScanEvent>) -> UInt32 {
                rows.first { events.contains(ScanEvent(rawValue: logistics.event[$0])!) }.map { logistics.location[$0] }
                    ?? IdDictionary.absent
            }
            let last = rows.last { logistics.event[$0] == ScanEvent.transit.rawValue }.map { logistics.location[$0] }
            return (first([.created, .pickup]), first([.transit]), last ?? IdDictionary.absent)
        }
    }

    @Test(arguments: 0..<30) func startsMatchReference(seed: Int) {
        var random = SplitMix(seed: UInt64(seed))
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
        let starts = ParcelOrigins.starts(logistics, waybillCount: waybillCount)
        let reference = Self.startsReference(logistics, waybillCount: waybillCount)
        #expect(starts.place == reference.map(\.0))
        #expect(starts.transit == reference.map(\.1))
        #expect(starts.lastTransit == reference.map(\.2))
    }

    @Test(arguments: 0..<20) func keySortMatchesSort(seed: Int) {
        var random = SplitMix(seed: UInt64(seed))
        let count = Int(random.next() % 3_000)
        // Narrow keys (passes skipped) and wide ones, with repeats.
        let mask: UInt64 = seed % 2 == 0 ? 0xFFFF_0000_0000_FFFF : .max
        var keys = (0..<count).map { _ in (random.next() & mask) % (seed % 3 == 0 ? 50 : .max) }
        let expected = keys.sorted()
        KeySort.sort(&keys)
        #expect(keys == expected)
    }
}
