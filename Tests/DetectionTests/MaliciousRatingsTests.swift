import Columnar
import Foundation
import Testing
import TestSupport

@testable import Detection

/// Random orders and ratings over a few buyers and shops, so that every branch of the
/// rating kernels (own order, someone else's, cancelled, cheap, late parcel...) occurs.
struct RandomRatings {
    var orders = OrdersTable()
    var ratings = RatingsTable()
    var logistics = LogisticsTable()
    let accounts = 10

    init(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        for _ in 0..<(below(120) + 1) {
            orders.buyer.append(UInt32(below(accounts)))
            orders.shop.append(UInt32(below(accounts)))
            orders.item.append(UInt32(below(25)))
            orders.amountCents.append(Int64(below(20) * 100))
            orders.createdAt.append(Int64(below(1_000_000)))
            orders.paidAt.append(Missing.time)
            orders.confirmedAt.append(below(2) == 0 ? Missing.time : orders.createdAt.last! + Int64(below(900_000)))
            orders.status.append(UInt8(below(5)))
            orders.shipTo.append(UInt32(below(4)))
            orders.device.append(below(3) == 0 ? IdDictionary.absent : UInt32(below(5)))
            orders.ip.append(UInt32(below(4)))
            orders.payment.append(IdDictionary.absent)
        }
        for order in 0..<orders.count where below(3) > 0 {
            for event in [ScanEvent.created, .delivery, .signed] where below(2) == 0 {
                logistics.waybill.append(UInt32(order))
                logistics.order.append(UInt32(order))
                logistics.courier.append(0)
                logistics.event.append(event.rawValue)
                logistics.at.append(orders.createdAt[order] + Int64(below(800_000)))
                logistics.location.append(IdDictionary.absent)
                logistics.weightGrams.append(Missing.count)
            }
        }
        for _ in 0..<(below(150) + 1) {
            let order = below(orders.count + 3)
            let own = order < orders.count && below(4) > 0
            ratings.order.append(order < orders.count ? UInt32(order) : IdDictionary.absent)
            ratings.buyer.append(own ? orders.buyer[order] : UInt32(below(accounts)))
            ratings.shop.append(own ? orders.shop[order] : UInt32(below(accounts)))
            ratings.item.append(IdDictionary.absent)
            ratings.stars.append(UInt8(1 + below(5)))
            ratings.createdAt.append(Int64(below(1_200_000)))
            ratings.textLength.append(below(4) == 0 ? Missing.count : Int32(below(30)))
            ratings.hasMedia.append(below(4) == 0 ? Missing.flag : UInt8(below(2)))
        }
    }

    var low: [Bool] { ratings.stars.map { $0 <= 2 } }
    var lowByShop: EntityGroups {
        EntityGroups(keys: RatingFacts.keep(ratings.shop, where: low), entityCount: accounts, orderedBy: ratings.createdAt)
    }
    var lowByRater: EntityGroups { EntityGroups(keys: RatingFacts.keep(ratings.buyer, where: low), entityCount: accounts) }
}

@Suite struct RatingKernelTests {
    /// Reference: the amount at the quantile of each shop's sorted amounts, by filtering.
    static func referenceBacking(_ data: RandomRatings, quantile: Double, minimumOrders: Int) -> [RatingBacking] {
        (0..<data.ratings.count).map { row in
            let order = data.ratings.order[row]
            if order == IdDictionary.absent { return .none }
            let o = Int(order)
            if data.orders.buyer[o] != data.ratings.buyer[row] || data.orders.shop[o] != data.ratings.shop[row] { return .none }
            if data.orders.status[o] == OrderStatus.cancelled.rawValue { return .none }
            let amounts = data.orders.amountCents.indices.filter { data.orders.shop[$0] == data.orders.shop[o] }
                .map { data.orders.amountCents[$0] }.sorted()
            if amounts.count < minimumOrders { return .genuine }
            let itemAmounts = data.orders.amountCents.indices.filter { data.orders.item[$0] == data.orders.item[o] }
                .map { data.orders.amountCents[$0] }.sorted()
            let price = itemAmounts[(itemAmounts.count - 1) / 2]
            let cheap = price <= amounts[Int(quantile * Double(amounts.count - 1))]
            return cheap && price < amounts[(amounts.count - 1) / 2] ? .trivial : .genuine
        }
    }

    /// One shop's orders: `(item, amount)` each, rated 1 star by its own buyer.
    static func ratedOrders(_ sales: [(item: UInt32, amount: Int64)]) -> (OrdersTable, RatingsTable) {
        var orders = OrdersTable()
        var ratings = RatingsTable()
        for (row, sale) in sales.enumerated() {
            orders.buyer.append(UInt32(row + 1))
            orders.shop.append(0)
            orders.item.append(sale.item)
            orders.amountCents.append(sale.amount)
            orders.createdAt.append(Int64(row))
            orders.paidAt.append(Missing.time)
            orders.confirmedAt.append(Missing.time)
            orders.status.append(OrderStatus.completed.rawValue)
            orders.shipTo.append(0)
            orders.device.append(IdDictionary.absent)
            orders.ip.append(IdDictionary.absent)
            orders.payment.append(IdDictionary.absent)
            ratings.order.append(UInt32(row))
            ratings.buyer.append(UInt32(row + 1))
            ratings.shop.append(0)
            ratings.item.append(IdDictionary.absent)
            ratings.stars.append(1)
            ratings.createdAt.append(Int64(row + 100))
            ratings.textLength.append(Missing.count)
            ratings.hasMedia.append(Missing.flag)
        }
        return (orders, ratings)
    }

    /// A flash sale sells the best seller (item 1, 10.00) at 6.00 to four buyers; the
    /// discount puts those orders at the shop's 20% quantile and below its median, but
    /// their item is the shop's demand, so they back ratings. The cheapest item (2, 4.00)
    /// bought once is trivial.
    @Test func discountedBestSellerBacksRatings() {
        let sales: [(item: UInt32, amount: Int64)] =
            Array(repeating: (1, 1000), count: 6) + Array(repeating: (1, 600), count: 4) + [(2, 400), (3, 2000), (3, 2000)]
        let (orders, ratings) = Self.ratedOrders(sales)
        let backing = RatingFacts.backing(
            ratings: ratings, orders: orders, shopCount: 20, trivialQuantile: 0.2, minimumShopOrders: 5, threads: 1)
        // Shop amounts: 400, 600 x 4, 1000 x 6, 2000 x 2: the 20% quantile (rank 2) is 600,
        // the median (rank 6) 1000; item 1's median is 1000.
        #expect(backing[6] == .genuine)
        #expect(backing[0] == .genuine)
        #expect(backing[10] == .trivial)
        #expect(backing[11] == .genuine)
    }

    /// A shop whose cheapest item is its best seller: buying it is what its customers
    /// do, so a low rating after such an order is backed, not trivial; an order below the
    /// common amount stays trivial.
    @Test func cheapestBestSellerBacksRatings() {
        let amounts: [Int64] = [500, 500, 500, 500, 500, 500, 900, 1200, 1500, 2000, 300]
        let (orders, ratings) = Self.ratedOrders(amounts.enumerated().map { (UInt32($0.offset), $0.element) })
        let backing = RatingFacts.backing(
            ratings: ratings, orders: orders, shopCount: 20, trivialQuantile: 0.6, minimumShopOrders: 5, threads: 1)
        // The 60% quantile (rank 6 of 11) is 500, the median (rank 5) is 500 too.
        #expect(backing[0] == .genuine)
        #expect(backing[10] == .trivial)
        #expect(backing[9] == .genuine)
    }

    @Test(arguments: 0..<30) func backingMatchesReference(seed: Int) {
        let data = RandomRatings(seed: seed)
        for threads in [1, 3] {
            let backing = RatingFacts.backing(
                ratings: data.ratings, orders: data.orders, shopCount: data.accounts, trivialQuantile: 0.2,
                minimumShopOrders: 5, threads: threads)
            #expect(backing == Self.referenceBacking(data, quantile: 0.2, minimumOrders: 5), "seed \(seed)")
        }
    }

    /// With `scans` false the export's scans are dropped: a confirmation is then no
    /// arrival, and only a rating before its order is premature.
    @Test(arguments: 0..<30, [true, false]) func prematureMatchesReference(seed: Int, scans: Bool) {
        var data = RandomRatings(seed: seed)
        if !scans { data.logistics = LogisticsTable() }
        let backing = Self.referenceBacking(data, quantile: 0.2, minimumOrders: 5)
        let arrivals = RatingFacts.arrivals(logistics: data.logistics, orderCount: data.orders.count)
        // Reference arrival: the minimum over the order's delivery and signed scans.
        for order in 0..<data.orders.count {
            let scans = data.logistics.order.indices.filter {
                Int(data.logistics.order[$0]) == order
                    && [ScanEvent.delivery.rawValue, ScanEvent.signed.rawValue].contains(data.logistics.event[$0])
            }
            #expect(arrivals[order] == (scans.map { data.logistics.at[$0] }.min() ?? Missing.time))
        }
        let premature = RaterOrderDetector.premature(
            data.ratings, orders: data.orders, backing: backing, arrivals: arrivals, confirmationIsReceipt: scans,
            quickSeconds: 50_000, lateSeconds: 400_000)
        for row in 0..<data.ratings.count {
            let expected: UInt8
            if backing[row] == .none {
                expected = 2
            } else {
                let order = Int(data.ratings.order[row])
                let at = data.ratings.createdAt[row], placed = data.orders.createdAt[order]
                let confirmed = data.orders.confirmedAt[order]
                // Received: the parcel's arrival, else (with scans) the confirmation of receipt.
                let received = arrivals[order] != Missing.time ? arrivals[order] : scans ? confirmed : Missing.time
                let known = received != Missing.time
                let onTime = known && received - placed <= 400_000
                let beforeOrder = at < placed
                let beforeOnTimeGoods = onTime && at < received
                let moments = known && at >= received && at - received < 50_000
                expected = beforeOrder || beforeOnTimeGoods || moments ? 1 : 0
            }
            #expect(premature[row] == expected, "seed \(seed) row \(row)")
        }
    }

