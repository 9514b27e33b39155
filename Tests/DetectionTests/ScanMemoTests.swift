import Columnar
import Testing

@testable import Detection

@Suite struct ScanMemoTests {
    /// A shop selling a 5-yuan item and 50-150-yuan items, each rated: the memo gives
    /// `RatingFacts.purchases` of the export, the same value when asked again, and under a
    /// config that measures cheap limits only for larger shops (the 5-yuan item no longer
    /// trivial) that config's value, not the one it kept.
    @Test func purchasesAreTheExportsUnderTheConfigAsked() throws {
        var orders = OrdersTable(), ratings = RatingsTable()
        for buyer in 1...30 {
            let cheap = buyer % 5 == 0
            RatingTicketTests.order(
                &orders, &ratings, buyer: buyer, shop: 0, item: cheap ? 100 : 101 + buyer % 3,
                cents: cheap ? 500 : Int64(5000 * (1 + buyer % 3)), stars: buyer % 2 == 0 ? 1 : 5)
        }
        let export = RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 200)
        let detector = RatingBurstDetector()
        let defaults = DetectionConfig(detectors: [detector])
        var strict = defaults
        try strict.set("malicious_ratings.trivial_min_shop_orders", 1000)
        let memo = ScanMemo(export)
        func same(_ a: ScanMemo.Purchases, _ b: ScanMemo.Purchases) -> Bool {
            a.backing == b.backing && a.tickets.rating == b.tickets.rating && a.tickets.shopShare == b.tickets.shopShare
        }
        let direct = RatingFacts.purchases(export, shops: RatingTicketTests.shops(export), config: defaults, threads: 1)
        let strictDirect = RatingFacts.purchases(export, shops: RatingTicketTests.shops(export), config: strict, threads: 1)
        #expect(direct.backing.contains(.trivial))
        #expect(direct.backing != strictDirect.backing)
        #expect(same(memo.purchases(config: defaults, threads: 1), direct))
        #expect(same(memo.purchases(config: defaults, threads: 2), direct))
        #expect(same(memo.purchases(config: strict, threads: 1), strictDirect))
        #expect(same(memo.purchases(config: defaults, threads: 1), direct))
    }

    /// The memo's `RatingFacts` are the export's under the config asked: with one star
    /// the low cut the two-star ratings are not low, and the memo gives that, not the
    /// facts it kept.
    @Test func factsAreTheExportsUnderTheConfigAsked() throws {
        var orders = OrdersTable(), ratings = RatingsTable()
        for buyer in 1...30 {
            RatingTicketTests.order(
                &orders, &ratings, buyer: buyer, shop: buyer % 3, item: 100 + buyer % 4, cents: 5000,
                stars: UInt8(1 + buyer % 5))
        }
        let export = RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 200)
        let defaults = DetectionConfig(detectors: [RatingBurstDetector()])
        var harsh = defaults
        try harsh.set("malicious_ratings.low_stars", 1)
        let memo = ScanMemo(export)
        func same(_ a: RatingFacts, _ b: RatingFacts) -> Bool {
            a.low == b.low && a.hasOrders == b.hasOrders
                && a.lowByRater.offsets == b.lowByRater.offsets && a.lowByRater.rows == b.lowByRater.rows
                && a.lowByShop.offsets == b.lowByShop.offsets && a.lowByShop.rows == b.lowByShop.rows
        }
        let direct = RatingFacts(export, config: defaults), harshDirect = RatingFacts(export, config: harsh)
        #expect(direct.low != harshDirect.low)
        #expect(same(memo.facts(config: defaults), direct))
        #expect(same(memo.facts(config: harsh), harshDirect))
        #expect(same(memo.facts(config: defaults), direct))
    }

    /// The memo's orders grouped by shop are the export's, in file order and in time
    /// order: orders placed out of time order at three shops group differently the two ways.
    @Test func shopsAreTheExportsInFileAndTimeOrder() {
        var orders = OrdersTable(), ratings = RatingsTable()
        for buyer in 1...24 {
            RatingTicketTests.order(&orders, &ratings, buyer: buyer, shop: buyer % 3, item: 100, cents: 5000, stars: nil)
        }
        orders.createdAt = Column(orders.createdAt.reversed())
        let export = RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 200)
        let memo = ScanMemo(export)
        let inFile = EntityGroups(keys: orders.shop, entityCount: 200)
        let inTime = EntityGroups(keys: orders.shop, entityCount: 200, orderedBy: orders.createdAt)
        #expect(inFile.rows != inTime.rows)
        #expect(memo.shops.offsets == inFile.offsets && memo.shops.rows == inFile.rows)
        #expect(memo.shopsInTime.offsets == inTime.offsets && memo.shopsInTime.rows == inTime.rows)
    }

    /// The memo's crews are `CoComplainerDetector.oneOff` and `crews` of the export under
    /// the config asked: a crew of four complains once (no order) about shops 1 and 2,
    /// each member a different shop of 10..13 too, with honest one-off complaints
    /// elsewhere. With three raters required the crew's pair surprises; with five it has
    /// none, and the memo gives that, not the value it kept.
    @Test func crewsAreTheExportsUnderTheConfigAsked() throws {
        var orders = OrdersTable(), ratings = RatingsTable()
        for buyer in 20..<60 {
            RatingTicketTests.order(&orders, &ratings, buyer: buyer, shop: 3 + buyer % 7, item: 100 + buyer % 7, cents: 5000, stars: 2)
        }
        for member in 0..<4 {
            for shop in [1, 2, 10 + member] {
                ratings.buyer.append(UInt32(100 + member))
                ratings.shop.append(UInt32(shop))
                ratings.order.append(IdDictionary.absent)
                ratings.item.append(IdDictionary.absent)
                ratings.stars.append(1)
                ratings.createdAt.append(86_400)
                ratings.textLength.append(60)
                ratings.hasMedia.append(0)
            }
        }
        let export = RatingTicketTests.export(orders: orders, ratings: ratings, accounts: 200)
        let detector = CoComplainerDetector()
        let defaults = DetectionConfig(detectors: [detector])
        var wider = defaults
        try wider.set("malicious_ratings.co_complainer_min_raters", 5)
        let memo = ScanMemo(export)
        func direct(_ config: DetectionConfig) -> ScanMemo.Crews {
            let purchases = RatingFacts.purchases(export, shops: RatingTicketTests.shops(export), config: config, threads: 1)
            let oneOff = CoComplainerDetector.oneOff(
                export, buyers: EntityGroups(keys: export.orders.buyer, entityCount: 200), config: config)
            let (driveBy, pairs) = CoComplainerDetector.crews(
                export, oneOff: oneOff, backing: purchases.backing, tickets: purchases.tickets.rating, config: config)
            return (oneOff, driveBy, pairs)
        }
        func same(_ a: ScanMemo.Crews, _ b: ScanMemo.Crews) -> Bool {
            a.oneOff == b.oneOff && a.driveBy == b.driveBy && a.pairs.best == b.pairs.best
                && zip(a.pairs.value, b.pairs.value).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        #expect(direct(defaults).pairs.value[100] > 0)
        #expect(direct(wider).pairs.value[100] == 0)
        #expect(same(memo.crews(config: defaults, threads: 1), direct(defaults)))
        #expect(same(memo.crews(config: wider, threads: 1), direct(wider)))
        #expect(same(memo.crews(config: defaults, threads: 2), direct(defaults)))
    }
}
