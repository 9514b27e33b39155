import Columnar

/// Where each waybill's parcel starts, and whether that is away from where its shop's
/// goods are. A brushing shop buys empty-parcel waybills online from an outlet that sells
/// them, usually in another city: those parcels "start" (first `created` or `pickup` scan)
/// where the shop's goods are not, at an outlet whose clientele is shops based elsewhere.
/// An honest shop's parcels start where its warehouse is, as its own other waybills show,
/// and an honest outlet's clients are mostly shops of its own area. Neither tell needs the
/// empty waybill to look empty: it holds when the trace is copied from a real parcel,
/// weighed like one and routed like one.
///
/// Location codes are compared for equality only, never parsed. A start place's *area*
/// is the place of the first transit scan most of its waybills pass (the origin sorting
/// hub), with the hubs of one city joined (`areas`): the outlets of one city, or a shop's
/// pickups scanned at a regional hub, share one. Places whose waybills never pass a transit scan (same-city couriers) have no area
/// and are not judged; nor are waybills without a located start.
struct ParcelOrigins {
    /// Per waybill: its parcel starts away from its shop's home, at an outlet with a
    /// remote clientele (`remoteClients` above zero).
    var remoteStart: [Bool]
    /// Per outlet: how many of its client shops (at least `Rules.clientWaybills` of its
    /// waybills each) have their home elsewhere, when they are at least
    /// `Rules.minimumClients` and `Rules.remoteShare` of its clients (a remote clientele);
    /// otherwise 0. An honest outlet may serve a shop with a second warehouse elsewhere,
    /// or a brushing client whose bought waybills outnumber its real parcels, but not
    /// several such shops making up most of its clients.
    var remoteClients: [Double]

    /// The settings of the origin comparison.
    struct Rules {
        /// Fewest waybills of a shop outside one area for its home to be judged against it
        /// (a small shop with few parcels elsewhere is never called remote).
        var minimumWaybills: Int
        /// Fewest waybills of a shop at an outlet for the shop to count as its client.
        var clientWaybills: Int
        /// Fewest remote clients of an outlet with a remote clientele.
        var minimumClients: Int
        /// Least share of an outlet's clients that are remote for a remote clientele.
        var remoteShare: Double
        /// Fewest buyers receiving through two hubs to join them into one area ...
        var linkBuyers: Int
        /// ... and least share of the buyers of the less used hub.
        var linkShare: Double
    }