    @Test(arguments: 0..<20) func shortTextAndKnownShareMatchReference(seed: Int) {
        let data = RandomRatings(seed: seed)
        let short = RaterOrderDetector.shortText(data.ratings, chars: 10)
        for row in 0..<data.ratings.count {
            let length = data.ratings.textLength[row], media = data.ratings.hasMedia[row]
            let expected: UInt8 =
                if length == Missing.count { 2 } else if length >= 10 || media == 1 { 0 } else if media == Missing.flag { 2 } else { 1 }
            #expect(short[row] == expected)
        }
        let shares = RaterOrderDetector.share(data.lowByRater, short.map { $0 == 2 ? nil : $0 == 1 })
        for rater in 0..<data.accounts {
            let known = data.ratings.buyer.indices.filter {
                Int(data.ratings.buyer[$0]) == rater && data.low[$0] && short[$0] != 2
            }
            let expected = known.isEmpty ? nil : Double(known.filter { short[$0] == 1 }.count) / Double(known.count)
            if let expected { #expect(shares[rater] == expected) } else { #expect(shares[rater].isNaN) }
        }
    }

    @Test(arguments: 0..<30) func sharedIdentityMatchesReference(seed: Int) {
        let data = RandomRatings(seed: seed)
        let backing = Self.referenceBacking(data, quantile: 0.2, minimumOrders: 5)
        let low = data.low
        for threads in [1, 2] {
            let shared = RaterOrderDetector.sharedIdentity(
                data.ratings, orders: data.orders, backing: backing, lowByShop: data.lowByShop, deviceRaters: 2,
                threads: threads)
            for row in 0..<data.ratings.count {
                var expected = false
                if low[row] && backing[row] != .none {
                    let order = Int(data.ratings.order[row])
                    for (column, minimum) in [(data.orders.device, 2)] where column[order] != IdDictionary.absent {
                        let raters = Set(data.ratings.buyer.indices.filter { other in
                            low[other] && backing[other] != .none && data.ratings.shop[other] == data.ratings.shop[row]
                                && column[Int(data.ratings.order[other])] == column[order]
                        }.map { data.ratings.buyer[$0] })
                        if raters.count >= minimum { expected = true }
                    }
                }
                #expect(shared[row] == expected, "seed \(seed) row \(row)")
            }
        }
    }

    /// Reference burstiness: for each low rating and window, count by scanning all the
    /// shop's ratings.
    /// With `tickets`, a window's low tickets count only beyond its customers' low
    /// ratings times the shop's ticket odds, and at least `minimumLow` of them must remain.
    static func referenceBurst(
        shops: [UInt32], low: [Bool], times: [Int64], halves: [Int64], span: Int64, minimumLow: Int,
        tickets: RatingBurstDetector.Tickets? = nil
    ) -> [Double] {
        times.indices.map { row in
            guard low[row] else { return 0 }
            let mine = times.indices.filter { shops[$0] == shops[row] }
            let totalLow = mine.filter { low[$0] }.count
            guard totalLow >= minimumLow else { return 0 }
            var best = 0.0
            for half in halves {
                let inside = mine.filter { abs(times[$0] - times[row]) <= half }
                let insideLow = inside.filter { low[$0] }.count
                var counted = Double(insideLow)
                if let tickets {
                    let share = min(tickets.shopShare[Int(shops[row])], 0.99)
                    let explained = Double(inside.filter { tickets.customerLow[$0] }.count) * share / (1 - share)
                    let ticketsInside = Double(inside.filter { tickets.low[$0] }.count)
                    let unexplained = ticketsInside - min(ticketsInside, explained)
                    guard unexplained >= Double(minimumLow) else { continue }
                    counted -= ticketsInside - unexplained
                }
                guard counted >= Double(minimumLow) else { continue }
                let outsideLow = Double(totalLow - insideLow), outsideAll = Double(mine.count - inside.count)
                let byRate = outsideLow * Double(2 * half) / max(Double(span - 2 * half), Double(2 * half))
                let byShare = (outsideLow + 1) / (outsideAll + 2) * Double(inside.count)
                best = max(best, counted / (max(byRate, byShare) + 1))
            }
            return best
        }
    }

    @Test(arguments: 0..<40) func burstinessMatchesBruteForce(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let count = Int(random.next() % 300) + 1
        let shops = (0..<count).map { _ in UInt32(random.next() % 4) }
        let low = (0..<count).map { _ in random.next() % 3 == 0 }
        // Some ratings crowd into one day, as an attack does.
        let times = (0..<count).map { _ in
            random.next() % 4 == 0 ? Int64(500_000 + random.next() % 40_000) : Int64(random.next() % 5_000_000)
        }
        let halves: [Int64] = [10_000, 30_000, 90_000]
        // Half the low ratings are tickets; a fifth of the other ratings are customers' complaints.
        let ticketLow = low.map { $0 && random.next() % 2 == 0 }
        let customerLow = low.indices.map { !low[$0] && random.next() % 5 == 0 }
        let tickets = RatingBurstDetector.Tickets(
            low: ticketLow, customerLow: customerLow, shopShare: [0, 0.2, 0.5, 1])
        for withTickets in [false, true] {
            let expected = Self.referenceBurst(
                shops: shops, low: low, times: times, halves: halves, span: 5_000_000, minimumLow: 3,
                tickets: withTickets ? tickets : nil)
            for threads in [1, 2] {
                let burst = RatingBurstDetector.burstiness(
                    byShop: EntityGroups(keys: Column(shops), entityCount: 4, orderedBy: Column(times)), low: low, times: Column(times),
                    halfWindows: halves, span: 5_000_000, minimumLow: 3, threads: threads,
                    tickets: withTickets ? tickets : nil)
                for row in 0..<count {
                    #expect(abs(burst[row] - expected[row]) < 1e-12, "seed \(seed) row \(row) tickets \(withTickets)")
                }
            }
        }
    }

    /// Windows grow threefold from the base and stop at half the span: 60 days allow
    /// 1, 3, 9 and 27-day windows (half-widths 12 h ... 13.5 days), not 81 days.
    @Test func burstWindowsLeaveHistoryOutside() {
        let day: Int64 = 86_400
        #expect(RatingBurstDetector.halfWindows(base: day / 2, scales: 5, span: 60 * day) == [43_200, 129_600, 388_800, 1_166_400])
        #expect(RatingBurstDetector.halfWindows(base: day / 2, scales: 2, span: 60 * day) == [43_200, 129_600])
        #expect(RatingBurstDetector.halfWindows(base: day / 2, scales: 5, span: 2 * day) == [43_200])
        for span in [day, 10 * day, 53 * day, 54 * day, 400 * day] {
            let halves = RatingBurstDetector.halfWindows(base: day / 2, scales: 9, span: span)
            #expect(halves.dropFirst().allSatisfy { 4 * $0 <= span })
            #expect(halves.count == 9 || 4 * halves.last! * 3 > span)
        }
    }

    /// Appends a completed order of `buyer` at `shop` to `orders`.
    static func appendOrder(_ orders: inout OrdersTable, buyer: Int, shop: Int) {
        orders.buyer.append(UInt32(buyer))
        orders.shop.append(UInt32(shop))
        for column in [\OrdersTable.item, \.shipTo, \.device, \.ip, \.payment] { orders[keyPath: column].append(0) }
        orders.amountCents.append(100)
        orders.createdAt.append(0)
        orders.paidAt.append(0)
        orders.confirmedAt.append(0)
        orders.status.append(OrderStatus.completed.rawValue)
    }

    @Test func sponsorIsTheShopTheAttackersBrush() {
        // Accounts: 0 victim, 1 sponsor, 2 popular shop, 3..8 attackers, 9..28 other buyers.
        var orders = OrdersTable()
        var ratings = RatingsTable()
        func order(_ buyer: Int, _ shop: Int) { Self.appendOrder(&orders, buyer: buyer, shop: shop) }
        for attacker in 3...8 {
            order(attacker, 1)
            ratings.order.append(UInt32(orders.count - 1))
            ratings.buyer.append(UInt32(attacker))
            ratings.shop.append(1)
            ratings.stars.append(5)
            order(attacker, 2)
        }
        for buyer in 9..<29 { order(buyer, 2) }
        let attack = RatingBurstDetector.Attack(victim: 0, ratings: [], raters: Array(3...8))
        let sponsors = RatingBurstDetector.sponsors(
            of: [attack], orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 29), ratings: ratings,
            low: ratings.stars.map { $0 <= 2 }, minimumAttackers: 3, minimumLift: 5, praiseStars: 4, paidPraise: 0)
        // 26 accounts buy. Shop 1's buyers are the 6 attackers: share 6 / 6 = 1 of the
        // attack, base rate 6 / 26, lift 26 / 6 = 4.33. Shop 2 sells to all 26: lift 1.
        // So a minimum lift of 5 ties nothing, and 4 ties shop 1 alone.
        #expect(sponsors.tied.isEmpty)
        let lenient = RatingBurstDetector.sponsors(
            of: [attack], orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 29), ratings: ratings,
            low: ratings.stars.map { $0 <= 2 }, minimumAttackers: 3, minimumLift: 4, praiseStars: 4, paidPraise: 0)
        #expect(lenient.tied.map(\.sponsor) == [1])
        #expect(lenient.tied.map(\.attack) == [0])
        #expect(lenient.share[1] == 1)
        #expect(lenient.praise[1] == 1)
        #expect(lenient.share[2].isNaN)
    }

    /// A burst on a market leader holds two crews (3..8 buy at shop 1 and praise it, 9..14
    /// buy at shop 3 and rate it 3 stars) and 16 complainers no one hired (15..30, who buy
    /// at the popular shop 2 like 69 other buyers). Shop 1, praised, paid for its part of
    /// the 12 hired raters (6 / 12), not of all 28 (6 / 28 = 0.21, below the signal's
    /// 0.3): those complainers are as many as the victim is big. Shop 3, bought at but not
    /// praised, keeps its share of the whole attack.
    @Test func aSponsorsShareIsOfTheHiredRaters() {
        var orders = OrdersTable()
        var ratings = RatingsTable()
        for (crew, sponsor) in [(3...8, 1), (9...14, 3)] {
            for member in crew {
                Self.appendOrder(&orders, buyer: member, shop: sponsor)
                ratings.order.append(UInt32(orders.count - 1))
                ratings.buyer.append(UInt32(member))
                ratings.shop.append(UInt32(sponsor))
                ratings.stars.append(sponsor == 1 ? 5 : 3)
            }
        }
        for buyer in 15..<100 { Self.appendOrder(&orders, buyer: buyer, shop: 2) }
        let attack = RatingBurstDetector.Attack(victim: 0, ratings: [], raters: Array(3...30))
        let sponsors = RatingBurstDetector.sponsors(
            of: [attack], orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 100), ratings: ratings,
            low: ratings.stars.map { $0 <= 2 }, minimumAttackers: 5, minimumLift: 3, praiseStars: 4, paidPraise: 0.4)
        // 97 accounts buy: shops 1 and 3 lift (6 / 28) / (6 / 97) = 3.46, shop 2
        // (16 / 28) / (85 / 97) = 0.65.
        #expect(sponsors.tied.map(\.sponsor) == [1, 3])
        #expect(sponsors.share[1] == 0.5)
        #expect(sponsors.share[3] == 6.0 / 28)
        #expect(sponsors.share[2].isNaN)
    }

    /// Crews found by their shared drive-by complaints are attacks on both shops of their
    /// pair: accounts 12 and 13 (pair 4, 6) and 11 (pair 4, 5) make two crews, so shop 4
    /// gets two attacks, not one pooling them; account 14's pair is below the threshold.
    /// Where a shop's burst names its attackers (shop 6), no crew attack is added on it.
    @Test func eachCrewAttacksBothShopsOfItsPair() {
        var value = [Double](repeating: .nan, count: 15), best = [UInt64](repeating: 0, count: 15)
        for account in [12, 13] { (value[account], best[account]) = (3, 4 << 32 | 6) }
        (value[11], best[11]) = (2, 4 << 32 | 5)
        (value[14], best[14]) = (1.5, 4 << 32 | 7)
        let attacks = RatingBurstDetector.crewAttacks(crews: (value, best), threshold: 2, bursting: [])
        #expect(attacks.map(\.victim) == [4, 5, 4, 6])
        #expect(attacks.map(\.raters) == [[11], [11], [12, 13], [12, 13]])
        #expect(attacks.allSatisfy { $0.ratings.isEmpty })
        let beside = RatingBurstDetector.crewAttacks(crews: (value, best), threshold: 2, bursting: [6])
        #expect(beside.map(\.victim) == [4, 5, 4])
    }

    /// The co-complainers' crew (300-307: a cheap order and three stars at shops 1 and 2)
    /// also buys and praises shop 11, where nobody else buys, and makes no burst: shop 11
    /// is tied as the sponsor of its attacks. The crew's orders at shops 1 and 2 back its
    /// drive-by complaints, so neither victim is the other's sponsor, even at a lift low
    /// enough (1.5) for a shop where the whole crew buys among 124 of 216 buyers.
    @Test func aCrewWithoutABurstNamesItsSponsorAndNoVictim() throws {
        let crewExport = CoComplainerTests.crewAndRegulars()
        var orders = crewExport.orders, ratings = crewExport.ratings
        for member in 300..<308 {
            RatingTicketTests.order(&orders, &ratings, buyer: member, shop: 11, item: 110, cents: 5000, stars: 5)
        }
        let export = RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 400)
        let detector = RatingBurstDetector()
        var config = DetectionConfig(detectors: [detector])
        try config.set("malicious_ratings.sponsor_min_lift", 1.5)
        let output = detector.measure(export, config: config, threads: 1)
        let share = output.signals.first { $0.definition.name == "shop_attack_sponsor_share" }!
        #expect(share.values[11] == 1)
        #expect(share.samples[11]?.prefix(2).map(\.id) == ["victim shop a1", "victim shop a2"])
        #expect(share.values[1].isNaN && share.values[2].isNaN)
    }

    /// One crew attacks shops 0 and 1: its orders at shop 1 each back a 1-star rating, so
    /// shop 1 is the other victim, not the sponsor of the attack on shop 0; once the crew
    /// also buys there without complaining, shop 1 is tied.
    @Test func aFellowVictimIsNoSponsor() {
        // Accounts: 0 and 1 victims, 2 popular shop, 3..8 attackers, 9..28 other buyers.
        func market(praisedToo: Bool) -> (OrdersTable, RatingsTable) {
            var orders = OrdersTable()
            var ratings = RatingsTable()
            func order(_ buyer: Int, _ shop: Int, stars: UInt8?) {
                Self.appendOrder(&orders, buyer: buyer, shop: shop)
                guard let stars else { return }
                ratings.order.append(UInt32(orders.count - 1))
                ratings.buyer.append(UInt32(buyer))
                ratings.shop.append(UInt32(shop))
                ratings.stars.append(stars)
            }
            for attacker in 3...8 {
                order(attacker, 1, stars: 1)
                if praisedToo { order(attacker, 1, stars: 5) }
                order(attacker, 2, stars: nil)
            }
            for buyer in 9..<29 { order(buyer, 2, stars: nil) }
            return (orders, ratings)
        }
        let attack = RatingBurstDetector.Attack(victim: 0, ratings: [], raters: Array(3...8))
        for praisedToo in [false, true] {
            let (orders, ratings) = market(praisedToo: praisedToo)
            let sponsors = RatingBurstDetector.sponsors(
                of: [attack], orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 29), ratings: ratings,
                low: ratings.stars.map { $0 <= 2 }, minimumAttackers: 3, minimumLift: 4, praiseStars: 4, paidPraise: 0)
            #expect(sponsors.tied.map(\.sponsor) == (praisedToo ? [1] : []), "praised too: \(praisedToo)")
            #expect(sponsors.share[1].isNaN == !praisedToo)
            if praisedToo { #expect(sponsors.praise[1] == 1) }
        }
    }

    /// A studio lends six of its accounts (4..9) to the attack on shop 0 ordered by its
    /// client shop 1, a competitor of the victim (parcels of 500 g against the victim's
    /// 480 g); the six buy at shop 1 and four of them (4..7) at the studio's other client,
    /// shop 2, which sells 2 kg parcels. Other buyers (11..29) buy at shop 3. Shop 2 is
    /// not tied once its parcels say it sells something else; it is tied when it sells
    /// what the victim sells (470 g), and when a seventh attacker (10) buys at shop 2
    /// alone. When all six buy at both clients, the nearer the victim's market is tied,
    /// and both when they sell alike. While a market is unknown (no weights, or none for
    /// shop 1) the evidence there is decides: shop 2's attackers all buy at shop 1, where
    /// more of them buy, so only shop 1 is tied; with a seventh attacker of its own shop 2
    /// is tied too; with the same six at both clients neither is.
    @Test func aStudiosOtherClientIsNoSponsor() {
        func market(ownAttacker: Bool, allAtBoth: Bool) -> (OrdersTable, RatingsTable, Attack: RatingBurstDetector.Attack) {
            var orders = OrdersTable(), ratings = RatingsTable()
            func praise(_ buyer: Int, _ shop: Int) {
                Self.appendOrder(&orders, buyer: buyer, shop: shop)
                ratings.order.append(UInt32(orders.count - 1))
                ratings.buyer.append(UInt32(buyer))
                ratings.shop.append(UInt32(shop))
                ratings.stars.append(5)
            }
            for attacker in 4...9 { praise(attacker, 1) }
            for attacker in allAtBoth ? 4...9 : 4...7 { praise(attacker, 2) }
            if ownAttacker { praise(10, 2) }
            for buyer in 11..<30 { Self.appendOrder(&orders, buyer: buyer, shop: 3) }
            let raters = ownAttacker ? Array(4...10) : Array(4...9)
            return (orders, ratings, RatingBurstDetector.Attack(victim: 0, ratings: [], raters: raters.map(UInt32.init)))
        }
        func tied(ownAttacker: Bool = false, allAtBoth: Bool = false, grams: [Double]) -> [UInt32] {
            let (orders, ratings, attack) = market(ownAttacker: ownAttacker, allAtBoth: allAtBoth)
            return RatingBurstDetector.sponsors(
                of: [attack], orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 30), ratings: ratings,
                low: ratings.stars.map { $0 <= 2 }, minimumAttackers: 3, minimumLift: 2, praiseStars: 4, paidPraise: 0, catalogueGrams: grams
            ).tied.map(\.sponsor)
        }
        #expect(tied(grams: []) == [1])
        #expect(tied(grams: [480, 500, 2000, 300]) == [1])
        #expect(tied(grams: [480, 500, 470, 300]) == [1, 2])
        #expect(tied(grams: [480, .nan, 2000, 300]) == [1])
        #expect(tied(ownAttacker: true, grams: []) == [1, 2])
        #expect(tied(allAtBoth: true, grams: []) == [])
        #expect(tied(ownAttacker: true, grams: [480, 500, 2000, 300]) == [1, 2])
        #expect(tied(allAtBoth: true, grams: [480, 500, 2000, 300]) == [1])
        #expect(tied(allAtBoth: true, grams: [480, 2000, 500, 300]) == [2])
        #expect(tied(allAtBoth: true, grams: [480, 500, 500, 300]) == [1, 2])
    }

    /// Shop 1 ordered the attack on shop 0 and hired raters of its own (8, 9) beside four
    /// accounts (4..7) its studio lent, which brush at the studio's other clients too, two
    /// or three each: shops 2 (4, 5, 6), 3 (5, 6, 7; it sells what the victim sells, 470 g
    /// against 480 g, where shop 1 sells 2 kg) and 4 (4, 6, 7). Each of their raters buys
    /// at another of them, and none has a crew of its own: the studio's other clients, not
    /// tied. Shops 5, 6 and 7 share one crew hired in the market: shop 5 has no rater of
    /// its own, but each of its raters buys at a shop with a crew (6 or 7), and it is
    /// tied. Without any crew of its own in the attack (8 and 9 also at shop 3, no shops
    /// 5..7) the market decides as before: all four are tied (none nests in a nearer one);
    /// and so it does when shop 1 is bought at by every attacker buying at a lifted shop
    /// (10..15 too): its raters bought nowhere else are then no crew beside the others',
    /// and only shops 6 and 7, nested in shop 1 and no nearer the victim's market (2 kg
    /// each), are explained.
    @Test(arguments: [0, 1, 2]) func aStudiosOtherClientsBesideAHiredCrewAreNoSponsors(world: Int) {
        let crews = world > 0, hub = world == 2
        var orders = OrdersTable(), ratings = RatingsTable()
        func praise(_ buyers: [Int], _ shop: Int) {
            for buyer in buyers {
                Self.appendOrder(&orders, buyer: buyer, shop: shop)
                ratings.order.append(UInt32(orders.count - 1))
                ratings.buyer.append(UInt32(buyer))
                ratings.shop.append(UInt32(shop))
                ratings.stars.append(5)
            }
        }
        praise(Array(4...(hub ? 15 : 9)), 1)
        praise([4, 5, 6], 2)
        praise(crews ? [5, 6, 7] : [5, 6, 7, 8, 9], 3)
        praise([4, 6, 7], 4)
        if crews {
            praise([10, 11, 12], 5)
            praise([10, 11, 13], 6)
            praise([12, 14, 15], 7)
        }
        for buyer in 16..<40 { Self.appendOrder(&orders, buyer: buyer, shop: 8) }
        let attack = RatingBurstDetector.Attack(victim: 0, ratings: [], raters: (4...15).map(UInt32.init))
        // 36 accounts buy (34 without the crews); every lifted shop sells to attackers
        // only: lift (n / 12) / (n / 36) = 3.
        let tied = RatingBurstDetector.sponsors(
            of: [attack], orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 40), ratings: ratings,
            low: ratings.stars.map { $0 <= 2 }, minimumAttackers: 3, minimumLift: 2, praiseStars: 4, paidPraise: 0,
            catalogueGrams: [480, 2000, 600, 470, 700, 500, 2000, 2000, 300]
        ).tied.map(\.sponsor)
        #expect(tied == (hub ? [1, 2, 3, 4, 5] : crews ? [1, 5, 6, 7] : [1, 2, 3, 4]))
    }

    /// `studioClients` against plain set arithmetic on random worlds.
    @Test func studioClientsMatchPlainSets() {
        var random = SeededRandom(seed: 11)
        var found = 0
        for _ in 0..<1000 {
            var candidates: [UInt32: [Int]] = [:]
            for shop in UInt32(0)..<6 { candidates[shop] = (0..<10).filter { _ in random.next() % 3 == 0 } }
            let lifted = Set((UInt32(0)..<6).filter { _ in random.next() % 4 != 0 })
            func shops(of rater: Int, in set: Set<UInt32>) -> Int { set.filter { candidates[$0]!.contains(rater) }.count }
            let crewless: Set<UInt32> = lifted.filter { shop in candidates[shop]!.allSatisfy { shops(of: $0, in: lifted) > 1 } }
            let hired = Set(lifted.flatMap { candidates[$0]! })
            let hub = lifted.contains { Set(candidates[$0]!) == hired }
            let expected: Set<UInt32> = crewless == lifted || hub
                ? [] : crewless.filter { shop in candidates[shop]!.allSatisfy { shops(of: $0, in: crewless) > 1 } }
            let clients = RatingBurstDetector.studioClients(lifted: lifted, candidates: candidates)
            #expect(clients == expected)
            found += clients.count
        }
        #expect(found > 0)
    }

    /// `isSubset` against a plain set test, on random ascending arrays.
    @Test func nestedAttackersMatchASetTest() {
        var random = SeededRandom(seed: 7)
        func sample() -> [Int] { (0..<12).filter { _ in random.next() % 3 == 0 } }
        for _ in 0..<2000 {
            let small = sample(), large = sample()
            #expect(RatingBurstDetector.isSubset(small, of: large) == Set(small).isSubset(of: Set(large)))
            #expect(RatingBurstDetector.isSubset(small, of: small))
        }
    }

    /// A shop's catalogue weight is the median over its items of each item's median parcel
    /// weight, each parcel as weighed at pickup (not the weight declared on `created`,
    /// here 5 kg), whatever the order of the scan rows: shop 0 sells one 200 g item (its
    /// best seller, five orders) and two of 900 g and 1,000 g, so 900 g, not 200 g; shop 1
    /// has no weighed parcel.
    @Test(arguments: [false, true]) func catalogueWeightIsTheMedianItemAtPickup(pickupFirst: Bool) {
        var export = Export()
        for name in ["s0", "s1"] { _ = export.dictionaries.accounts.intern(name) }
        var scans: [(order: Int, event: ScanEvent, grams: Int32)] = []
        for (item, grams) in [(0, 200), (0, 200), (0, 200), (0, 200), (0, 200), (1, 900), (2, 1000), (3, -1)] {
            let order = export.orders.count
            Self.appendOrder(&export.orders, buyer: 1, shop: item == 3 ? 1 : 0)
            export.orders.item[order] = UInt32(item)
            scans.append((order, .created, Int32(grams < 0 ? -1 : 5000)))
            scans.append((order, .pickup, Int32(grams)))
        }
        for scan in pickupFirst ? scans.reversed() : scans {
            export.logistics.waybill.append(UInt32(scan.order))
            export.logistics.order.append(UInt32(scan.order))
            export.logistics.courier.append(0)
            export.logistics.event.append(scan.event.rawValue)
            export.logistics.at.append(Int64(scan.order))
            export.logistics.location.append(0)
            export.logistics.weightGrams.append(scan.grams < 0 ? Missing.count : scan.grams)
        }
        let grams = RatingFacts.catalogueGrams(export, threads: 2)
        #expect(grams[0] == 900)
        #expect(grams[1].isNaN)
    }

    /// Shop 1 is tied as the sponsor of the attack on shop 0. Rater 10 praised shop 1 on
    /// its own order and complains about shop 0: linked. Rater 11 praised shop 2 (no
    /// sponsor); rater 12 complains about shop 5 (no victim); rater 13 praised shop 1 on
    /// someone else's order; rater 14 gave shop 1 three stars: none of them is linked, and
    /// rater 10's praise itself is no low rating.
    @Test func aCrewMemberWhoPraisedTheSponsorCarriesTheLink() {
        var orders = OrdersTable(), ratings = RatingsTable()
        func rate(_ buyer: Int, _ shop: Int, stars: UInt8, orderOf owner: Int? = nil) {
            Self.appendOrder(&orders, buyer: owner ?? buyer, shop: shop)
            ratings.order.append(UInt32(orders.count - 1))
            ratings.buyer.append(UInt32(buyer))
            ratings.shop.append(UInt32(shop))
            ratings.stars.append(stars)
        }
        rate(10, 1, stars: 5)
        rate(10, 0, stars: 1)
        rate(11, 2, stars: 5)
        rate(11, 0, stars: 1)
        rate(12, 1, stars: 5)
        rate(12, 5, stars: 1)
        rate(13, 1, stars: 5, orderOf: 20)
        rate(13, 0, stars: 2)
        rate(14, 1, stars: 3)
        rate(14, 0, stars: 1)
        let tie = RatingBurstDetector.Sponsors.Tie(sponsor: 1, attack: 0, orders: [], share: 0.5)
        let praise = RatingBurstDetector.ownPraise(ratings: ratings, orders: orders, praiseStars: 4)
        let low = ratings.stars.map { $0 <= 2 }, oneOff = [Bool](repeating: true, count: ratings.count)
        let linked = RatingBurstDetector.sponsorLinked(ties: [tie], rivals: [], ratings: ratings, low: low, oneOff: oneOff, praise: praise)
        #expect(linked == [false, true, false, false, false, false, false, false, false, false])
        #expect(
            RatingBurstDetector.sponsorLinked(ties: [], rivals: [], ratings: ratings, low: low, oneOff: oneOff, praise: praise)
                .allSatisfy { !$0 })
        // The same link through a pair of one-off complaints and praise instead of a tie:
        // rater 10's complaint carries it only while it is a one-off complaint.
        let rival: Set<UInt64> = [0 << 32 | 1]
        #expect(
            RatingBurstDetector.sponsorLinked(ties: [], rivals: rival, ratings: ratings, low: low, oneOff: oneOff, praise: praise)
                == linked)
        var regular = oneOff
        regular[1] = false
        #expect(
            RatingBurstDetector.sponsorLinked(ties: [], rivals: rival, ratings: ratings, low: low, oneOff: regular, praise: praise)
                .allSatisfy { !$0 })
    }

    /// Ratings (buyer, shop) with per-rating one-off complaint and praise flags.
    struct ComplaintsAndPraise {
        var ratings = RatingsTable()
        var oneOff: [Bool] = []
        var praise: [Bool] = []
        mutating func add(_ buyer: Int, _ shop: Int, complaint: Bool) {
            ratings.buyer.append(UInt32(buyer))
            ratings.shop.append(UInt32(shop))
            oneOff.append(complaint)
            praise.append(!complaint)
        }
        func rivals(minimumRaters: Int = 3, threshold: Double = 2) -> Set<UInt64> {
            RatingBurstDetector.rivalPairs(
                complaints: BuyerShops.distinctKeys(buyers: ratings.buyer, shops: ratings.shop) { oneOff[$0] },
                others: BuyerShops.distinctKeys(buyers: ratings.buyer, shops: ratings.shop) { praise[$0] },
                accountCount: 1000, minimumRaters: minimumRaters, maximumShops: 64, threshold: threshold)
        }
    }

    /// Shops 0..19; 300 honest raters each complain once about one shop and praise
    /// another, every (complained, praised) pair a different one. A crew of 8 complains
    /// once about shop 0 and praises shop 1: that pair, and only it, stands out. Without
    /// the crew's praise nothing does.
    @Test func aCrewPraisingItsSponsorPairsTheSponsorWithTheVictim() {
        var world = ComplaintsAndPraise()
        for rater in 0..<300 {
            world.add(100 + rater, rater % 20, complaint: true)
            world.add(100 + rater, (rater % 20 + 1 + rater / 20) % 20, complaint: false)
        }
        var withoutPraise = world
        for member in 0..<8 {
            world.add(500 + member, 0, complaint: true)
            world.add(500 + member, 1, complaint: false)
            withoutPraise.add(500 + member, 0, complaint: true)
        }
        let victimAndSponsor: Set<UInt64> = [0 << 32 | 1]
        #expect(world.rivals() == victimAndSponsor)
        #expect(withoutPraise.rivals().isEmpty)
    }

    /// `rivalPairs` over praise against a plain reference: per (victim, shop) the distinct raters
    /// with a one-off complaint on the victim and praise on the shop, the configuration
    /// model's mean from per-shop counts and per-rater products, and the threshold raised
    /// by `log10` of the pairs tested.
    @Test(arguments: 0..<30) func rivalPairsMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        var world = ComplaintsAndPraise()
        let shops = 3 + Int(random.next() % 6), raters = 20 + Int(random.next() % 60)
        for _ in 0..<(raters * 3) {
            let rater = 10 + Int(random.next() % UInt64(raters))
            // A crew-like corner: low raters complain about shop 0 and praise shop 1 more often.
            let crew = rater < 10 + raters / 4
            let shop = crew && random.next() % 2 == 0 ? Int(random.next() % 2) : Int(random.next() % UInt64(shops))
            world.add(rater, shop, complaint: crew ? shop == 0 : random.next() % 2 == 0)
        }
        let minimumRaters = 2 + Int(random.next() % 3), threshold = Double(random.next() % 3)
        var complained: [Int: Set<Int>] = [:], praisedBy: [Int: Set<Int>] = [:]
        for row in 0..<world.ratings.count {
            let rater = Int(world.ratings.buyer[row]), shop = Int(world.ratings.shop[row])
            if world.oneOff[row] { complained[rater, default: []].insert(shop) }
            if world.praise[row] { praisedBy[rater, default: []].insert(shop) }
        }
        var complainers: [Int: Int] = [:], praisers: [Int: Int] = [:], weight = 0.0
        for (_, victims) in complained { for shop in victims { complainers[shop, default: 0] += 1 } }
        for (_, liked) in praisedBy { for shop in liked { praisers[shop, default: 0] += 1 } }
        for (rater, victims) in complained { weight += Double(victims.count * (praisedBy[rater]?.count ?? 0)) }
        let total = Double(complainers.values.reduce(0, +)) * Double(praisers.values.reduce(0, +))
        var common: [UInt64: Int] = [:]
        for (rater, victims) in complained {
            for victim in victims {
                for shop in praisedBy[rater] ?? [] where shop != victim { common[UInt64(victim) << 32 | UInt64(shop), default: 0] += 1 }
            }
        }
        let tested = common.filter { $0.value >= minimumRaters }
        let required = threshold + log10(Double(max(1, tested.count)))
        let expected = Set(
            tested.filter { key, count in
                let mean = Double(complainers[Int(key >> 32)]! - 1) * Double(praisers[Int(key & 0xFFFF_FFFF)]! - 1) * weight / total
                return Chance.poissonSurprise(count: count - 1, mean: mean) >= required
            }.keys)
        #expect(world.rivals(minimumRaters: minimumRaters, threshold: threshold) == expected)
    }


    /// A buyer's kept purchases: the distinct shops of its orders that are not cancelled
    /// and that it never complained about, against a plain reference on random tables.
    @Test(arguments: 0..<20) func boughtShopsMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        var orders = OrdersTable(), ratings = RatingsTable()
        for _ in 0..<(20 + Int(random.next() % 80)) {
            orders.buyer.append(UInt32(random.next() % 12))
            orders.shop.append(UInt32(20 + random.next() % 8))
            orders.status.append(random.next() % 4 == 0 ? OrderStatus.cancelled.rawValue : OrderStatus.completed.rawValue)
        }
        var complaint: [Bool] = []
        for _ in 0..<(10 + Int(random.next() % 40)) {
            ratings.buyer.append(UInt32(random.next() % 12))
            ratings.shop.append(UInt32(20 + random.next() % 8))
            complaint.append(random.next() % 3 == 0)
        }
        var complained = Set<UInt64>(), expected = Set<UInt64>()
        for row in 0..<ratings.count where complaint[row] {
            complained.insert(UInt64(ratings.buyer[row]) << 32 | UInt64(ratings.shop[row]))
        }
        for row in 0..<orders.count where orders.status[row] != OrderStatus.cancelled.rawValue {
            let key = UInt64(orders.buyer[row]) << 32 | UInt64(orders.shop[row])
            if !complained.contains(key) { expected.insert(key) }
        }
        let purchased = BuyerShops.purchased(orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 30)).keys
        #expect(RatingBurstDetector.boughtShops(purchased: purchased, ratings: ratings, complaint: complaint) == expected.sorted())
    }

    /// 300 honest raters each complain once about one of shops 0..9 and buy at two of
    /// shops 10..19, the combinations spread evenly. A brushing studio lends 8 of
    /// its accounts to an attack on shop 0: each complains once there and buys at the
    /// studio's three clients (20, 21, 22). Those three pairs with shop 0, and only they,
    /// stand out; each crew member meets all three, and an honest complainer of shop 0
    /// who also shops at client 20 meets one. Without the studio's purchases no pair does.
    @Test func accountsOfOneHirerMeetSeveralOfTheirVictimsPairs() {
        var complaints: [UInt64] = [], bought: [UInt64] = [], withoutStudio: [UInt64] = []
        for rater in 0..<300 {
            let buyer = UInt64(100 + rater)
            complaints.append(buyer << 32 | UInt64(rater % 10))
            let first = 10 + rater / 10 % 10, second = 10 + (rater / 10 + 1 + rater / 100) % 10
            for shop in Set([first, second]) { bought.append(buyer << 32 | UInt64(shop)) }
        }
        withoutStudio = bought
        for member in 0..<8 {
            let buyer = UInt64(500 + member)
            complaints.append(buyer << 32 | 0)
            for client in 20...22 { bought.append(buyer << 32 | UInt64(client)) }
        }
        let honestCustomer: UInt64 = 600
        complaints.append(honestCustomer << 32 | 0)
        bought.append(honestCustomer << 32 | 20)
        complaints.sort()
        bought.sort()
        withoutStudio.sort()
        func pairs(_ others: [UInt64]) -> Set<UInt64> {
            RatingBurstDetector.rivalPairs(
                complaints: complaints, others: others, accountCount: 1000, minimumRaters: 3, maximumShops: 64, threshold: 2)
        }
        let studio = pairs(bought)
        let victimAndClients: Set<UInt64> = [0 << 32 | 20, 0 << 32 | 21, 0 << 32 | 22]
        #expect(studio == victimAndClients)
        #expect(pairs(withoutStudio).isEmpty)
        let shops = RatingBurstDetector.crewShops(complaints: complaints, bought: bought, rivals: studio, accountCount: 1000)
        #expect((500..<508).allSatisfy { shops[$0] == 3 })
        #expect(shops[Int(honestCustomer)] == 1)
        #expect(shops[100] == 0)
        #expect(shops[99].isNaN)
    }

    /// `crewShops` against a plain reference: per rater, over the shops it complained
    /// about once, the most of its bought shops paired with that one.
    @Test(arguments: 0..<20) func crewShopsMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        var complaints = Set<UInt64>(), bought = Set<UInt64>(), rivals = Set<UInt64>()
        for _ in 0..<(10 + Int(random.next() % 40)) { complaints.insert((random.next() % 15) << 32 | random.next() % 10) }
        for _ in 0..<(10 + Int(random.next() % 60)) { bought.insert((random.next() % 15) << 32 | random.next() % 10) }
        for _ in 0..<(Int(random.next() % 30)) { rivals.insert((random.next() % 10) << 32 | random.next() % 10) }
        var expected = [Double](repeating: .nan, count: 15)
        for rater in 0..<15 {
            let victims = complaints.filter { $0 >> 32 == rater }.map { $0 & 0xFFFF_FFFF }
            guard !victims.isEmpty else { continue }
            let shops = bought.filter { $0 >> 32 == rater }.map { $0 & 0xFFFF_FFFF }
            expected[rater] = Double(victims.map { victim in shops.filter { rivals.contains(victim << 32 | $0) }.count }.max()!)
        }
        let result = RatingBurstDetector.crewShops(
            complaints: complaints.sorted(), bought: bought.sorted(), rivals: rivals, accountCount: 15)
        #expect(zip(result, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }
}

