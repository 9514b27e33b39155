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
        let direct = RatingFacts.purchases(export, config: defaults, threads: 1)
        let strictDirect = RatingFacts.purchases(export, config: strict, threads: 1)
        #expect(direct.backing.contains(.trivial))
        #expect(direct.backing != strictDirect.backing)
        #expect(same(memo.purchases(config: defaults, threads: 1), direct))
        #expect(same(memo.purchases(config: defaults, threads: 2), direct))
        #expect(same(memo.purchases(config: strict, threads: 1), strictDirect))
        #expect(same(memo.purchases(config: defaults, threads: 1), direct))
    }
}