    /// Judges every waybill of `logistics` (ids below `waybillCount`); `shopOfWaybill`,
    /// `buyerOfWaybill` and `outletOf` name each waybill's shop, buyer and issuing outlet
    /// (absent: none).
    init(
        _ logistics: LogisticsTable, waybillCount: Int, shopOfWaybill: [UInt32], buyerOfWaybill: [UInt32], outletOf: [UInt32],
        shopCount: Int, outletCount: Int, rules: Rules
    ) {
        let starts = Self.starts(logistics, waybillCount: waybillCount)
        let area = Self.areas(starts, buyerOfWaybill: buyerOfWaybill, rules: rules)
        let absent = IdDictionary.absent
        // Each shop's judged waybills (a located start place with an area), by counting sort.
        var judgedShop = [UInt32](repeating: absent, count: waybillCount)
        for waybill in 0..<min(waybillCount, shopOfWaybill.count) {
            let shop = shopOfWaybill[waybill], place = starts.place[waybill]
            guard Int(shop) < shopCount, place != absent, area[Int(place)] != absent else { continue }
            judgedShop[waybill] = shop
        }
        let shops = EntityGroups(keys: judgedShop, entityCount: shopCount)
        // Per shop: its waybills per start place, whether each place is away from its home
        // (`judgeShop`), then per outlet its waybills and how many start away. Dense
        // per-place and per-outlet counters, reset through the lists of those touched.
        var placeWaybills = [Int](repeating: 0, count: starts.places)
        var placeAway = [Bool](repeating: false, count: starts.places), areaWaybills = placeWaybills
        var outletWaybills = [Int](repeating: 0, count: outletCount), outletAway = outletWaybills
        var shopPlaces: [UInt32] = [], shopOutlets: [UInt32] = []
        // Per waybill: 0 not judged, 1 local, 2 elsewhere.
        var state = [UInt8](repeating: 0, count: waybillCount)
        var clients = [Int](repeating: 0, count: outletCount), remote = clients
        for shop in 0..<shopCount where shops.count(of: shop) > 0 {
            let waybills = shops.rows(of: shop)
            shopPlaces.removeAll(keepingCapacity: true)
            for waybill in waybills {
                let place = Int(starts.place[Int(waybill)])
                if placeWaybills[place] == 0 { shopPlaces.append(UInt32(place)) }
                placeWaybills[place] += 1
            }
            Self.judgeShop(
                places: shopPlaces, waybills: placeWaybills, area: area, minimumWaybills: rules.minimumWaybills,
                areaWaybills: &areaWaybills, into: &placeAway)
            shopOutlets.removeAll(keepingCapacity: true)
            for waybill in waybills where Int(waybill) < outletOf.count {
                let away = placeAway[Int(starts.place[Int(waybill)])]
                state[Int(waybill)] = away ? 2 : 1
                let outlet = Int(outletOf[Int(waybill)])
                guard outlet < outletCount else { continue }
                if outletWaybills[outlet] == 0 { shopOutlets.append(UInt32(outlet)) }
                outletWaybills[outlet] += 1
                outletAway[outlet] += away ? 1 : 0
            }
            for outlet in shopOutlets.map({ Int($0) }) {
                if outletWaybills[outlet] >= rules.clientWaybills {
                    clients[outlet] += 1
                    remote[outlet] += 2 * outletAway[outlet] > outletWaybills[outlet] ? 1 : 0
                }
                outletWaybills[outlet] = 0
                outletAway[outlet] = 0
            }
            for place in shopPlaces { placeWaybills[Int(place)] = 0 }
        }
        let counts = zip(remote, clients).map { remote, clients in
            remote >= max(1, rules.minimumClients) && Double(remote) >= rules.remoteShare * Double(clients) ? Double(remote) : 0
        }
        remoteClients = counts
        remoteStart = (0..<waybillCount).map { waybill in
            guard state[waybill] == 2, waybill < outletOf.count, Int(outletOf[waybill]) < counts.count else { return false }
            return counts[Int(outletOf[waybill])] > 0
        }
    }

    /// Per entity below `entityCount`, how many rows of `entityOf` ship on a waybill
    /// (`waybillOf`, absent: none) that starts remote.
    func remoteStarts(entityOf: [UInt32], waybillOf: [UInt32], entityCount: Int) -> [UInt32] {
        var hits = [UInt32](repeating: 0, count: entityCount)
        for (entity, waybill) in zip(entityOf, waybillOf) where Int(entity) < entityCount && Int(waybill) < remoteStart.count {
            hits[Int(entity)] &+= remoteStart[Int(waybill)] ? 1 : 0
        }
        return hits
    }

    /// One shop's start places `places` (`waybills[p]` of its waybills start at place `p`):
    /// marks place `p` (area `a`) away in `away` when the shop's waybills at other places
    /// number at least `minimumWaybills` and some other area holds more of them than `a`
    /// does (not counting `p`'s), and local otherwise: a shop whose parcels all start in
    /// one area is a local client of its outlets, and a small shop is never called remote.
    /// `areaWaybills` is a zeroed per-area counter, zeroed again on return.
    static func judgeShop(
        places: [UInt32], waybills: [Int], area: [UInt32], minimumWaybills: Int, areaWaybills: inout [Int],
        into away: inout [Bool]
    ) {
        var total = 0
        for place in places {
            total += waybills[Int(place)]
            areaWaybills[Int(area[Int(place)])] += waybills[Int(place)]
        }
        // The area with the most of the shop's waybills, and the most in any other area.
        var busiest = IdDictionary.absent, most = 0, second = 0
        for place in places {
            let placeArea = area[Int(place)], count = areaWaybills[Int(placeArea)]
            if placeArea == busiest { continue }
            if count > most {
                (second, most, busiest) = (most, count, placeArea)
            } else if count > second {
                second = count
            }
        }
        for place in places {
            let placeArea = area[Int(place)], count = waybills[Int(place)]
            let own = areaWaybills[Int(placeArea)] - count, other = placeArea == busiest ? second : most
            away[Int(place)] = total - count >= max(1, minimumWaybills) && other > own
        }
        for place in places { areaWaybills[Int(area[Int(place)])] = 0 }
    }