@Suite struct RaterFairnessTests {
    /// Three raters rate one shop: u1 and u2 give 5 stars (score +1), u3 gives 1 star
    /// (score -1). With no priors (alpha = beta = 0) each rater's fairness is the
    /// reliability of its one rating, so at the fixed point F = R and
    ///   R = (F + 1 - |s - g| / 2) / 2 = (R + 1 - |s - g| / 2) / 2  =>  R = 1 - |s - g| / 2.
    /// For u1, u2: R = 1 - (1 - g) / 2 = (1 + g) / 2; for u3: R = 1 - (1 + g) / 2 = (1 - g) / 2.
    /// Goodness g = (R1 + R2 - R3) / 3 = ((1 + g) - (1 - g) / 2) / 3 = (1 + 3 g) / 6,
    /// so 6 g = 1 + 3 g and g = 1/3; then R1 = R2 = F1 = F2 = 2/3 and R3 = F3 = 1/3.
    @Test func fixedPointOfATinyGraphComputedByHand() {
        let graph = RatingGraph(raters: [1, 2, 3], shops: [0, 0, 0], scores: [1, 1, -1], entityCount: 4)
        let result = graph.fairness(fairnessPrior: 0, goodnessPrior: 0, tolerance: 1e-12, maximumIterations: 1000, threads: 1)
        #expect(result.iterations < 1000)
        #expect(abs(result.goodness[0] - 1.0 / 3) < 1e-9)
        #expect(abs(result.fairness[1] - 2.0 / 3) < 1e-9)
        #expect(abs(result.fairness[2] - 2.0 / 3) < 1e-9)
        #expect(abs(result.fairness[3] - 1.0 / 3) < 1e-9)
        #expect(abs(result.reliability[2] - 1.0 / 3) < 1e-9)
    }

