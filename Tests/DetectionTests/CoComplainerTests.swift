import Columnar
import Foundation
import Testing
import TestSupport

@testable import Detection

@Suite struct CoComplainerTests {
    @Test(arguments: 0..<30) func oneOffMatchesReference(seed: Int) {
        let data = RandomRatings(seed: seed)
        var random = SeededRandom(seed: UInt64(seed) &+ 77)
        let cheap = (0..<data.ratings.count).map { _ in random.next() % 3 > 0 }
        let driveBy = CoComplainerDetector.oneOff(
            complaint: cheap, ratings: data.ratings, orders: data.orders,
            buyers: EntityGroups(keys: data.orders.buyer, entityCount: data.accounts))
        let orders = data.orders
        for row in 0..<data.ratings.count {
            let own = orders.buyer.indices.filter {
                orders.buyer[$0] == data.ratings.buyer[row] && orders.shop[$0] == data.ratings.shop[row]
                    && orders.status[$0] != OrderStatus.cancelled.rawValue
            }
            #expect(driveBy[row] == (cheap[row] && own.count <= 1), "rating \(row)")
        }
    }

    @Test(arguments: 0..<30) func pairSurpriseMatchesReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let accounts = 40
        var shop: [UInt32] = [], rater: [UInt32] = []
        for _ in 0..<(Int(random.next() % 200) + 1) {
            rater.append(UInt32(random.next() % 30))
            shop.append(random.next() % 4 == 0 ? IdDictionary.absent : UInt32(random.next() % 12))
        }
        let minimumRaters = 2 + seed % 3
        // Every other seed caps the raters' shops below the 12 there are.
        let maximumShops = seed % 2 == 0 ? 12 : 2 + seed % 5
        let result = CoComplainerDetector.pairSurprise(
            shop: Column(shop), rater: Column(rater), accountCount: accounts, minimumRaters: minimumRaters, maximumShops: maximumShops)
        let sets = (0..<accounts).map { account in
            Set(shop.indices.filter { rater[$0] == UInt32(account) && shop[$0] != IdDictionary.absent }.map { shop[$0] })
        }
        let total = Double(sets.map(\.count).reduce(0, +))
        let weight = Double(sets.map { $0.count * ($0.count - 1) }.reduce(0, +))
        for account in 0..<accounts {
            let own = sets[account].sorted()
            if own.isEmpty {
                #expect(result.value[account].isNaN, "account \(account)")
                continue
            }
            let k = Double(own.count)
            var expected = 0.0
            for (i, a) in own.enumerated() where own.count <= maximumShops {
                for b in own[(i + 1)...] {
                    let others = sets.indices.filter {
                        $0 != account && sets[$0].count <= maximumShops && sets[$0].contains(a) && sets[$0].contains(b)
                    }.count
                    let degreeA = sets.filter { $0.contains(a) }.count, degreeB = sets.filter { $0.contains(b) }.count
                    let mean = Double(degreeA - 1) * Double(degreeB - 1) * (weight - k * (k - 1)) / ((total - k) * (total - k))
                    guard others > 0, others + 1 >= minimumRaters else { continue }
                    expected = max(expected, Chance.poissonSurprise(count: others, mean: mean))
                }
            }
            #expect(abs(result.value[account] - expected) < 1e-9, "account \(account)")
        }
    }

    /// Shops 1-8 sell one cheap item (1 yuan) and four dearer ones; 100 customers each buy
    /// dearer items, a few the cheap one. Raters 300-307, a crew, each buy the cheap item
    /// once at shops 1 and 2 and give both three stars. Raters 320-327, regulars of both
    /// shops, buy the cheap item twice at each and complain just the same. Raters 340-351
    /// make drive-by complaints about two of shops 3-8 each, no two the same pair more
    /// than twice. Raters 360-367 bought a dearer item once at shops 1 and 2 and complain.
    /// Raters 200-279 make one drive-by complaint each about one of shops 3-8.
    /// Raters 380 and 381, two friends, complain without orders about shops 9 and 10,
    /// which nobody else complains about.
    static func crewAndRegulars() -> Export {
        var orders = OrdersTable(), ratings = RatingsTable()
        func order(buyer: Int, shop: Int, cheap: Bool, stars: UInt8?) {
            let dearer = 1 + orders.count % 4
            RatingTicketTests.order(
                &orders, &ratings, buyer: buyer, shop: shop, item: shop * 10 + (cheap ? 0 : dearer),
                cents: cheap ? 100 : Int64(1000 * dearer), stars: stars)
        }
        for shop in 1...8 {
            for index in 0..<100 {
                order(buyer: 100 + index, shop: shop, cheap: index % 12 == 0, stars: index % 3 == 0 ? 5 : nil)
            }
        }
        for member in 300..<308 {
            for shop in 1...2 { order(buyer: member, shop: shop, cheap: true, stars: 3) }
        }
        for regular in 320..<328 {
            for shop in 1...2 {
                order(buyer: regular, shop: shop, cheap: true, stars: nil)
                order(buyer: regular, shop: shop, cheap: true, stars: 3)
            }
        }
        for (index, rater) in (340..<352).enumerated() {
            order(buyer: rater, shop: 3 + index % 6, cheap: true, stars: 2)
            order(buyer: rater, shop: 3 + (index + 1 + index / 6) % 6, cheap: true, stars: 1)
        }
        for customer in 360..<368 {
            for shop in 1...2 { order(buyer: customer, shop: shop, cheap: false, stars: 1) }
        }
        for (index, lone) in (200..<280).enumerated() { order(buyer: lone, shop: 3 + index % 6, cheap: true, stars: 2) }
        for friend in 380..<382 {
            for shop in 9...10 {
                ratings.order.append(IdDictionary.absent)
                ratings.buyer.append(UInt32(friend))
                ratings.shop.append(UInt32(shop))
                ratings.item.append(IdDictionary.absent)
                ratings.stars.append(1)
                ratings.createdAt.append(0)
                ratings.textLength.append(60)
                ratings.hasMedia.append(0)
            }
        }
        return RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 400)
    }

    @Test func aCrewSharingTwoVictimsStandsOutWhereRegularsCustomersAndFriendsDoNot() {
        let detector = CoComplainerDetector()
        let config = DetectionConfig(detectors: [detector])
        let column = detector.measure(Self.crewAndRegulars(), config: config, threads: 1).signals[0]
        let threshold = config["signals.rater_co_complainer_surprise.threshold"]
        for member in 300..<308 {
            #expect(column.values[member] >= threshold, "crew member \(member)")
            #expect(column.samples[UInt32(member)]?.count == 2)
        }
        for regular in 320..<328 { #expect(column.values[regular].isNaN, "regular \(regular): repeat orders, no drive-by") }
        for rater in 340..<352 { #expect(column.values[rater] < threshold, "lone drive-by rater \(rater)") }
        for customer in 360..<368 { #expect(column.values[customer].isNaN, "customer \(customer): real purchases") }
        for friend in 380..<382 { #expect(column.values[friend] == 0, "friend \(friend): two are no crew") }
    }

    /// The friends' two rare shops are a surprising pair; only the crew's minimum size
    /// keeps them out.
    @Test func twoFriendsCountWhenTheConfigTakesPairsOfTwo() throws {
        let detector = CoComplainerDetector()
        var config = DetectionConfig(detectors: [detector])
        try config.set("malicious_ratings.co_complainer_min_raters", 2)
        let column = detector.measure(Self.crewAndRegulars(), config: config, threads: 1).signals[0]
        let threshold = config["signals.rater_co_complainer_surprise.threshold"]
        for friend in 380..<382 { #expect(column.values[friend] >= threshold, "friend \(friend)") }
    }

    /// The crew's members complain about two shops each: a cap of one shop takes their
    /// pairs away, though they keep their drive-by complaints.
    @Test func raterBeyondTheShopCapAddsNoPair() throws {
        let detector = CoComplainerDetector()
        var config = DetectionConfig(detectors: [detector])
        try config.set("malicious_ratings.co_complainer_max_shops", 1)
        let column = detector.measure(Self.crewAndRegulars(), config: config, threads: 1).signals[0]
        for member in 300..<308 { #expect(column.values[member] == 0, "crew member \(member)") }
    }

    @Test func threeStarsAreNoDriveByWhenTheConfigSaysTwo() throws {
        let detector = CoComplainerDetector()
        var config = DetectionConfig(detectors: [detector])
        try config.set("malicious_ratings.drive_by_stars", 2)
        let column = detector.measure(Self.crewAndRegulars(), config: config, threads: 1).signals[0]
        for member in 300..<308 { #expect(column.values[member].isNaN, "crew member \(member)") }
    }
}