    /// Per waybill, the place of its earliest located `created` or `pickup` scan, of its
    /// earliest located `transit` scan and of its latest (`IdDictionary.absent` when it has
    /// none; ties in time go to the smaller place first, the larger last).
    static func starts(_ logistics: LogisticsTable, waybillCount: Int) -> Starts {
        let absent = IdDictionary.absent
        // One record per waybill (one cache line touched per scan, rows in any order).
        struct Earliest {
            var placeAt = Int64.max, transitAt = Int64.max, lastAt = Int64.min
            var place = IdDictionary.absent, transit = IdDictionary.absent, lastTransit = IdDictionary.absent
        }
        var earliest = [Earliest](repeating: Earliest(), count: waybillCount)
        var places: UInt32 = 0
        let created = ScanEvent.created.rawValue, pickup = ScanEvent.pickup.rawValue, hub = ScanEvent.transit.rawValue
        let rows = min(logistics.waybill.count, logistics.event.count, logistics.at.count, logistics.location.count)
        earliest.withUnsafeMutableBufferPointer { earliest in
            logistics.waybill.withUnsafeBufferPointer { waybillOf in
                logistics.event.withUnsafeBufferPointer { eventOf in
                    logistics.at.withUnsafeBufferPointer { atOf in
                        logistics.location.withUnsafeBufferPointer { locationOf in
                            for row in 0..<rows {
                                let event = eventOf[row], location = locationOf[row], waybill = Int(waybillOf[row])
                                guard location != absent, waybill < waybillCount else { continue }
                                places = max(places, location &+ 1)
                                let at = atOf[row]
                                if event == created || event == pickup {
                                    let start = earliest[waybill]
                                    if at < start.placeAt || (at == start.placeAt && location < start.place) {
                                        earliest[waybill].placeAt = at
                                        earliest[waybill].place = location
                                    }
                                } else if event == hub {
                                    var start = earliest[waybill]
                                    if at < start.transitAt || (at == start.transitAt && location < start.transit) {
                                        start.transitAt = at
                                        start.transit = location
                                    }
                                    if at > start.lastAt || (at == start.lastAt && location > start.lastTransit) {
                                        start.lastAt = at
                                        start.lastTransit = location
                                    }
                                    earliest[waybill] = start
                                }
                            }
                        }
                    }
                }
            }
        }
        return Starts(
            place: earliest.map(\.place), transit: earliest.map(\.transit), lastTransit: earliest.map(\.lastTransit),
            places: Int(places))
    }

    /// Per waybill, where it starts, the first hub it passes (its origin's) and the last
    /// (its destination's).
    struct Starts {
        var place: [UInt32]
        var transit: [UInt32]
        var lastTransit: [UInt32]
        /// One more than the largest place id seen (dense per-place arrays' size).
        var places: Int
    }