    /// On random graphs the iteration converges (stops before the limit with the last
    /// round moving nothing more than the tolerance), its result is a fixed point of the
    /// update equations, and it does not depend on the thread count; with goodness
    /// weights too (a verified rating weighs 1, an unverified one less), where the fixed
    /// point has the weighted goodness `g(p) = Σ w R s / (β + Σ w)`.
    @Test(arguments: 0..<10, [false, true]) func convergesToAFixedPointForAnyThreads(seed: Int, weighted: Bool) {
        var random = SeededRandom(seed: UInt64(seed))
        let count = 400, entities = 60
        let raters = (0..<count).map { _ in UInt32(random.next() % 40) }
        let shops = (0..<count).map { _ in UInt32(40 + random.next() % 20) }
        let scores = (0..<count).map { _ in (Double(random.next() % 5) - 2) / 2 }
        let weights = (0..<count).map { _ in weighted && random.next() % 3 == 0 ? 0.25 : 1 }
        let graph = RatingGraph(
            raters: Column(raters), shops: Column(shops), scores: scores, weights: weighted ? weights : nil, entityCount: entities)
        let one = graph.fairness(fairnessPrior: 1, goodnessPrior: 1, tolerance: 1e-10, maximumIterations: 500, threads: 1)
        #expect(one.iterations < 500)
        for entity in 0..<entities {
            let into = (0..<count).filter { shops[$0] == UInt32(entity) }
            let out = (0..<count).filter { raters[$0] == UInt32(entity) }
            let weight = into.map { weights[$0] }.reduce(0, +)
            let goodness = into.isEmpty
                ? 0 : into.map { weights[$0] * one.reliability[$0] * scores[$0] }.reduce(0, +) / (1 + weight)
            let fairness = out.isEmpty ? 1 : (1 + out.map { one.reliability[$0] }.reduce(0, +)) / (1 + Double(out.count))
            #expect(abs(one.goodness[entity] - goodness) < 1e-8)
            #expect(abs(one.fairness[entity] - fairness) < 1e-8)
        }
        let four = graph.fairness(fairnessPrior: 1, goodnessPrior: 1, tolerance: 1e-10, maximumIterations: 500, threads: 4)
        #expect(four.fairness == one.fairness && four.goodness == one.goodness)
    }

