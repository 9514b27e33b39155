import Columnar
import Foundation

/// Bursts of low ratings on a shop against its own history, in the manner of BirdNest
/// (Hooi et al., SDM 2016): an attack must land many low ratings on its victim in a
/// short time, from accounts that are not its customers, so the victim's unbacked low
/// ratings (no own order, only a trivially cheap one, or a ticket: one of the cheapest
/// items of its catalogue, which a sleeper buys and waits for) in that window far exceed
/// both its usual rate of them and their usual share among all its ratings. A
/// genuinely bad shop gets low ratings steadily, nearly all from real purchases, and a
/// sale brings ratings of every kind, so neither makes a burst. The raters of a burst
/// are the attack; the shops those raters also buy from, far more than other buyers
/// do, are the sponsors that ordered it. A slow, camouflaged attack makes no burst; there
/// the crews `CoComplainerDetector` finds (raters sharing drive-by complaints on two
/// shops) stand in for its raters. A crew member who praised the sponsor and
/// complained about its victim carries the crew's link, however few its ratings and
/// wherever in time they fall; also where no attack is found, the crew's pay shows on its
/// own: the victim's one-off complainers praise one shop far beyond chance, and buy at
/// the shops their hirer sends them to (`rivalPairs`, `crewShops`). Without orders (a bare rating network) no
/// rating is backed and every low rating counts.
public struct RatingBurstDetector: SharingDetector {
    public init() {}

    public var name: String { "rating bursts" }

    public var parameters: [Parameter] {
        RatingFacts.parameters + Self.crewParameters + [
            Parameter("malicious_ratings.burst_window_seconds", 43_200, "half-width of the smallest window around a low rating"),
            Parameter("malicious_ratings.burst_scales", 5, "most windows tried, each three times wider than the last, none wider than half the ratings' time span (1, 3, 9 and 27 days on 60 days of ratings)"),
            Parameter("malicious_ratings.burst_min_low", 5, "fewest low ratings in a window for it to be a burst"),
            Parameter("malicious_ratings.sponsor_min_attackers", 5, "fewest raters of one attack buying from a shop to tie the shop to it"),
            Parameter("malicious_ratings.sponsor_min_lift", 20, "how many times more often than buyers at large the attackers must buy from a shop to tie it"),
            Parameter("malicious_ratings.praise_stars", 4, "a rating with at least this many stars praises the shop"),
        ]
    }

    /// The co-complainer test's keys that the sponsor test reads to find crews: its own
    /// parameters and its signal's threshold, declared here as there (the first
    /// declaration stands), so this detector runs alone too.
    static var crewParameters: [Parameter] {
        let crews = CoComplainerDetector(), surprise = crews.signals[0]
        return crews.parameters + [Parameter(Self.crewThresholdKey, surprise.threshold, surprise.description)]
    }