    /// Per start place, its area: its origin hub (`originHubs`), with the hubs of one city
    /// joined. Carriers run their own hubs, so two outlets of one city may pass hubs with
    /// different codes; what ties those hubs to one city is the buyers living there, whose
    /// parcels from any carrier pass that carrier's hub there last. Two hubs are joined
    /// when at least `Rules.linkBuyers` buyers, and `Rules.linkShare` of the buyers of the
    /// less used one, receive parcels through both; a buyer receiving through more than
    /// `maximumBuyerHubs` hubs (several addresses, a reseller) joins none.
    static func areas(_ starts: Starts, buyerOfWaybill: [UInt32], rules: Rules) -> [UInt32] {
        let absent = IdDictionary.absent
        let hubs = originHubs(starts)
        // Each buyer's waybills through a last hub, by counting sort; per buyer its hubs
        // once each (`seenBy` marks a hub with the last buyer counted there).
        var buyerKey = [UInt32](repeating: absent, count: starts.lastTransit.count)
        var buyerCount = 0
        for (waybill, hub) in starts.lastTransit.enumerated() where hub != absent && waybill < buyerOfWaybill.count {
            buyerKey[waybill] = buyerOfWaybill[waybill]
            if buyerKey[waybill] != absent { buyerCount = max(buyerCount, Int(buyerKey[waybill]) + 1) }
        }
        let buyers = EntityGroups(keys: buyerKey, entityCount: buyerCount)
        var buyersOfHub = [Int](repeating: 0, count: starts.places)
        var seenBy = [UInt32](repeating: absent, count: starts.places)
        var pairFirst: [UInt32] = [], pairSecond: [UInt32] = []
        var received: [UInt32] = []
        for buyer in 0..<buyerCount where buyers.count(of: buyer) > 0 {
            received.removeAll(keepingCapacity: true)
            for waybill in buyers.rows(of: buyer) {
                let hub = starts.lastTransit[Int(waybill)]
                if seenBy[Int(hub)] != UInt32(buyer) {
                    seenBy[Int(hub)] = UInt32(buyer)
                    received.append(hub)
                }
            }
            guard received.count <= maximumBuyerHubs else { continue }
            received.sort()
            for (index, hub) in received.enumerated() {
                buyersOfHub[Int(hub)] += 1
                for other in received[(index + 1)...] {
                    pairFirst.append(hub)
                    pairSecond.append(other)
                }
            }
        }
        // Per hub pair, its buyers: pairs grouped by their first hub, then counted per
        // second hub in a dense counter reset through the list of those touched.
        let byFirst = EntityGroups(keys: pairFirst, entityCount: starts.places)
        var root = (0..<UInt32(starts.places)).map { $0 }
        func find(_ hub: UInt32) -> UInt32 {
            var hub = hub
            while root[Int(hub)] != hub { hub = root[Int(hub)] }
            return hub
        }
        var common = [Int](repeating: 0, count: starts.places)
        var seconds: [UInt32] = []
        for first in 0..<starts.places where byFirst.count(of: first) > 0 {
            seconds.removeAll(keepingCapacity: true)
            for pair in byFirst.rows(of: first) {
                let second = Int(pairSecond[Int(pair)])
                if common[second] == 0 { seconds.append(UInt32(second)) }
                common[second] += 1
            }
            // The root of a joined set is its smallest hub whatever the order of joining.
            for second in seconds {
                let buyers = common[Int(second)]
                common[Int(second)] = 0
                let fewer = min(buyersOfHub[first], buyersOfHub[Int(second)])
                if buyers >= rules.linkBuyers && Double(buyers) >= rules.linkShare * Double(fewer) {
                    let (a, b) = (find(UInt32(first)), find(second))
                    if a != b { root[Int(max(a, b))] = min(a, b) }
                }
            }
        }
        return hubs.map { $0 == absent ? absent : find($0) }
    }

    /// Buyers receiving through more hubs than this join none (see `areas`).
    static let maximumBuyerHubs = 6

    /// Per place, the transit place most waybills starting there pass first (ties: the
    /// smallest id), `IdDictionary.absent` for places no waybill with a transit starts at.
    static func originHubs(_ starts: Starts) -> [UInt32] {
        let absent = IdDictionary.absent
        let placeKey = zip(starts.place, starts.transit).map { place, transit in transit == absent ? absent : place }
        let places = EntityGroups(keys: placeKey, entityCount: starts.places)
        var area = [UInt32](repeating: absent, count: starts.places)
        var passing = [Int](repeating: 0, count: starts.places)
        var transits: [UInt32] = []
        for place in 0..<starts.places where places.count(of: place) > 0 {
            transits.removeAll(keepingCapacity: true)
            for waybill in places.rows(of: place) {
                let transit = Int(starts.transit[Int(waybill)])
                if passing[transit] == 0 { transits.append(UInt32(transit)) }
                passing[transit] += 1
            }
            var best = 0
            for transit in transits {
                let count = passing[Int(transit)]
                passing[Int(transit)] = 0
                if count > best || (count == best && transit < area[place]) {
                    best = count
                    area[place] = transit
                }
            }
        }
        return area
    }
}