    /// An attack on a well-liked shop: four verified buyers rate it 5 stars, four
    /// attackers without purchases 1 star. Unweighted, the attack pulls the shop's
    /// goodness to 0 and both sides look equally fair; weighing verified buyers fully
    /// and the unverified at 0.25 keeps the goodness high and the attackers unfair.
    @Test func verifiedConsensusResistsAnAttack() {
        let raters: [UInt32] = [1, 2, 3, 4, 5, 6, 7, 8]
        let scores: [Double] = [1, 1, 1, 1, -1, -1, -1, -1]
        let plain = RatingGraph(raters: Column(raters), shops: Column([UInt32](repeating: 0, count: 8)), scores: scores, entityCount: 9)
            .fairness(fairnessPrior: 1, goodnessPrior: 1, tolerance: 1e-12, maximumIterations: 1000, threads: 1)
        #expect(abs(plain.goodness[0]) < 1e-9)
        #expect(abs(plain.fairness[1] - plain.fairness[5]) < 1e-9)
        let weighted = RatingGraph(
            raters: Column(raters), shops: Column([UInt32](repeating: 0, count: 8)), scores: scores,
            weights: [1, 1, 1, 1, 0.25, 0.25, 0.25, 0.25], entityCount: 9
        ).fairness(fairnessPrior: 1, goodnessPrior: 1, tolerance: 1e-12, maximumIterations: 1000, threads: 1)
        #expect(weighted.goodness[0] > 0.4)
        #expect(weighted.fairness[1] - weighted.fairness[5] > 0.1)
    }
}

