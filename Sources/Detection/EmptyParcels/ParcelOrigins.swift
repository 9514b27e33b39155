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
/// pickups scanned at a regional hub, share one. Places whose waybills never pass a
/// transit scan (same-city couriers) have no area and are not judged; nor are waybills
/// without a located start.
///
/// It also tells, per waybill, whether its route begins at another area's hub
/// (`firstHubs`), and scores those per (outlet, shop) pair (`ForeignSortingHubs`),
/// reusing its grouping by shop.
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
    /// Per waybill: where its first sorting hub is against its start's area
    /// (`FirstHub`), what `ForeignSortingHubs` counts.
    var firstHubs: [FirstHub]
    /// Per (outlet, shop) pair, how surprising its waybills beginning at another area's hub
    /// are, the largest per outlet and per shop.
    var foreignHubs: ForeignSortingHubs

    /// Where a waybill's first sorting hub (first located transit scan) lies against the
    /// area of the place its parcel starts (why it tells: `ForeignSortingHubs`).
    enum FirstHub: UInt8 {
        /// No start place with an area, or no located transit: nothing to compare.
        case unknown
        /// The first hub is no other area's origin hub: the start's own area, or a hub
        /// that no place's parcels pass first (a regional hub after a lost scan).
        case ownArea
        /// The first hub is the origin hub of another area.
        case otherArea
    }

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
        /// How much the share of waybills beginning at another area's hub varies between
        /// honest (outlet, shop) pairs (`ForeignSortingHubs`).
        var foreignHubCorrelation: Double
    }

    /// Judges every waybill by where its parcel starts (`starts`, from the trajectory
    /// pass); `shopOfWaybill`, `buyerOfWaybill` and `outletOf` name each waybill's shop,
    /// buyer and issuing outlet (absent: none). The counts bound the ids (the export's
    /// dictionaries give them, so no pass looks for the largest): shops, outlets and
    /// buyers at or above theirs are left out, and every place id must be below
    /// `placeCount`.
    init(
        starts: [ParcelStart], shopOfWaybill: [UInt32], buyerOfWaybill: [UInt32], outletOf: [UInt32],
        shopCount: Int, outletCount: Int, buyerCount: Int, placeCount places: Int, rules: Rules
    ) {
        let absent = IdDictionary.absent, waybillCount = starts.count
        let (area, hubArea) = Self.areas(starts, places: places, buyerOfWaybill: buyerOfWaybill, buyerCount: buyerCount, rules: rules)
        let firstHubs = [FirstHub](unsafeUninitializedCapacity: waybillCount) { firstHubs, written in
            starts.withUnsafeBufferPointer { starts in
                area.withUnsafeBufferPointer { area in
                    hubArea.withUnsafeBufferPointer { hubArea in
                        for (waybill, start) in starts.enumerated() {
                            let place = start.place == absent ? absent : area[Int(start.place)]
                            if place == absent || start.firstHub == absent {
                                firstHubs[waybill] = .unknown
                            } else {
                                let hub = hubArea[Int(start.firstHub)]
                                firstHubs[waybill] = hub != absent && hub != place ? .otherArea : .ownArea
                            }
                        }
                    }
                }
            }
            written = waybillCount
        }
        // Each shop's judged waybills (a located start place with an area) in group order,
        // with their start place, outlet and first hub.
        let judged = min(waybillCount, shopOfWaybill.count)
        let shops = starts.withUnsafeBufferPointer { starts in
            area.withUnsafeBufferPointer { area in
                shopOfWaybill.withUnsafeBufferPointer { shopOf in
                    outletOf.withUnsafeBufferPointer { outletOf in
                        firstHubs.withUnsafeBufferPointer { firstHubs in
                            ValueGroups(
                                rows: judged, groups: shopCount,
                                key: { Self.judgedShop(of: $0, starts: starts, area: area, shopOf: shopOf) },
                                value: {
                                    ShopWaybill(
                                        place: starts[$0].place, outlet: $0 < outletOf.count ? outletOf[$0] : absent,
                                        firstHub: firstHubs[$0])
                                })
                        }
                    }
                }
            }
        }
        self.firstHubs = firstHubs
        foreignHubs = ForeignSortingHubs(shops: shops, outletCount: outletCount, correlation: rules.foreignHubCorrelation)
        let (away, clients, remote) = Self.judgeShops(
            shops, area: area, places: places, outletCount: outletCount, minimumWaybills: rules.minimumWaybills,
            clientWaybills: rules.clientWaybills)
        let counts = zip(remote, clients).map { remote, clients in
            remote >= max(1, rules.minimumClients) && Double(remote) >= rules.remoteShare * Double(clients) ? Double(remote) : 0
        }
        remoteClients = counts
        // Per waybill: away at an outlet with a remote clientele (rare: none in most
        // exports). The waybills are walked in row order, which is each group's order.
        var remoteStart = [Bool](repeating: false, count: waybillCount)
        if counts.contains(where: { $0 > 0 }) {
            var next = shops.offsets
            starts.withUnsafeBufferPointer { starts in
                area.withUnsafeBufferPointer { area in
                    shopOfWaybill.withUnsafeBufferPointer { shopOf in
                        for waybill in 0..<judged {
                            let shop = Int(Self.judgedShop(of: waybill, starts: starts, area: area, shopOf: shopOf))
                            guard shop < shopCount else { continue }
                            let outlet = Int(shops.values[next[shop]].outlet)
                            remoteStart[waybill] = away[next[shop]] && outlet < outletCount && counts[outlet] > 0
                            next[shop] += 1
                        }
                    }
                }
            }
        }
        self.remoteStart = remoteStart
    }

    /// The shop of `waybill` (below the count of `starts` and `shopOf`) when the waybill
    /// is judged (a located start place with an area), absent otherwise.
    @inline(__always)
    static func judgedShop(
        of waybill: Int, starts: UnsafeBufferPointer<ParcelStart>, area: UnsafeBufferPointer<UInt32>,
        shopOf: UnsafeBufferPointer<UInt32>
    ) -> UInt32 {
        let place = starts[waybill].place
        return place != IdDictionary.absent && area[Int(place)] != IdDictionary.absent ? shopOf[waybill] : IdDictionary.absent
    }

    /// A judged waybill in its shop's group: its start place, issuing outlet and first hub.
    struct ShopWaybill {
        var place: UInt32
        var outlet: UInt32
        var firstHub: FirstHub
    }

    /// Shop by shop (`shops`, each shop's judged waybills): its waybills per start place
    /// and whether each place is away from its home (`judgeShop`), then its waybills per
    /// outlet and how many start away. Returns per grouped waybill whether it starts away,
    /// and per outlet its client shops (at least `clientWaybills` waybills there) and those
    /// whose waybills there mostly start away. Dense per-place and per-outlet counters
    /// (`ShopCounters`, made once for all shops), reset through the lists of those a shop
    /// touched.
    static func judgeShops(
        _ shops: ValueGroups<ShopWaybill>, area: [UInt32], places: Int, outletCount: Int, minimumWaybills: Int,
        clientWaybills: Int
    ) -> (away: [Bool], clients: [Int], remote: [Int]) {
        let counters = ShopCounters(places: places, outlets: outletCount)
        let offsets = shops.offsets
        var away = [Bool](repeating: false, count: shops.values.count)
        shops.values.withUnsafeBufferPointer { values in
            area.withUnsafeBufferPointer { area in
                away.withUnsafeMutableBufferPointer { away in
                    for shop in 0..<(offsets.count - 1) where offsets[shop] < offsets[shop + 1] {
                        let group = offsets[shop]..<offsets[shop + 1]
                        counters.judge(
                            values[group], into: UnsafeMutableBufferPointer(rebasing: away[group]), area: area,
                            minimumWaybills: minimumWaybills, clientWaybills: clientWaybills)
                    }
                }
            }
        }
        return (away, Array(counters.clients), Array(counters.remote))
    }

    /// The counters of `judgeShops`, zeroed, as raw buffers made once: per place its
    /// waybills, per area its waybills and per place whether it is away (`judgeShop`), per
    /// outlet the shop's waybills there and those starting away, the places and outlets
    /// the shop touched; and per outlet its client shops and remote ones so far.
    final class ShopCounters {
        let placeWaybills: UnsafeMutableBufferPointer<Int>, areaWaybills: UnsafeMutableBufferPointer<Int>
        let placeAway: UnsafeMutableBufferPointer<Bool>
        let outletWaybills: UnsafeMutableBufferPointer<Int>, outletAway: UnsafeMutableBufferPointer<Int>
        let shopPlaces: UnsafeMutableBufferPointer<UInt32>, shopOutlets: UnsafeMutableBufferPointer<UInt32>
        let clients: UnsafeMutableBufferPointer<Int>, remote: UnsafeMutableBufferPointer<Int>

        init(places: Int, outlets: Int) {
            func zeroed<Value>(_ count: Int, _ zero: Value) -> UnsafeMutableBufferPointer<Value> {
                let buffer = UnsafeMutableBufferPointer<Value>.allocate(capacity: count)
                buffer.initialize(repeating: zero)
                return buffer
            }
            placeWaybills = zeroed(places, 0)
            areaWaybills = zeroed(places, 0)
            placeAway = zeroed(places, false)
            outletWaybills = zeroed(outlets, 0)
            outletAway = zeroed(outlets, 0)
            shopPlaces = zeroed(places, 0)
            shopOutlets = zeroed(outlets, 0)
            clients = zeroed(outlets, 0)
            remote = zeroed(outlets, 0)
        }

        deinit {
            for buffer in [placeWaybills, areaWaybills, outletWaybills, outletAway, clients, remote] { buffer.deallocate() }
            placeAway.deallocate()
            shopPlaces.deallocate()
            shopOutlets.deallocate()
        }

        /// One shop's judged waybills `values`: writes whether each starts away into `away`
        /// (as long), and counts the shop towards the `clients` and `remote` of its outlets.
        func judge(
            _ values: Slice<UnsafeBufferPointer<ShopWaybill>>, into away: UnsafeMutableBufferPointer<Bool>,
            area: UnsafeBufferPointer<UInt32>, minimumWaybills: Int, clientWaybills: Int
        ) {
            var touchedPlaces = 0, touchedOutlets = 0
            for waybill in values {
                let place = Int(waybill.place)
                if placeWaybills[place] == 0 {
                    shopPlaces[touchedPlaces] = waybill.place
                    touchedPlaces &+= 1
                }
                placeWaybills[place] &+= 1
            }
            let touched = UnsafeBufferPointer(rebasing: shopPlaces[..<touchedPlaces])
            ParcelOrigins.judgeShop(
                places: touched, waybills: UnsafeBufferPointer(placeWaybills), area: area,
                minimumWaybills: minimumWaybills, areaWaybills: areaWaybills, into: placeAway)
            for (index, waybill) in values.enumerated() {
                let outlet = Int(waybill.outlet), isAway = placeAway[Int(waybill.place)]
                away[index] = isAway
                guard outlet < outletWaybills.count else { continue }
                if outletWaybills[outlet] == 0 {
                    shopOutlets[touchedOutlets] = waybill.outlet
                    touchedOutlets &+= 1
                }
                outletWaybills[outlet] &+= 1
                outletAway[outlet] &+= isAway ? 1 : 0
            }
            for outlet in shopOutlets[..<touchedOutlets] {
                let outlet = Int(outlet)
                if outletWaybills[outlet] >= clientWaybills {
                    clients[outlet] &+= 1
                    remote[outlet] &+= 2 * outletAway[outlet] > outletWaybills[outlet] ? 1 : 0
                }
                outletWaybills[outlet] = 0
                outletAway[outlet] = 0
            }
            for place in touched { placeWaybills[Int(place)] = 0 }
        }
    }

    /// One shop's start places `places` (`waybills[p]` of its waybills start at place `p`):
    /// marks place `p` (area `a`) away in `away` when the shop's waybills at other places
    /// number at least `minimumWaybills` and some other area holds more of them than `a`
    /// does (not counting `p`'s), and local otherwise: a shop whose parcels all start in
    /// one area is a local client of its outlets, and a small shop is never called remote.
    /// `areaWaybills` is a zeroed per-area counter, zeroed again on return.
    static func judgeShop(
        places: UnsafeBufferPointer<UInt32>, waybills: UnsafeBufferPointer<Int>, area: UnsafeBufferPointer<UInt32>, minimumWaybills: Int,
        areaWaybills: UnsafeMutableBufferPointer<Int>, into away: UnsafeMutableBufferPointer<Bool>
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

    /// Per start place, its area: its origin hub (`originHubs`), with the hubs of one city
    /// joined. Carriers run their own hubs, so two outlets of one city may pass hubs with
    /// different codes; what ties those hubs to one city is the buyers living there, whose
    /// parcels from any carrier pass that carrier's hub there last. Two hubs are joined
    /// when at least `Rules.linkBuyers` buyers, and `Rules.linkShare` of the buyers of the
    /// less used one, receive parcels through both; a buyer receiving through more than
    /// `maximumBuyerHubs` hubs (several addresses, a reseller) joins none. Buyer ids are
    /// below `buyerCount`, place ids below `places`. Also returns, per place that is some
    /// place's origin hub, that hub's area (absent for the others).
    static func areas(
        _ starts: [ParcelStart], places: Int, buyerOfWaybill: [UInt32], buyerCount: Int, rules: Rules
    ) -> (area: [UInt32], hubArea: [UInt32]) {
        let absent = IdDictionary.absent
        let hubs = originHubs(starts, places: places)
        // Each buyer's last hubs, by counting sort; per buyer its hubs once each (`seenBy`
        // marks a hub with the last buyer counted there).
        let rows = min(starts.count, buyerOfWaybill.count)
        let buyers = starts.withUnsafeBufferPointer { starts in
            buyerOfWaybill.withUnsafeBufferPointer { buyerOf in
                ValueGroups(
                    rows: rows, groups: buyerCount, key: { starts[$0].lastHub == absent ? absent : buyerOf[$0] },
                    value: { starts[$0].lastHub })
            }
        }
        var buyersOfHub = [Int](repeating: 0, count: places)
        var seenBy = [UInt32](repeating: absent, count: places)
        var pairFirst: [UInt32] = [], pairSecond: [UInt32] = []
        var received: [UInt32] = []
        for buyer in 0..<buyerCount where buyers.offsets[buyer] < buyers.offsets[buyer + 1] {
            received.removeAll(keepingCapacity: true)
            seenBy.withUnsafeMutableBufferPointer { seenBy in
                for hub in buyers.values(of: buyer) where seenBy[Int(hub)] != UInt32(buyer) {
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
        let byFirst = EntityGroups(keys: pairFirst, entityCount: places)
        var root = (0..<UInt32(places)).map { $0 }
        func find(_ hub: UInt32) -> UInt32 {
            var hub = hub
            while root[Int(hub)] != hub { hub = root[Int(hub)] }
            return hub
        }
        var common = [Int](repeating: 0, count: places)
        var seconds: [UInt32] = []
        for first in 0..<places where byFirst.count(of: first) > 0 {
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
        var hubArea = [UInt32](repeating: absent, count: places)
        for hub in hubs where hub != absent { hubArea[Int(hub)] = find(hub) }
        return (hubs.map { $0 == absent ? absent : find($0) }, hubArea)
    }

    /// Buyers receiving through more hubs than this join none (see `areas`).
    static let maximumBuyerHubs = 6

    /// Per place, the transit place most waybills starting there pass first (ties: the
    /// smallest id), `IdDictionary.absent` for places no waybill with a transit starts at.
    static func originHubs(_ starts: [ParcelStart], places: Int) -> [UInt32] {
        let absent = IdDictionary.absent
        let firstHubs = starts.withUnsafeBufferPointer { starts in
            ValueGroups(
                rows: starts.count, groups: places, key: { starts[$0].firstHub == absent ? absent : starts[$0].place },
                value: { starts[$0].firstHub })
        }
        var area = [UInt32](repeating: absent, count: places)
        var passing = [Int](repeating: 0, count: places)
        // Per place: count its first hubs, then read them again, each hub judged (and its
        // counter zeroed) at its first appearance.
        area.withUnsafeMutableBufferPointer { area in
            passing.withUnsafeMutableBufferPointer { passing in
                for place in 0..<places where firstHubs.offsets[place] < firstHubs.offsets[place + 1] {
                    let transits = firstHubs.values(of: place)
                    for transit in transits { passing[Int(transit)] &+= 1 }
                    var best = 0
                    for transit in transits where passing[Int(transit)] > 0 {
                        let count = passing[Int(transit)]
                        passing[Int(transit)] = 0
                        if count > best || (count == best && transit < area[place]) {
                            best = count
                            area[place] = transit
                        }
                    }
                }
            }
        }
        return area
    }
}
