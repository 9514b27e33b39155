import Columnar
import Testing
import TestSupport

@testable import Detection

/// `SortedKeys` against plain references.
@Suite struct SortedKeysTests {
    /// The runs cover every position once, in order, each a maximal stretch of one key.
    @Test(arguments: 0..<20) func runsAreTheMaximalStretchesOfOneKey(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 900)
        let keys = (0..<Int(random.next() % 60)).map { _ in UInt32(random.next() % 6) }.sorted()
        var runs: [(key: UInt32, run: Range<Int>)] = []
        SortedKeys.forEachRun(count: keys.count, key: { keys[$0] }) { key, run in runs.append((key, run)) }
        #expect(runs.map(\.run.lowerBound) == [0] + runs.dropLast().map(\.run.upperBound))
        #expect(runs.last?.run.upperBound ?? 0 == keys.count)
        #expect(runs.map(\.key) == Array(Set(keys)).sorted())
        for (key, run) in runs {
            #expect(keys[run].allSatisfy { $0 == key })
        }
    }

    /// Each distinct key once, ascending, with its number of copies; found where present.
    @Test(arguments: 0..<20) func countedMatchesReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 950)
        let keys = (0..<Int(random.next() % 80)).map { _ in UInt64(random.next() % 9) << 32 | random.next() % 3 }
        let (distinct, counts) = SortedKeys.counted(keys)
        #expect(distinct == Array(Set(keys)).sorted())
        #expect(counts == distinct.map { key in UInt32(keys.count { $0 == key }) })
        for key: UInt64 in (0..<10).flatMap({ [$0 << 32, $0 << 32 | 1, $0 << 32 | 2] }) {
            #expect(SortedKeys.position(of: key, in: distinct) == distinct.firstIndex(of: key))
        }
    }

    /// Whether each key is in the other ascending keys, as a search of them says.
    @Test(arguments: 0..<20) func membershipMatchesReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 980)
        func keys() -> [UInt64] {
            SortedKeys.counted((0..<Int(random.next() % 40)).map { _ in random.next() % 5 << 32 | random.next() % 4 }).keys
        }
        let (all, other) = (keys(), keys())
        #expect(SortedKeys.membership(of: all, in: other) == all.map { other.contains($0) })
    }

    /// A buyer's purchased shops are the distinct shops of its orders not cancelled, kept
    /// where one of those is not refunded either, against sets on random orders.
    @Test(arguments: 0..<20) func purchasedMatchesReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 990)
        var orders = OrdersTable()
        for _ in 0..<Int(random.next() % 120) {
            orders.buyer.append(UInt32(random.next() % 12))
            orders.shop.append(UInt32(random.next() % 8))
            orders.status.append([OrderStatus.completed, .refunded, .cancelled, .shipped][Int(random.next() % 4)].rawValue)
        }
        var all = Set<UInt64>(), kept = Set<UInt64>()
        for row in 0..<orders.count where orders.status[row] != OrderStatus.cancelled.rawValue {
            let key = UInt64(orders.buyer[row]) << 32 | UInt64(orders.shop[row])
            all.insert(key)
            if orders.status[row] != OrderStatus.refunded.rawValue { kept.insert(key) }
        }
        let purchased = BuyerShops.purchased(orders: orders, buyers: EntityGroups(keys: orders.buyer, entityCount: 12))
        #expect(purchased.keys == all.sorted())
        #expect(purchased.kept == purchased.keys.map { kept.contains($0) })
    }

    @Test func distinctBuyerShopKeysAreSortedAndUnique() {
        let keys = BuyerShops.distinctKeys(buyers: [5, 3, 5, 3, 5], shops: [1, 2, 1, 0, 0]) { $0 != 4 }
        #expect(keys == [3 << 32 | 0, 3 << 32 | 2, 5 << 32 | 1])
        var walked: [(buyer: UInt32, shops: [UInt32])] = []
        BuyerShops.forEach(in: keys) { shops in walked.append((shops.buyer, (0..<shops.count).map { shops[$0] })) }
        #expect(walked.map(\.buyer) == [3, 5])
        #expect(walked.map(\.shops) == [[0, 2], [1]])
    }
}