@Suite struct RatingLockstepTests {
    /// A ring of 8 raters posts 1-star ratings on the same 3 shops on the same day;
    /// 300 other raters post 2 low ratings each on random shops and days. The ring is
    /// a block and its raters' low ratings are all inside it.
    @Test func findsARingRatingTheSameShopsTheSameDay() {
        var export = Export()
        var random = SeededRandom(seed: 7)
        for index in 0..<340 { _ = export.dictionaries.accounts.intern("a\(index)") }
        func rate(_ rater: Int, _ shop: Int, _ at: Int64) {
            export.ratings.order.append(IdDictionary.absent)
            export.ratings.buyer.append(UInt32(rater))
            export.ratings.shop.append(UInt32(shop))
            export.ratings.item.append(IdDictionary.absent)
            export.ratings.stars.append(1)
            export.ratings.createdAt.append(at)
            export.ratings.textLength.append(Missing.count)
            export.ratings.hasMedia.append(Missing.flag)
        }
        for rater in 40..<332 {
            for _ in 0..<2 { rate(rater, Int(random.next() % 40), Int64(random.next() % (60 * 86_400))) }
        }
        for rater in 0..<8 {
            for shop in [3, 17, 29] { rate(332 + rater, shop, 20 * 86_400 + Int64(rater) * 600) }
        }
        let detector = RatingLockstepDetector()
        let output = detector.measure(export, config: DetectionConfig(detectors: [detector]), threads: 2)
        let values = output.signals[0].values
        #expect((332..<340).allSatisfy { values[$0] == 1 })
        #expect(output.findings.first?.members.prefix(3) == ["shop:a3", "shop:a17", "shop:a29"])
        #expect((40..<332).filter { values[$0] >= 0.5 }.count <= 2)
    }
}

