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
        // Each (shop, start place) pair once, sorted, with its waybill count; then per pair
        // whether the shop's other waybills are mostly in another area than the place's.
        var pairKeys: [UInt64] = []
        for waybill in 0..<min(waybillCount, shopOfWaybill.count) {
            let shop = shopOfWaybill[waybill], place = starts.place[waybill]
            guard Int(shop) < shopCount, place != absent, area[Int(place)] != absent else { continue }
            pairKeys.append(UInt64(shop) << 32 | UInt64(place))
        }
        KeySort.sort(&pairKeys)
        var pairs: [UInt64] = [], pairCounts: [Int] = []
        var start = 0
        while start < pairKeys.count {
            var end = start
            while end < pairKeys.count && pairKeys[end] == pairKeys[start] { end += 1 }
            pairs.append(pairKeys[start])
            pairCounts.append(end - start)
            start = end
        }
        pairKeys = []
        var pairAway = [Bool](repeating: false, count: pairs.count)
        start = 0
        while start < pairs.count {
            var end = start
            while end < pairs.count && pairs[end] >> 32 == pairs[start] >> 32 { end += 1 }
            Self.judgeShop(pairs: pairs, counts: pairCounts, range: start..<end, area: area, minimumWaybills: rules.minimumWaybills, into: &pairAway)
            start = end
        }
        // Per waybill: 0 not judged, 1 local, 2 elsewhere.
        var state = [UInt8](repeating: 0, count: waybillCount)
        var clientKeys: [UInt64] = [], awayKeys: [UInt64] = []
        for waybill in 0..<min(waybillCount, shopOfWaybill.count, outletOf.count) {
            let shop = shopOfWaybill[waybill], place = starts.place[waybill]
            guard Int(shop) < shopCount, place != absent, area[Int(place)] != absent else { continue }
            let pair = Self.index(of: UInt64(shop) << 32 | UInt64(place), in: pairs)
            state[waybill] = pairAway[pair] ? 2 : 1
            guard Int(outletOf[waybill]) < outletCount else { continue }
            let key = UInt64(outletOf[waybill]) << 32 | UInt64(shop)
            clientKeys.append(key)
            if pairAway[pair] { awayKeys.append(key) }
        }
        // Per outlet, its clients and how many are based elsewhere.
        KeySort.sort(&clientKeys)
        KeySort.sort(&awayKeys)
        var clients = [Int](repeating: 0, count: outletCount), remote = clients
        start = 0
        var awayIndex = 0
        while start < clientKeys.count {
            let key = clientKeys[start]
            var end = start
            while end < clientKeys.count && clientKeys[end] == key { end += 1 }
            while awayIndex < awayKeys.count && awayKeys[awayIndex] < key { awayIndex += 1 }
            var away = 0
            while awayIndex < awayKeys.count && awayKeys[awayIndex] == key {
                away += 1
                awayIndex += 1
            }
            if end - start >= rules.clientWaybills {
                let outlet = Int(key >> 32)
                clients[outlet] += 1
                remote[outlet] += 2 * away > end - start ? 1 : 0
            }
            start = end
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

    /// The index of `key` in the sorted `keys`, which hold it.
    static func index(of key: UInt64, in keys: [UInt64]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
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

    /// One shop's (shop, place) pairs `pairs[range]` (keys `shop << 32 | place`, sorted,
    /// `counts` waybills each): marks the pair of place `p` (area `a`) away when the shop's
    /// waybills at other places number at least `minimumWaybills` and some other area holds
    /// more of them than `a` does (not counting `p`'s), and local otherwise: a shop whose
    /// parcels all start in one area is a local client of its outlets, and a small shop is
    /// never called remote.
    static func judgeShop(
        pairs: [UInt64], counts: [Int], range: Range<Int>, area: [UInt32], minimumWaybills: Int, into away: inout [Bool]
    ) {
        // Per area of the shop, its waybills (a shop ships from a few places).
        var perArea: [(area: UInt32, count: Int)] = []
        var total = 0
        for pair in range {
            let placeArea = area[Int(UInt32(truncatingIfNeeded: pairs[pair]))]
            total += counts[pair]
            if let index = perArea.firstIndex(where: { $0.area == placeArea }) {
                perArea[index].count += counts[pair]
            } else {
                perArea.append((placeArea, counts[pair]))
            }
        }
        for pair in range {
            let placeArea = area[Int(UInt32(truncatingIfNeeded: pairs[pair]))]
            var own = -counts[pair], other = 0
            for entry in perArea {
                if entry.area == placeArea { own += entry.count } else { other = max(other, entry.count) }
            }
            away[pair] = total - counts[pair] >= max(1, minimumWaybills) && other > own
        }
    }

    /// Per waybill, the place of its earliest located `created` or `pickup` scan, of its
    /// earliest located `transit` scan and of its latest (`IdDictionary.absent` when it has
    /// none; ties in time go to the smaller place first, the larger last).
    static func starts(_ logistics: LogisticsTable, waybillCount: Int) -> Starts {
        let absent = IdDictionary.absent
        var place = [UInt32](repeating: absent, count: waybillCount), transit = place, lastTransit = place
        var placeAt = [Int64](repeating: .max, count: waybillCount), transitAt = placeAt
        var lastAt = [Int64](repeating: .min, count: waybillCount)
        var places: UInt32 = 0
        let created = ScanEvent.created.rawValue, pickup = ScanEvent.pickup.rawValue, hub = ScanEvent.transit.rawValue
        let rows = min(logistics.waybill.count, logistics.event.count, logistics.at.count, logistics.location.count)
        for row in 0..<rows {
            let event = logistics.event[row], location = logistics.location[row], waybill = Int(logistics.waybill[row])
            guard location != absent, waybill < waybillCount else { continue }
            places = max(places, location &+ 1)
            let at = logistics.at[row]
            if event == created || event == pickup {
                if at < placeAt[waybill] || (at == placeAt[waybill] && location < place[waybill]) {
                    placeAt[waybill] = at
                    place[waybill] = location
                }
            } else if event == hub {
                if at < transitAt[waybill] || (at == transitAt[waybill] && location < transit[waybill]) {
                    transitAt[waybill] = at
                    transit[waybill] = location
                }
                if at > lastAt[waybill] || (at == lastAt[waybill] && location > lastTransit[waybill]) {
                    lastAt[waybill] = at
                    lastTransit[waybill] = location
                }
            }
        }
        return Starts(place: place, transit: transit, lastTransit: lastTransit, places: Int(places))
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
        var keys: [UInt64] = []
        for (waybill, hub) in starts.lastTransit.enumerated() where hub != absent && waybill < buyerOfWaybill.count {
            if buyerOfWaybill[waybill] != absent { keys.append(UInt64(buyerOfWaybill[waybill]) << 32 | UInt64(hub)) }
        }
        KeySort.sort(&keys)
        var buyersOfHub = [Int](repeating: 0, count: starts.places)
        var pairs: [UInt64] = []
        var received: [UInt32] = []
        var start = 0
        while start < keys.count {
            received.removeAll(keepingCapacity: true)
            var end = start
            while end < keys.count && keys[end] >> 32 == keys[start] >> 32 {
                let hub = UInt32(truncatingIfNeeded: keys[end])
                if received.last != hub { received.append(hub) }
                end += 1
            }
            if received.count <= maximumBuyerHubs {
                for (index, hub) in received.enumerated() {
                    buyersOfHub[Int(hub)] += 1
                    for other in received[(index + 1)...] { pairs.append(UInt64(hub) << 32 | UInt64(other)) }
                }
            }
            start = end
        }
        KeySort.sort(&pairs)
        var root = (0..<UInt32(starts.places)).map { $0 }
        func find(_ hub: UInt32) -> UInt32 {
            var hub = hub
            while root[Int(hub)] != hub { hub = root[Int(hub)] }
            return hub
        }
        start = 0
        while start < pairs.count {
            var end = start
            while end < pairs.count && pairs[end] == pairs[start] { end += 1 }
            let first = UInt32(pairs[start] >> 32), second = UInt32(truncatingIfNeeded: pairs[start])
            let fewer = min(buyersOfHub[Int(first)], buyersOfHub[Int(second)])
            if end - start >= rules.linkBuyers && Double(end - start) >= rules.linkShare * Double(fewer) {
                let (a, b) = (find(first), find(second))
                if a != b { root[Int(max(a, b))] = min(a, b) }
            }
            start = end
        }
        return hubs.map { $0 == absent ? absent : find($0) }
    }

    /// Buyers receiving through more hubs than this join none (see `areas`).
    static let maximumBuyerHubs = 6

    /// Per place, the transit place most waybills starting there pass first (ties: the
    /// smallest id), `IdDictionary.absent` for places no waybill with a transit starts at.
    static func originHubs(_ starts: Starts) -> [UInt32] {
        let absent = IdDictionary.absent
        var keys: [UInt64] = []
        for (place, transit) in zip(starts.place, starts.transit) where place != absent && transit != absent {
            keys.append(UInt64(place) << 32 | UInt64(transit))
        }
        KeySort.sort(&keys)
        var area = [UInt32](repeating: absent, count: starts.places)
        var best = [Int](repeating: 0, count: starts.places)
        var start = 0
        while start < keys.count {
            var end = start
            while end < keys.count && keys[end] == keys[start] { end += 1 }
            let place = UInt32(keys[start] >> 32)
            if end - start > best[Int(place)] {
                best[Int(place)] = end - start
                area[Int(place)] = UInt32(truncatingIfNeeded: keys[start])
            }
            start = end
        }
        return area
    }
}
