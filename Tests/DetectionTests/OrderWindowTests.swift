import Columnar
import Testing
import TestSupport

@testable import Detection

@Suite struct OrderWindowTests {
    /// Plain reference: every window that starts at some order of the shop, by brute force.
    /// Plain reference: every window that starts at some order of the shop, by brute
    /// force; the best rate, and the orders inside windows at or above `brushingRate`.
    static func reference(
        times: [Int64], buyers: [UInt32], rule: OrderWindowDetector.Rule
    ) -> (best: Double?, covered: Set<Int>) {
        let order = times.indices.sorted { (times[$0], $0) < (times[$1], $1) }
        var best: Double?
        var covered: Set<Int> = []
        for start in order.indices {
            var members: [Int] = []
            for index in order[start...] where times[index] - times[order[start]] < rule.windowSeconds { members.append(index) }
            let distinct = Set(members.map { buyers[$0] }).count
            guard members.count >= rule.minimumOrders, distinct >= rule.minimumBuyers else { continue }
            let rate = Double(members.count) / Double(distinct)
            if best == nil || rate > best! { best = rate }
            if rate >= rule.brushingRate { covered.formUnion(members) }
        }
        return (best, covered)
    }

    @Test(arguments: 0..<40) func kernelMatchesBruteForce(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let shopCount = 5, buyerCount = 12
        let rowCount = Int(random.next() % 200) + 1
        let shops = (0..<rowCount).map { _ in UInt32(random.next() % UInt64(shopCount)) }
        let buyers = (0..<rowCount).map { _ in UInt32(random.next() % UInt64(buyerCount)) }
        let times = (0..<rowCount).map { _ in Int64(random.next() % 20_000) }
        let groups = EntityGroups(keys: Column(shops), entityCount: shopCount, orderedBy: Column(times))
        let rule = OrderWindowDetector.Rule(windowSeconds: 3600, minimumOrders: 3, minimumBuyers: 2, brushingRate: 2)
        for threads in [1, 2] {
            let (windows, inBrushingWindow) = OrderWindowDetector.busiestWindows(
                shops: groups, buyers: Column(buyers), times: Column(times), buyerCount: buyerCount, rule: rule, threads: threads)
            for shop in 0..<shopCount {
                let rows = (0..<rowCount).filter { shops[$0] == UInt32(shop) }
                let expected = Self.reference(times: rows.map { times[$0] }, buyers: rows.map { buyers[$0] }, rule: rule)
                #expect(windows[shop]?.rate == expected.best, "shop \(shop), seed \(seed)")
                #expect(Set(rows.indices.filter { inBrushingWindow[rows[$0]] }) == expected.covered, "shop \(shop), seed \(seed)")
            }
        }
    }

    @Test func entityGroupsKeepTimeOrderAndSkipAbsent() {
        let keys: [UInt32] = [1, 0, 1, IdDictionary.absent, 1]
        let times: [Int64] = [30, 5, 10, 0, 10]
        let groups = EntityGroups(keys: Column(keys), entityCount: 3, orderedBy: Column(times))
        #expect(Array(groups.rows(of: 0)) == [1])
        #expect(Array(groups.rows(of: 1)) == [2, 4, 0])
        #expect(groups.count(of: 2) == 0)
    }
}