/// Tickets (a genuine order of one of the cheapest items of the shop's catalogue) against
/// a plain reference, and a sleeper attack that only they make a burst.
@Suite struct RatingTicketTests {
    /// A shop's catalogue quantile against a plain one over the set of its distinct items,
    /// on random orders with repeated and missing items and shops below the minimum.
    @Test(arguments: 0..<20) func catalogueQuantileMatchesReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let shopCount = 12, itemCount = 30
        var orders = OrdersTable()
        for _ in 0..<Int.random(in: 0...300, using: &random) {
            orders.shop.append(UInt32.random(in: 0..<UInt32(shopCount), using: &random))
            orders.item.append(Bool.random(using: &random) && Bool.random(using: &random)
                ? IdDictionary.absent : UInt32.random(in: 0..<UInt32(itemCount), using: &random))
        }
        let itemMedian = (0..<itemCount).map { _ in Int64.random(in: 100...900, using: &random) }
        let quantile = Double.random(in: 0...1, using: &random), minimumOrders = Int.random(in: 0...20, using: &random)
        let found = RatingFacts.catalogueQuantile(
            orders, shops: EntityGroups(keys: orders.shop, entityCount: shopCount), itemMedian: itemMedian,
            quantile: quantile, minimumOrders: minimumOrders)
        for shop in 0..<shopCount {
            let rows = orders.shop.indices.filter { orders.shop[$0] == UInt32(shop) }
            let prices = Set(rows.map { orders.item[$0] }.filter { $0 != IdDictionary.absent }).map { itemMedian[Int($0)] }.sorted()
            let expected = rows.count < max(1, minimumOrders) || prices.isEmpty
                ? -1 : prices[Int(quantile * Double(prices.count - 1))]
            #expect(found[shop] == expected, "seed \(seed) shop \(shop)")
        }
    }

    static func export(orders: OrdersTable, ratings: RatingsTable, accounts: Int) -> Export {
        var export = Export()
        for index in 0..<accounts { _ = export.dictionaries.accounts.intern("a\(index)") }
        for index in 0..<orders.count { _ = export.dictionaries.orders.intern("o\(index)") }
        export.orders = orders
        export.ratings = ratings
        return export
    }

    /// The export's orders grouped by shop, as `RatingFacts.purchases` takes them.
    static func shops(_ export: Export) -> EntityGroups {
        EntityGroups(keys: export.orders.shop, entityCount: export.dictionaries.accounts.count)
    }

    /// Appends an order placed 600 s after the one before (no parcel, device or address)
    /// and, with `stars`, its buyer's rating of it a day later (60 characters of text, or
    /// `text` and `media` when given).
    static func order(
        _ orders: inout OrdersTable, _ ratings: inout RatingsTable, buyer: Int, shop: Int, item: Int, cents: Int64,
        status: OrderStatus = .completed, stars: UInt8?, text: Int32 = 60, media: UInt8 = 0
    ) {
        orders.buyer.append(UInt32(buyer))
        orders.shop.append(UInt32(shop))
        orders.item.append(UInt32(item))
        orders.amountCents.append(cents)
        orders.createdAt.append(Int64(orders.count) * 600)
        orders.paidAt.append(Missing.time)
        orders.confirmedAt.append(Missing.time)
        orders.status.append(status.rawValue)
        orders.shipTo.append(IdDictionary.absent)
        orders.device.append(IdDictionary.absent)
        orders.ip.append(IdDictionary.absent)
        orders.payment.append(IdDictionary.absent)
        guard let stars else { return }
        ratings.order.append(UInt32(orders.count - 1))
        ratings.buyer.append(UInt32(buyer))
        ratings.shop.append(UInt32(shop))
        ratings.item.append(IdDictionary.absent)
        ratings.stars.append(stars)
        ratings.createdAt.append(orders.createdAt.last! + 86_400)
        ratings.textLength.append(text)
        ratings.hasMedia.append(media)
    }

    @Test(arguments: 0..<30) func ticketsMatchReference(seed: Int) {
        let data = RandomRatings(seed: seed)
        let export = Self.export(orders: data.orders, ratings: data.ratings, accounts: data.accounts)
        let config = DetectionConfig(detectors: [RaterOrderDetector()])
        let (backing, ticketFacts) = RatingFacts.purchases(export, shops: Self.shops(export), config: config, threads: 1)
        let tickets = ticketFacts.rating
        let orders = data.orders
        func median(_ item: UInt32) -> Int64 {
            let amounts = orders.amountCents.indices.filter { orders.item[$0] == item }.map { orders.amountCents[$0] }.sorted()
            return amounts[(amounts.count - 1) / 2]
        }
        for row in 0..<data.ratings.count {
            var expected = false
            if backing[row] == .genuine {
                let order = Int(data.ratings.order[row]), shop = orders.shop[order]
                let shopRows = orders.buyer.indices.filter { orders.shop[$0] == shop }
                if shopRows.count >= Int(config["malicious_ratings.trivial_min_shop_orders"]) {
                    let prices = Set(shopRows.map { orders.item[$0] }).map(median).sorted()
                    let limit = prices[Int(config["malicious_ratings.ticket_item_quantile"] * Double(prices.count - 1))]
                    expected = median(orders.item[order]) <= limit
                }
            }
            #expect(tickets[row] == expected, "rating \(row)")
        }
    }

    /// Shop 0 sells ten items (1.00 .. 10.00) over 60 days, item 0 to a tenth of its
    /// buyers, so item 1 is above the 5% quantile of its amounts: a genuine purchase, but
    /// the catalogue's second cheapest (the 20% quantile of ten prices). Six honest
    /// complaints are spread over the 60 days. With `sleepers`, eight accounts who
    /// bought item 1 post 1 star within a day on day 30; with `wave`, the honest orders of
    /// days 25-36 but those of item 0 (trivial, unbacked) are all rated 1 star on day 30
    /// instead (a bad batch; without sleepers, item 2 is the catalogue's second cheapest,
    /// so its orders are tickets).
    /// With `slow`, twelve sleepers post instead, one every three days from day 10. With
    /// `raid`, ten accounts without orders post 1 star on day 30, and two customers of
    /// item 2 (tickets) complain the same day.
    static func shop(sleepers: Bool, wave: Bool, slow: Bool = false, raid: Bool = false) -> Export {
        var orders = OrdersTable(), ratings = RatingsTable()
        let day: Int64 = 86_400
        func order(buyer: Int, item: Int, at: Int64) -> UInt32 {
            orders.buyer.append(UInt32(buyer))
            orders.shop.append(0)
            orders.item.append(UInt32(item))
            orders.amountCents.append(Int64(item + 1) * 100)
            orders.createdAt.append(at)
            orders.paidAt.append(at)
            orders.confirmedAt.append(at + 3 * day)
            orders.status.append(OrderStatus.completed.rawValue)
            for column in [\OrdersTable.shipTo, \.device, \.ip, \.payment] { orders[keyPath: column].append(IdDictionary.absent) }
            return UInt32(orders.count - 1)
        }
        func rate(_ order: UInt32, stars: UInt8, at: Int64) {
            ratings.order.append(order)
            ratings.buyer.append(orders.buyer[Int(order)])
            ratings.shop.append(0)
            ratings.item.append(orders.item[Int(order)])
            ratings.stars.append(stars)
            ratings.createdAt.append(at)
            ratings.textLength.append(80)
            ratings.hasMedia.append(0)
        }
        for index in 0..<300 {
            let at = Int64(index) * day / 5
            let placed = order(buyer: 1 + index, item: index % 10 == 0 ? 0 : 2 + index % 8, at: at)
            if raid && (index == 144 || index == 152) {
                rate(placed, stars: 1, at: 30 * day + Int64(index) * 60)
            } else if wave && (125..<185).contains(index) && index % 10 != 0 {
                rate(placed, stars: 1, at: 30 * day + Int64(index) * 600)
            } else {
                rate(placed, stars: index % 50 == 7 ? 1 : 5, at: at + 4 * day)
            }
        }
        if sleepers {
            for sleeper in 0..<(slow ? 12 : 8) {
                let posted = slow ? (10 + 3 * Int64(sleeper)) * day : 30 * day + Int64(sleeper) * 7_200
                let placed = order(buyer: 400 + sleeper, item: 1, at: posted - 5 * day)
                rate(placed, stars: 1, at: posted)
            }
        }
        if raid {
            for raider in 0..<10 {
                ratings.order.append(IdDictionary.absent)
                ratings.buyer.append(UInt32(410 + raider))
                ratings.shop.append(0)
                ratings.item.append(IdDictionary.absent)
                ratings.stars.append(1)
                ratings.createdAt.append(30 * day + Int64(raider) * 3_600)
                ratings.textLength.append(0)
                ratings.hasMedia.append(0)
            }
        }
        return export(orders: orders, ratings: ratings, accounts: 420)
    }

    /// An export that leaves the ratings' `order_id` out links no rating to an order: the
    /// wave's customers are not known to have rated without one, so no order-based rater
    /// signal is measured on them and none of their complaints is a drive-by.
    @Test func ratingsNamingNoOrderAreNotUnbacked() {
        var export = Self.shop(sleepers: false, wave: true)
        export.ratings.order = Column([UInt32](repeating: IdDictionary.absent, count: export.ratings.count))
        let config = DetectionConfig(detectors: [RaterOrderDetector(), CoComplainerDetector()])
        let signals = RaterOrderDetector().measure(export, config: config, threads: 1).signals
            + CoComplainerDetector().measure(export, config: config, threads: 1).signals
        let complainers = (0..<export.ratings.count).filter { export.ratings.stars[$0] == 1 }.map { Int(export.ratings.buyer[$0]) }
        #expect(complainers.count > 50)
        #expect(signals.map(\.definition.name) == ["rater_short_text_low_share", "rater_co_complainer_surprise"])
        let coComplainers = signals[1]
        for rater in complainers { #expect(coComplainers.values[rater].isNaN, "rater \(rater)") }
    }

    static func burst(_ export: Export) -> SignalColumn {
        let config = DetectionConfig(detectors: [RatingBurstDetector()])
        return RatingBurstDetector().measure(export, config: config, threads: 1).signals.first {
            $0.definition.name == "rater_burst"
        }!
    }

    @Test func sleepersBuyingTicketsMakeABurst() {
        let export = Self.shop(sleepers: true, wave: false)
        let config = DetectionConfig(detectors: [RatingBurstDetector()])
        let (backing, tickets) = RatingFacts.purchases(export, shops: Self.shops(export), config: config, threads: 1)
        #expect((300..<308).allSatisfy { backing[$0] == .genuine && tickets.rating[$0] })
        #expect(!tickets.rating[7], "an honest complaint about a dearer item is no ticket")
        #expect(abs(tickets.shopShare[0] - 38.0 / 308) < 1e-12)
        let burst = Self.burst(export)
        let threshold = config["signals.rater_burst.threshold"]
        for sleeper in 400..<408 { #expect(burst.values[sleeper] >= threshold, "sleeper \(sleeper)") }
        #expect(!(burst.values[8] >= threshold), "the honest complainer of day 1")
    }

    /// A wave of real complaints falls on the cheapest items as on the others: its seven
    /// tickets (item 2) are fewer than its 47 other complaints explain (item 2 and item 0
    /// are 60 of the 300 orders: 47 x 60 / 240 = 11.75), so they make no burst; counted
    /// as unbacked they would (seven in a day over a quiet history).
    @Test func aWaveOfComplaintsExplainsItsTickets() {
        let export = Self.shop(sleepers: false, wave: true)
        let config = DetectionConfig(detectors: [RatingBurstDetector()])
        let tickets = RatingFacts.purchases(export, shops: Self.shops(export), config: config, threads: 1).tickets
        #expect(abs(tickets.shopShare[0] - 60.0 / 300) < 1e-12)
        let burst = Self.burst(export)
        let ticketRaters = (125..<185).filter { $0 % 8 == 0 && $0 % 10 != 0 }.map { $0 + 1 }
        #expect(ticketRaters.allSatisfy { tickets.rating[$0 - 1] })
        #expect(ticketRaters.count == 7)
        for rater in ticketRaters { #expect(burst.values[rater] == 0, "rater \(rater)") }
    }

    static func column(_ name: String, _ export: Export) -> SignalColumn {
        let config = DetectionConfig(detectors: [RatingBurstDetector()])
        return RatingBurstDetector().measure(export, config: config, threads: 1).signals.first { $0.definition.name == name }!
    }

    @Test func ticketSurpriseIsTheBinomialTailOfBackedComplaints() {
        // Shop 0: 3 tickets among 4 backed complaints at share 0.25; shop 1: 1 of 3 at 0.5;
        // the unbacked complaint (neither flag) does not count.
        let shops: [UInt32] = [0, 0, 0, 0, 0, 1, 1, 1]
        let ticketLow = [true, true, true, false, false, true, false, false]
        let customerLow = [false, false, false, true, false, false, true, true]
        let surprise = RatingBurstDetector.ticketSurprise(
            shops: Column(shops), ticketLow: ticketLow, customerLow: customerLow, shopShare: [0.25, 0.5, 0.1])
        let p = 4 * 0.25 * 0.25 * 0.25 * 0.75 + 0.25 * 0.25 * 0.25 * 0.25
        #expect(abs(surprise[0] - -log10(p)) < 1e-9)
        #expect(surprise[1] == 0)
        #expect(surprise[2] == 0)
    }

    /// Twelve sleepers posting every three days make no burst of the rating history, but
    /// 12 of the shop's 18 backed complaints are tickets where its sales predict 2.4.
    @Test func slowSleepersShowAsTicketExcess() {
        let export = Self.shop(sleepers: true, wave: false, slow: true)
        let excess = Self.column("rater_ticket_excess", export)
        let threshold = DetectionConfig(detectors: [RatingBurstDetector()])["signals.rater_ticket_excess.threshold"]
        for sleeper in 400..<412 { #expect(excess.values[sleeper] >= threshold, "sleeper \(sleeper)") }
        let burst = Self.column("rater_burst", export)
        let burstThreshold = DetectionConfig(detectors: [RatingBurstDetector()])["signals.rater_burst.threshold"]
        #expect((400..<412).allSatisfy { !(burst.values[$0] >= burstThreshold) })
        #expect(!(excess.values[8] >= threshold), "an honest complainer about a dearer item")
    }

    /// The wave's tickets are fewer than the shop's sales predict among its complaints.
    @Test func aWaveOfComplaintsShowsNoTicketExcess() {
        let excess = Self.column("rater_ticket_excess", Self.shop(sleepers: false, wave: true))
        for rater in (125..<185).filter({ $0 % 8 == 0 && $0 % 10 != 0 }).map({ $0 + 1 }) {
            #expect(excess.values[rater] == 0, "rater \(rater)")
        }
    }

    /// Ten raters without orders make a burst on day 30; two customers who bought a ticket
    /// item and complain that day do not share it (two tickets are no ticket burst).
    @Test func customersInsideARaidWithoutOrdersShareNoBurst() {
        let export = Self.shop(sleepers: false, wave: false, raid: true)
        let burst = Self.column("rater_burst", export)
        let threshold = DetectionConfig(detectors: [RatingBurstDetector()])["signals.rater_burst.threshold"]
        for raider in 410..<420 { #expect(burst.values[raider] >= threshold, "raider \(raider)") }
        #expect(burst.values[145] == 0 && burst.values[153] == 0)
    }
}

@Suite struct RefundComplaintTests {
    @Test(arguments: 0..<30) func refundComplaintsMatchReference(seed: Int) {
        let data = RandomRatings(seed: seed)
        let orders = data.orders, ratings = data.ratings, low = data.low
        let backing = RatingFacts.backing(
            ratings: ratings, orders: orders, shopCount: data.accounts, trivialQuantile: 0.2, minimumShopOrders: 5, threads: 1)
        let refunds = RaterOrderDetector.refundComplaints(ratings, orders: orders, low: low, backing: backing)
        let refunded = OrderStatus.refunded.rawValue, cancelled = OrderStatus.cancelled.rawValue
        for row in 0..<ratings.count {
            let order = ratings.order[row]
            let expected = low[row] && order != IdDictionary.absent && orders.status[Int(order)] == refunded
                && orders.buyer[Int(order)] == ratings.buyer[row] && orders.shop[Int(order)] == ratings.shop[row]
            #expect(refunds.rating[row] == expected, "rating \(row)")
        }
        for order in 0..<orders.count {
            let expected = (0..<ratings.count).contains { refunds.rating[$0] && ratings.order[$0] == UInt32(order) }
            #expect(refunds.order[order] == expected, "order \(order)")
        }
        let prior = 3.0
        let surprise = RaterOrderDetector.refundComplaintSurprise(
            orders: orders, complained: refunds.order, accountCount: data.accounts, priorOrders: prior)
        let kept = orders.status.indices.filter { orders.status[$0] != cancelled }
        let platform = Double(kept.filter { refunds.order[$0] }.count) / Double(max(1, kept.count))
        for buyer in 0..<data.accounts {
            let own = kept.filter { orders.buyer[$0] == UInt32(buyer) }
            let shops = Set(own.filter { refunds.order[$0] }.map { orders.shop[$0] })
            let mean = own.map { row -> Double in
                let others = kept.filter { orders.shop[$0] == orders.shop[row] && $0 != row }
                return (Double(others.filter { refunds.order[$0] }.count) + prior * platform) / max(1, Double(others.count) + prior)
            }.reduce(0, +)
            let expected = shops.isEmpty ? 0 : Chance.poissonSurprise(count: shops.count, mean: mean)
            #expect(abs(surprise[buyer] - expected) < 1e-9, "buyer \(buyer)")
        }
    }

    /// Shops 1-6 are good (100 orders each, none complained about and refunded); shops
    /// 7-12 are bad (30 of their 100 orders are). Buyer 20, an extortion rater, buys once
    /// at each good shop, complains and is refunded; buyer 21 does the same at each bad
    /// shop, where it is one of many. Buyer 22 complains about six good shops without
    /// refunds (a harsh rater).
    static func extortion() -> Export {
        var orders = OrdersTable(), ratings = RatingsTable()
        func order(buyer: Int, shop: Int, refunded: Bool, rating stars: UInt8?) {
            RatingTicketTests.order(
                &orders, &ratings, buyer: buyer, shop: shop, item: shop, cents: 1000, status: refunded ? .refunded : .completed,
                stars: stars, text: 120, media: 1)
        }
        for shop in 1...12 {
            for index in 0..<100 {
                let complained = shop > 6 && index < 30
                order(buyer: 100 + (shop * 100 + index) % 250, shop: shop, refunded: complained, rating: complained ? 1 : nil)
            }
        }
        for shop in 1...6 {
            order(buyer: 20, shop: shop, refunded: true, rating: 1)
            order(buyer: 21, shop: shop + 6, refunded: true, rating: 1)
            order(buyer: 22, shop: shop, refunded: false, rating: 1)
        }
        return RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 400)
    }

    @Test func anExtortionRaterStandsOutWhereABadShopsCustomerDoesNot() {
        let config = DetectionConfig(detectors: [RaterOrderDetector()])
        let column = RaterOrderDetector().measure(Self.extortion(), config: config, threads: 1).signals.first {
            $0.definition.name == "rater_refund_complaint_surprise"
        }!
        let threshold = config["signals.rater_refund_complaint_surprise.threshold"]
        #expect(column.values[20] >= threshold)
        #expect(column.samples[20]?.count == 6)
        #expect(column.values[21] < 3, "the bad shops' own rates explain their customer's refunds")
        #expect(column.values[22] == 0, "complaints without refunds")
        #expect(column.values[0].isNaN, "no low ratings, no value")
    }
}