    /// The key of the co-complainer signal's threshold: a crew at or above it is an attack.
    static let crewThresholdKey = "signals.rater_co_complainer_surprise.threshold"

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "rater_burst", entityKind: .buyer, category: .maliciousRatings,
                description: "largest burstiness of a low rating of the rater: unbacked low ratings of the shop in a window around it over those its history predicts",
                threshold: 3, saturation: 6, weight: 0.45),
            SignalDefinition(
                name: "rater_ticket_excess", entityKind: .buyer, category: .maliciousRatings,
                description: "-log10 chance that as many of the shop's backed complaints fall on tickets, given those items' share of its orders, for the shop of the rater's ticket-backed low rating (a slow sleeper attack makes no burst, but only tickets)",
                threshold: 3, saturation: 6, weight: 0.45),
            SignalDefinition(
                name: "rater_sponsor_link_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings on a victim of an attack whose sponsor (a shop its raters buy from far more than buyers at large) the rater praised on its own order, or, for a one-off complaint, on a victim whose one-off complainers praise, far beyond chance, a shop the rater praised on its own order",
                threshold: 0.5, saturation: 0.9, weight: 0.4),
            SignalDefinition(
                name: "rater_crew_purchase_shops", entityKind: .buyer, category: .maliciousRatings,
                description: "most shops the rater bought at (never complained about) that the one-off complainers of a shop it complained about once buy at far beyond chance: a hired account buys where its hirer sends it (a studio's clients, the sponsor), an honest complainer shopping there meets one such shop",
                threshold: 2, saturation: 4, weight: 0.5),
            SignalDefinition(
                name: "shop_attack_sponsor_share", entityKind: .shop, category: .maliciousRatings,
                description: "largest share of the hired raters (those buying far more than buyers at large at this or another shop; all raters where they do not praise this one) of a burst on another shop (or, where it has no burst, of a crew sharing drive-by complaints on it and one more shop) who buy from this shop (far more than buyers at large do)",
                threshold: 0.3, saturation: 0.6, weight: 0.7),
            SignalDefinition(
                name: "shop_attackers_praise_share", entityKind: .shop, category: .maliciousRatings,
                description: "share of the shop's orders from the raters of its competitor's burst (or crew) that they rate highly: sinking a rival, lifting oneself",
                threshold: 0.4, saturation: 0.7, weight: 0.4),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let ratings = export.ratings
        let facts = memo.facts(config: config)
        let accountCount = export.dictionaries.accounts.count
        let span = max(1, (ratings.createdAt.max() ?? 0) - (ratings.createdAt.min() ?? 0))
        let halfWindows = Self.halfWindows(
            base: Int64(config["malicious_ratings.burst_window_seconds"]),
            scales: Int(config["malicious_ratings.burst_scales"]), span: span)
        let purchases = memo.purchases(config: config, threads: threads)
        let backing = purchases.backing
        // A rater's own complaint backed by a real purchase is a customer's, even inside
        // an attack's window: only unbacked low ratings make and share a burst. A sleeper
        // attack is backed by tickets (the catalogue's cheapest items, bought to be allowed
        // to rate), so the shop's history is read twice: its unbacked low ratings alone,
        // and with its tickets beyond what its customers' complaints explain, where a
        // window needs as many such tickets as a burst needs ratings (a customer who bought
        // a cheap item and complains inside an attack without orders does not share that
        // attack's burst). Honest tickets in the second reading's history raise what it
        // expects, so the first still judges attacks without orders as before.
        let tickets = purchases.tickets
        let unbackedLow = facts.low.indices.map { facts.low[$0] && backing[$0] != .genuine }
        let ticketLow = facts.low.indices.map { facts.low[$0] && tickets.rating[$0] }
        let customerLow = facts.low.indices.map { facts.low[$0] && backing[$0] == .genuine && !ticketLow[$0] }
        let byShop = EntityGroups(keys: ratings.shop, entityCount: accountCount, orderedBy: ratings.createdAt)
        let minimumLow = Int(config["malicious_ratings.burst_min_low"])
        let unbackedBurst = Self.burstiness(
            byShop: byShop, low: unbackedLow, times: ratings.createdAt, halfWindows: halfWindows, span: span,
            minimumLow: minimumLow, threads: threads)
        let ticketBurst = Self.burstiness(
            byShop: byShop, low: zip(unbackedLow, ticketLow).map { $0 || $1 }, times: ratings.createdAt,
            halfWindows: halfWindows, span: span, minimumLow: minimumLow, threads: threads,
            tickets: Tickets(low: ticketLow, customerLow: customerLow, shopShare: tickets.shopShare))
        let burst = zip(unbackedBurst, ticketBurst).map { max($0, $1) }

        let raterDefinition = signal("rater_burst", config)
        let raterValues = (0..<facts.lowByRater.entityCount).map { rater -> Double in
            let rows = facts.lowByRater.rows(of: rater)
            return rows.isEmpty ? .nan : rows.map { burst[Int($0)] }.max()!
        }
        let inBurst = burst.map { $0 >= raterDefinition.threshold }
        // An attack is a victim's burst ratings, as many as a burst needs at least.
        let attacks = Self.attacks(lowByShop: facts.lowByShop, inBurst: inBurst, raters: ratings.buyer)
            .filter { $0.ratings.count >= minimumLow }
        let praiseStars = UInt8(clamping: Int(config["malicious_ratings.praise_stars"]))
        let minimumAttackers = Int(config["malicious_ratings.sponsor_min_attackers"])
        // A crew spread over weeks makes no burst, but its members still complain together
        // on the sponsor's victims (`CoComplainerDetector`): each such crew is an attack
        // too when the sponsor test looks for who paid. A crew member's 3-star drive-by
        // complaint is no purchase from a sponsor either: the other shop of its pair is a
        // fellow victim.
        //
        // A one-off complaint (at most one order at the shop, whatever it cost) is a
        // drive-by when that order is no real purchase; without the orders the ratings
        // name, no complaint can be told a one-off. The orders grouped by buyer serve
        // both readings and the sponsor test; the scan's memo holds them.
        let buyers = memo.buyers
        let crews = facts.hasOrders ? memo.crews(config: config, threads: threads) : nil
        let oneOff = crews?.oneOff ?? [Bool](repeating: false, count: ratings.count)
        let crewAttacks = attacks
            + (crews.map {
                Self.crewAttacks(crews: $0.pairs, threshold: config[Self.crewThresholdKey], bursting: Set(attacks.map(\.victim)))
            } ?? [])
        let complaint = crews.map { zip(facts.low, $0.driveBy).map { $0 || $1 } } ?? facts.low
        // Only an attack with enough attackers reads the shops' catalogue weights.
        let sponsors = Self.sponsors(
            of: crewAttacks, orders: export.orders, buyers: buyers, ratings: ratings, low: complaint,
            minimumAttackers: minimumAttackers, minimumLift: config["malicious_ratings.sponsor_min_lift"],
            praiseStars: praiseStars, paidPraise: signal("shop_attackers_praise_share", config).threshold,
            catalogueGrams: crewAttacks.contains { $0.raters.count >= minimumAttackers }
                ? RatingFacts.catalogueGrams(export, threads: threads) : [])

        let names = export.dictionaries.accounts
        let findings = attacks.map { attack in
            let times = attack.ratings.map { ratings.createdAt[Int($0)] }
            return Finding(
                category: .maliciousRatings,
                title: "victim shop \(names.string(attack.victim)): \(Finding.counted(attack.ratings.count, "low rating")) in bursts by "
                    + "\(Finding.counted(attack.raters.count, "rater")), \(UnixTime.iso8601(times.min()!))..\(UnixTime.iso8601(times.max()!))",
                members: ["shop:" + names.string(attack.victim)]
                    + sponsors.tied.filter { $0.attack == attack.victim }.map { "sponsor:" + names.string($0.sponsor) }
                    + attack.raters.prefix(40).map { "buyer:" + names.string($0) })
        }
        let sponsorThreshold = signal("shop_attack_sponsor_share", config).threshold
        let praise = Self.ownPraise(ratings: ratings, orders: export.orders, praiseStars: praiseStars)
        // A crew's praise of its sponsor shows without a burst: one-off complainers of
        // the victim praising the same shop far beyond chance.
        let oneOffKeys = BuyerShops.distinctKeys(buyers: ratings.buyer, shops: ratings.shop) { oneOff[$0] }
        func rivalPairs(sharing others: [UInt64]) -> Set<UInt64> {
            Self.rivalPairs(
                complaints: oneOffKeys, others: others, accountCount: accountCount,
                minimumRaters: Int(config["malicious_ratings.co_complainer_min_raters"]),
                maximumShops: Int(config["malicious_ratings.co_complainer_max_shops"]),
                threshold: config[Self.crewThresholdKey])
        }
        let rivals = rivalPairs(sharing: BuyerShops.distinctKeys(buyers: ratings.buyer, shops: ratings.shop) { praise[$0] })
        // A hired account buys where its hirer sends it: the victim's one-off complainers
        // buy at several shops far beyond chance, and each member at several of them.
        let driveByStars = UInt8(clamping: Int(config["malicious_ratings.drive_by_stars"]))
        let bought = facts.hasOrders
            ? Self.boughtShops(
                purchased: memo.purchasedShops.keys, ratings: ratings, complaint: ratings.stars.map { $0 <= driveByStars })
            : []
        let boughtRivals = rivalPairs(sharing: bought)
        let pairedVictims = Set(boughtRivals.map { UInt32(truncatingIfNeeded: $0 >> 32) })
        let crewShops = Self.crewShops(complaints: oneOffKeys, bought: bought, rivals: boughtRivals, accountCount: accountCount)
        let linked = Self.sponsorLinked(
            ties: sponsors.tied.filter { $0.share >= sponsorThreshold }, rivals: rivals, ratings: ratings,
            low: facts.low, oneOff: oneOff, praise: praise)
        let excessDefinition = signal("rater_ticket_excess", config)
        let shopExcess = Self.ticketSurprise(
            shops: ratings.shop, ticketLow: ticketLow, customerLow: customerLow, shopShare: tickets.shopShare)
        let ratingExcess = ratings.shop.indices.map { ticketLow[$0] ? shopExcess[Int(ratings.shop[$0])] : 0 }
        let excessValues = (0..<facts.lowByRater.entityCount).map { rater -> Double in
            let rows = facts.lowByRater.rows(of: rater)
            return rows.isEmpty ? .nan : rows.map { ratingExcess[Int($0)] }.max()!
        }
        return DetectorOutput(
            signals: [
                facts.raterColumn(raterDefinition, values: raterValues, flagged: { inBurst[$0] }, export: export),
                facts.raterColumn(
                    excessDefinition, values: excessValues, flagged: { ratingExcess[$0] >= excessDefinition.threshold },
                    export: export),
                facts.raterColumn(
                    signal("rater_sponsor_link_share", config),
                    values: RowKernels.share(groups: facts.lowByRater) { linked[$0] }, flagged: { linked[$0] },
                    export: export),
                RatingFacts.raterColumn(
                    signal("rater_crew_purchase_shops", config), values: crewShops,
                    groups: EntityGroups(keys: RatingFacts.keep(ratings.buyer, where: oneOff), entityCount: accountCount),
                    flagged: { pairedVictims.contains(ratings.shop[$0]) }, export: export),
                sponsorColumn("shop_attack_sponsor_share", config, values: sponsors.share, sponsors: sponsors, export: export),
                sponsorColumn("shop_attackers_praise_share", config, values: sponsors.praise, sponsors: sponsors, export: export),
            ],
            findings: findings)
    }

    /// A shop signal whose evidence names the victim shops (so their credit can be
    /// restored) and the attackers' orders at the sponsor.
    private func sponsorColumn(
        _ name: String, _ config: DetectionConfig, values: [Double], sponsors: Sponsors, export: Export
    ) -> SignalColumn {
        let definition = signal(name, config)
        var victims: [UInt32: [EvidenceSample]] = [:], orders: [UInt32: [EvidenceSample]] = [:]
        // A sponsor tied twice to one victim (by its burst's raters and by a crew, or by two
        // crews) names the victim and each order once.
        var named = Set<UInt64>(), listed = Set<UInt64>()
        for tie in sponsors.tied where values[Int(tie.sponsor)] >= definition.threshold {
            if named.insert(UInt64(tie.sponsor) << 32 | UInt64(tie.attack)).inserted {
                victims[tie.sponsor, default: []].append(
                    EvidenceSample(.entity, "victim shop " + export.dictionaries.accounts.string(tie.attack)))
            }
            orders[tie.sponsor, default: []] += tie.orders.filter { listed.insert(UInt64(tie.sponsor) << 32 | UInt64($0)).inserted }
                .map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        // Victims first (their credit is to be restored), then orders, within the limit.
        var samples: [UInt32: [EvidenceSample]] = [:]
        for (sponsor, named) in victims {
            samples[sponsor] = Array((named + orders[sponsor, default: []]).prefix(SignalColumn.sampleLimit))
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }

    /// The half-widths of the burst windows: `base` times 1, 3, 9 ... for at most
    /// `scales` windows, none wider than half of `span`, so that a shop always has at
    /// least as much history outside a window as inside it (a window covering nearly
    /// all of it would compare the shop with a sliver of itself). At least `base`.
    static func halfWindows(base: Int64, scales: Int, span: Int64) -> [Int64] {
        var halves = [max(1, base)]
        while halves.count < scales, 2 * halves.last! * 3 <= span / 2 { halves.append(halves.last! * 3) }
        return halves
    }

    /// Per rating: for a `low` one (the detector passes the unbacked low ratings), the
    /// largest over `halfWindows` of `k / (e + 1)`, where `k` counts the shop's low
    /// ratings within the half-width of it and `e` is what the shop's ratings outside
    /// the window predict for it: the larger of its outside rate of low ratings times
    /// the window length, and its outside share of low ratings (smoothed by one low and
    /// one other) times the ratings inside the window. 0 for ratings that are not low
    /// or windows with fewer than `minimumLow` low ratings. `byShop` holds every rating
    /// of each shop in time order; O(ratings x scales) with two pointers.
    ///
    /// With `tickets`, a window's low tickets count only beyond what its customers' low
    /// ratings (genuine, no ticket) explain: a real wave of complaints (a bad batch, a
    /// slow courier) falls on the shop's cheapest items in proportion to their sales, so
    /// `c` such complaints explain up to `c x share / (1 - share)` tickets, `share` being
    /// the shop's orders of ticket items. A sleeper attack brings tickets alone.
    static func burstiness(
        byShop: EntityGroups, low: [Bool], times: Column<Int64>, halfWindows: [Int64], span: Int64, minimumLow: Int,
        threads: Int, tickets: Tickets? = nil
    ) -> [Double] {
        let output = DisjointRows<Double>(count: low.count, initial: 0)
        _ = ParallelRows.map(count: byShop.entityCount, threads: threads) { shops -> Int in
            var lowBefore: [Int] = [], ticketsBefore: [Int] = [], customersBefore: [Int] = []
            for shop in shops {
                let rows = Array(byShop.rows(of: shop))
                let count = rows.count
                lowBefore.removeAll(keepingCapacity: true)
                lowBefore.append(0)
                for row in rows { lowBefore.append(lowBefore.last! + (low[Int(row)] ? 1 : 0)) }
                ticketsBefore.removeAll(keepingCapacity: true)
                customersBefore.removeAll(keepingCapacity: true)
                var odds = 0.0
                if let tickets {
                    let share = min(tickets.shopShare[shop], 0.99)
                    odds = share / (1 - share)
                    ticketsBefore.append(0)
                    customersBefore.append(0)
                    for row in rows {
                        ticketsBefore.append(ticketsBefore.last! + (tickets.low[Int(row)] ? 1 : 0))
                        customersBefore.append(customersBefore.last! + (tickets.customerLow[Int(row)] ? 1 : 0))
                    }
                }
                let totalLow = lowBefore[count]
                guard totalLow >= minimumLow else { continue }
                var best = [Double](repeating: 0, count: count)
                for half in halfWindows {
                    var first = 0, end = 0
                    for index in 0..<count {
                        let at = times[Int(rows[index])]
                        while times[Int(rows[first])] < at - half { first += 1 }
                        while end < count && times[Int(rows[end])] <= at + half { end += 1 }
                        guard low[Int(rows[index])] else { continue }
                        let inside = lowBefore[end] - lowBefore[first]
                        var counted = Double(inside)
                        if !ticketsBefore.isEmpty {
                            let ticketsInside = Double(ticketsBefore[end] - ticketsBefore[first])
                            let customersInside = Double(customersBefore[end] - customersBefore[first])
                            let unexplained = ticketsInside - min(ticketsInside, customersInside * odds)
                            guard unexplained >= Double(minimumLow) else { continue }
                            counted -= ticketsInside - unexplained
                        }
                        guard counted >= Double(minimumLow) else { continue }
                        let outsideLow = Double(totalLow - inside), outsideAll = Double(count - (end - first))
                        let width = Double(2 * half)
                        let byRate = outsideLow * width / max(Double(span) - width, width)
                        let byShare = (outsideLow + 1) / (outsideAll + 2) * Double(end - first)
                        best[index] = max(best[index], counted / (max(byRate, byShare) + 1))
                    }
                }
                for index in 0..<count where best[index] > 0 { output.set(Int(rows[index]), best[index]) }
            }
            return 0
        }
        return output.result
    }

    /// Per rating, whether it is a low rating backed by a ticket (`RatingFacts.purchases`) or a
    /// customer's low rating (genuine, no ticket); per shop, the share of its orders that
    /// are of ticket items.
    struct Tickets {
        var low: [Bool]
        var customerLow: [Bool]
        var shopShare: [Double]
    }

    /// Per shop, how surprising its ticket-backed complaints are among its backed ones:
    /// `-log10 P(X >= tickets)` for `X` binomial over its ticket and customer low ratings
    /// at `shopShare`, the share of its orders that are of ticket items. Customers
    /// complain about what they buy, so their complaints fall on ticket items about as
    /// often as those items sell; a sleeper attack, however slowly it posts, adds
    /// complaints on tickets alone.
    static func ticketSurprise(shops: Column<UInt32>, ticketLow: [Bool], customerLow: [Bool], shopShare: [Double]) -> [Double] {
        var ticketCount = [Int](repeating: 0, count: shopShare.count), backedCount = ticketCount
        for row in shops.indices where ticketLow[row] || customerLow[row] {
            backedCount[Int(shops[row])] += 1
            if ticketLow[row] { ticketCount[Int(shops[row])] += 1 }
        }
        return shopShare.indices.map { shop in
            Chance.betaBinomialSurprise(
                count: ticketCount[shop], trials: backedCount[shop], share: shopShare[shop], correlation: 0)
        }
    }

    /// Per rating, whether it is a low rating of a victim whose attack `ties` name a
    /// sponsor that the rater praised (`praise`, per rating: `ownPraise`), or a one-off
    /// complaint (`oneOff`) on a victim that `rivals` pairs (`victim << 32 | shop`,
    /// `rivalPairs` over praise) with a shop the rater praised. A crew is paid to sink the victim
    /// and, often, to lift the sponsor; a member with one complaint, outside the attack's
    /// burst or where none shows, still carries the crew's link. A customer of the victim
    /// who also likes the sponsor praises it too, but rarely alone: the signal weighs like
    /// an unbacked rating, short of key scrutiny.
    static func sponsorLinked(
        ties: [Sponsors.Tie], rivals: Set<UInt64>, ratings: RatingsTable, low: [Bool], oneOff: [Bool], praise: [Bool]
    ) -> [Bool] {
        var sponsorsOf: [UInt32: Set<UInt32>] = [:]
        for tie in ties { sponsorsOf[tie.attack, default: []].insert(tie.sponsor) }
        var rivalsOf: [UInt32: [UInt32]] = [:]
        for pair in rivals { rivalsOf[UInt32(truncatingIfNeeded: pair >> 32), default: []].append(UInt32(truncatingIfNeeded: pair)) }
        guard !sponsorsOf.isEmpty || !rivalsOf.isEmpty else { return [Bool](repeating: false, count: ratings.count) }
        var praised = Set<UInt64>()
        for row in 0..<ratings.count where praise[row] { praised.insert(UInt64(ratings.buyer[row]) << 32 | UInt64(ratings.shop[row])) }
        return (0..<ratings.count).map { row in
            guard low[row] else { return false }
            let rater = UInt64(ratings.buyer[row]) << 32
            if let sponsors = sponsorsOf[ratings.shop[row]], sponsors.contains(where: { praised.contains(rater | UInt64($0)) }) {
                return true
            }
            guard oneOff[row], let shops = rivalsOf[ratings.shop[row]] else { return false }
            return shops.contains { praised.contains(rater | UInt64($0)) }
        }
    }

    /// Per rating, whether it praises the shop (at least `praiseStars`) on the rater's own
    /// order there. Checked here by hand, not read off `RatingFacts.backing`, which also
    /// leaves out cancelled orders: praise on a cancelled order still links a crew.
    static func ownPraise(ratings: RatingsTable, orders: OrdersTable, praiseStars: UInt8) -> [Bool] {
        (0..<ratings.count).map { row in
            guard ratings.stars[row] >= praiseStars, ratings.order[row] != IdDictionary.absent else { return false }
            let order = Int(ratings.order[row])
            return orders.buyer[order] == ratings.buyer[row] && orders.shop[order] == ratings.shop[row]
        }
    }

    /// The low ratings of one victim shop that fall in bursts, and their raters.
    struct Attack: Sendable {
        var victim: UInt32
        var ratings: [UInt32]
        /// Distinct raters, ascending.
        var raters: [UInt32]
    }

    /// One attack per shop with low ratings in bursts, in shop order.
    static func attacks(lowByShop: EntityGroups, inBurst: [Bool], raters: Column<UInt32>) -> [Attack] {
        (0..<lowByShop.entityCount).compactMap { shop in
            let rows = lowByShop.rows(of: shop).filter { inBurst[Int($0)] }
            guard !rows.isEmpty else { return nil }
            return Attack(victim: UInt32(shop), ratings: rows, raters: Array(Set(rows.map { raters[Int($0)] })).sorted())
        }
    }

    /// The attacks of crews found by their shared drive-by complaints: per pair of shops
    /// (`crews.best`) of accounts whose surprise (`crews.value`) reaches `threshold`, one
    /// attack on each shop of the pair by those accounts, without burst ratings, except
    /// on a `bursting` shop. They stand in for the burst a slow, camouflaged attack does
    /// not make; where a burst shows, its raters are the attack. A pair's complainers
    /// pool every crew sinking the same two popular shops, several sponsors' and the
    /// brushing studios' accounts lent to them, and those accounts buy at every client of
    /// their studio: pooled with a burst's raters they only thin each sponsor's share,
    /// and beside a burst they tie the studio's other clients. In pair order, raters
    /// ascending.
    static func crewAttacks(crews: (value: [Double], best: [UInt64]), threshold: Double, bursting: Set<UInt32>)
        -> [Attack]
    {
        var members: [UInt64: [UInt32]] = [:]
        for account in crews.value.indices where crews.value[account] >= threshold {
            members[crews.best[account], default: []].append(UInt32(account))
        }
        return members.keys.sorted().flatMap { pair in
            [UInt32(truncatingIfNeeded: pair >> 32), UInt32(truncatingIfNeeded: pair)]
                .filter { !bursting.contains($0) }
                .map { Attack(victim: $0, ratings: [], raters: members[pair]!) }
        }
    }

    /// Shops tied to attacks, with the signals' values per shop.
    struct Sponsors: Sendable {
        struct Tie: Sendable {
            var sponsor: UInt32
            /// The victim shop of the attack.
            var attack: UInt32
            /// The attackers' orders at the sponsor.
            var orders: [UInt32]
            /// The share of the attack's hired raters (those buying at any lifted shop;
            /// all its raters where the attackers do not praise the sponsor) buying from it.
            var share: Double
        }
        var tied: [Tie] = []
        /// Per shop, the largest share of an attack's hired raters buying there (`.nan` if never tied).
        var share: [Double]
        /// Per shop, the share of the tied attackers' orders there that they rated highly.
        var praise: [Double]
    }

    /// The shops where at least `minimumAttackers` raters of an attack buy, at least
    /// `minimumLift` times as often as buyers at large buy there. An order a rater rated
    /// low (`low`, per rating) is no purchase from a sponsor: one crew attacks several
    /// victims, and its orders at one victim, each backing a complaint, must not make that
    /// victim look like the sponsor of the attack on another. Where the attackers praise
    /// the shop on at least `paidPraise` of their orders there (the crew's pay), a tie's
    /// share counts them among the attack's hired raters (those at any shop passing the
    /// lift test), else among all its raters: a shop its attackers merely buy at hired
    /// no one, and would otherwise take a whole attack's share alone.
    ///
    /// A shop is not tied when its attackers' purchases are explained by another shop
    /// nearer the victim's market (`explainedElsewhere`), or when it is one of a studio's
    /// other clients beside a shop that hired a crew of its own (`studioClients`): a
    /// brushing studio lends some of its accounts to one client's attack, and those
    /// accounts buy at every client of the studio. `catalogueGrams` (per shop,
    /// `RatingFacts.catalogueGrams`; empty or `.nan` where unknown) says which of two
    /// shops is nearer the victim's market. `buyers` groups `orders` by buyer (the
    /// caller's, read by its other tests too).
    static func sponsors(
        of attacks: [Attack], orders: OrdersTable, buyers byBuyer: EntityGroups, ratings: RatingsTable, low: [Bool],
        minimumAttackers: Int, minimumLift: Double, praiseStars: UInt8, paidPraise: Double,
        catalogueGrams: [Double] = []
    ) -> Sponsors {
        let entityCount = byBuyer.entityCount
        let buyerCount = (0..<entityCount).reduce(0) { $0 + (byBuyer.count(of: $1) > 0 ? 1 : 0) }
        var shopBuyers = [Int](repeating: 0, count: entityCount)
        var lastBuyer = [UInt32](repeating: .max, count: entityCount)
        for buyer in 0..<entityCount {
            for row in byBuyer.rows(of: buyer) where lastBuyer[Int(orders.shop[Int(row)])] != UInt32(buyer) {
                lastBuyer[Int(orders.shop[Int(row)])] = UInt32(buyer)
                shopBuyers[Int(orders.shop[Int(row)])] += 1
            }
        }
        var praised = [Bool](repeating: false, count: orders.count)
        var complained = [Bool](repeating: false, count: orders.count)
        for row in 0..<ratings.count where ratings.order[row] != IdDictionary.absent {
            if ratings.stars[row] >= praiseStars { praised[Int(ratings.order[row])] = true }
            if row < low.count && low[row] { complained[Int(ratings.order[row])] = true }
        }
        var result = Sponsors(
            share: [Double](repeating: .nan, count: entityCount), praise: [Double](repeating: .nan, count: entityCount))
        var seenBy = [UInt32](repeating: .max, count: entityCount)
        for attack in attacks where attack.raters.count >= minimumAttackers {
            // Per touched shop, the attack's raters buying there (their indices, ascending).
            var attackersOf: [UInt32: [Int]] = [:]
            for (index, rater) in attack.raters.enumerated() {
                for row in byBuyer.rows(of: Int(rater)) where !complained[Int(row)] {
                    let shop = orders.shop[Int(row)]
                    guard shop != attack.victim, seenBy[Int(shop)] != rater else { continue }
                    seenBy[Int(shop)] = rater
                    attackersOf[shop, default: []].append(index)
                }
            }
            // How many times as often as buyers at large the attack's raters buy at `shop`.
            func lift(_ shop: UInt32, attackers: Int) -> Double {
                Double(attackers) / Double(attack.raters.count) / (Double(shopBuyers[Int(shop)]) / Double(max(1, buyerCount)))
            }
            let candidates = attackersOf.filter { $0.value.count >= minimumAttackers }
            let lifted = Set(candidates.filter { lift($0.key, attackers: $0.value.count) >= minimumLift }.keys)
            // The attack's hired raters: those buying at some lifted shop. A burst on a
            // market leader sweeps in complaints of no one's crew, as many as the victim is
            // big, and several rivals' crews sink the same leader at once; a shop its
            // attackers praise paid for its part of the hired raters.
            var hired = Set<Int>()
            for shop in lifted { hired.formUnion(candidates[shop]!) }
            let bystanders = Self.studioClients(lifted: lifted, candidates: candidates)
            for shop in attackersOf.keys.sorted() {
                let attackers = attackersOf[shop]!.count
                seenBy[Int(shop)] = .max
                guard attackers >= minimumAttackers, lift(shop, attackers: attackers) >= minimumLift,
                    !bystanders.contains(shop),
                    !Self.explainedElsewhere(
                        shop, victim: attack.victim, candidates: candidates, lifted: lifted, catalogueGrams: catalogueGrams)
                else { continue }
                let tiedOrders = attack.raters.flatMap { rater in
                    byBuyer.rows(of: Int(rater)).filter { orders.shop[Int($0)] == shop && !complained[Int($0)] }
                }.sorted()
                let praise = Double(tiedOrders.filter { praised[Int($0)] }.count) / Double(tiedOrders.count)
                let share = Double(attackers) / Double(praise >= paidPraise ? hired.count : attack.raters.count)
                result.share[Int(shop)] = max(result.share[Int(shop)].isNaN ? 0 : result.share[Int(shop)], share)
                result.praise[Int(shop)] = max(result.praise[Int(shop)].isNaN ? 0 : result.praise[Int(shop)], praise)
                result.tied.append(Sponsors.Tie(sponsor: shop, attack: attack.victim, orders: tiedOrders, share: share))
            }
        }
        return result
    }

    /// Whether the attack's raters who buy at `shop` all buy at another shop
    /// (`candidates`: per shop, the indices of the attack's raters buying there, ascending)
    /// where more of them buy and that is at least as near the victim's market, or where
    /// exactly the same raters buy and that is nearer. The market is the ratio of typical
    /// parcel weights (`catalogueGrams`, a shop's catalogue), taken on a log scale. A
    /// sponsor hires its attack to sink a competitor, one selling what the victim sells;
    /// a brushing studio whose accounts join the attack of one client buys at all its
    /// clients, so the others look tied through the same accounts, each a subset of those
    /// at the client that ordered the attack. Which of two nested shops ordered it is read
    /// from the market, the only thing that tells them apart when one's attackers are all
    /// the other's; a shop with raters of its own (a crew of its own) is never explained.
    /// Where the market of either shop (or the victim's) is unknown (no weights), the
    /// tie is made only with the evidence there is: a shop whose attackers all buy where
    /// more of them buy is explained by that shop, and of two shops with exactly the same
    /// attackers neither is tied, since only the market could say which ordered the
    /// attack; the other shop must then itself be bought from far more than by buyers at
    /// large (in `lifted`), as a client of the studio is and a shop everyone buys from is not.
    static func explainedElsewhere(
        _ shop: UInt32, victim: UInt32, candidates: [UInt32: [Int]], lifted: Set<UInt32>, catalogueGrams: [Double]
    ) -> Bool {
        func distance(_ other: UInt32) -> Double {
            guard Int(other) < catalogueGrams.count, Int(victim) < catalogueGrams.count else { return .nan }
            return abs(log(catalogueGrams[Int(other)] / catalogueGrams[Int(victim)]))
        }
        guard let own = candidates[shop] else { return false }
        let reach = distance(shop)
        return candidates.contains { other, attackers in
            guard other != shop, attackers.count >= own.count else { return false }
            let otherReach = distance(other)
            let nearer = reach.isNaN || otherReach.isNaN
                ? lifted.contains(other) : attackers.count > own.count ? otherReach <= reach : otherReach < reach
            return nearer && Self.isSubset(own, of: attackers)
        }
    }

    /// The `lifted` shops that are only a brushing studio's other clients, where another
    /// lifted shop hired a crew of its own. A shop has a crew of its own when some of the
    /// attack's raters buying there (`candidates`: per shop, the indices of the attack's
    /// raters buying there) buy at no other lifted shop. A studio lends accounts to a
    /// client's attack and those accounts brush at all its clients: where the client that
    /// ordered the attack also hired raters of its own, each of the other clients' raters
    /// buys at another lifted shop without a crew, the studio's other clients. Not having
    /// a crew of its own is no bystander's mark alone: one crew hired by several sponsors
    /// of a market buys at each of them (held-out seed 101 c0: a true sponsor whose raters
    /// all buy at the other sponsors, each with a crew of its own); and where no lifted
    /// shop has a crew (the whole attack a studio's lent accounts), none is a bystander
    /// here and the market decides (`explainedElsewhere`). Nor where one lifted shop is
    /// bought at by every rater buying at any: all the accounts are then that shop's (a
    /// ring that also sends some of them to its other clients), its raters bought nowhere
    /// else are members sent nowhere else rather than a crew beside the studio's, and the
    /// accounts tell no more than in a whole attack of lent accounts (our generator's
    /// ring at camouflage 1, whose labelled sponsor is a client nested in that shop).
    static func studioClients(lifted: Set<UInt32>, candidates: [UInt32: [Int]]) -> Set<UInt32> {
        // Per rater (by index), how many of `shops` it buys at.
        func shopsPerRater(_ shops: Set<UInt32>) -> [Int: Int] {
            var count: [Int: Int] = [:]
            for shop in shops { for index in candidates[shop]! { count[index, default: 0] += 1 } }
            return count
        }
        let liftedShops = shopsPerRater(lifted)
        let crewless = lifted.filter { shop in !candidates[shop]!.contains { liftedShops[$0] == 1 } }
        guard crewless.count < lifted.count,
            !lifted.contains(where: { candidates[$0]!.count == liftedShops.count }) else { return [] }
        let crewlessShops = shopsPerRater(crewless)
        return crewless.filter { shop in candidates[shop]!.allSatisfy { crewlessShops[$0]! >= 2 } }
    }

    /// Whether every element of ascending `small` is in ascending `large` (one merge pass).
    static func isSubset(_ small: [Int], of large: [Int]) -> Bool {
        var position = 0
        for element in small {
            while position < large.count && large[position] < element { position += 1 }
            guard position < large.count, large[position] == element else { return false }
            position += 1
        }
        return true
    }
}
