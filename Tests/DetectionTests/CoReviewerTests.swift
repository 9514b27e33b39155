import Columnar
import Foundation
import Testing

@testable import Detection

/// The co-reviewer kernels against plain references on random data, and a planted ring.
@Suite struct CoReviewerTests {
    /// Random orders of `buyerCount` buyers at `shopCount` shops, each reviewed or not.
    static func randomRows(seed: UInt64, rows: Int, buyerCount: Int, shopCount: Int)
        -> (buyers: [UInt32], shops: [UInt32], reviewed: [Bool])
    {
        var random = SplitMix(seed: seed)
        var buyers: [UInt32] = [], shops: [UInt32] = [], reviewed: [Bool] = []
        for _ in 0..<rows {
            buyers.append(UInt32(shopCount) + UInt32(random.next() % UInt64(buyerCount)))
            shops.append(UInt32(random.next() % UInt64(shopCount)))
            reviewed.append(random.next() % 3 != 0)
        }
        return (buyers, shops, reviewed)
    }

    /// Plain reference of `-log10 P(X >= count)` by summing the head of the distribution.
    static func referenceSurprise(count: Int, mean: Double) -> Double {
        guard Double(count) > mean else { return 0 }
        var head = 0.0, term = exp(-mean)
        for k in 0..<count {
            head += term
            term *= mean / Double(k + 1)
        }
        return -log10(1 - head)
    }

    @Test func poissonSurpriseMatchesTheDirectSum() {
        for mean in [0.05, 0.3, 1, 2.5, 7] {
            for count in 0..<14 {
                let expected = Self.referenceSurprise(count: count, mean: mean)
                guard expected < 8 else { continue }  // the direct sum loses precision further out
                let value = CoReviewerPairs.poissonSurprise(count: count, mean: mean)
                #expect(abs(value - expected) < 1e-6 * max(1, expected), "count \(count), mean \(mean)")
            }
        }
        // Far in the tail the direct sum cancels to 0; the log-space tail keeps going.
        #expect(CoReviewerPairs.poissonSurprise(count: 60, mean: 0.5) > 80)
        #expect(CoReviewerPairs.poissonSurprise(count: 3, mean: 4) == 0)
    }

    @Test(arguments: 0..<20) func pairsMatchReference(seed: Int) {
        let shopCount = 8, buyerCount = 30, maximumShops = 4
        let (buyers, shops, reviewed) = Self.randomRows(seed: UInt64(seed), rows: 150, buyerCount: buyerCount, shopCount: shopCount)
        let accountCount = shopCount + buyerCount
        let region = (0..<accountCount).map { UInt32($0 % 3) }
        let reviewedKeys = CoReviewerPairs.distinctBuyerShops(buyers: buyers, shops: shops) { reviewed[$0] }
        let pairs = CoReviewerPairs(
            reviewerShops: reviewedKeys, region: region, accountCount: accountCount, maximumShops: maximumShops)

        var reviewedShops: [UInt32: Set<UInt32>] = [:]
        for row in buyers.indices where reviewed[row] { reviewedShops[buyers[row], default: []].insert(shops[row]) }
        func expectedCommon(_ a: UInt32, _ b: UInt32) -> Double {
            var expected = 0.0
            for group in UInt32(0)..<3 {
                let members = reviewedShops.filter { region[Int($0.key)] == group }.values
                let sumK = Double(members.map(\.count).reduce(0, +))
                let sumK2 = Double(members.map { $0.count * ($0.count - 1) }.reduce(0, +))
                let ra = members.filter { $0.contains(a) }.count, rb = members.filter { $0.contains(b) }.count
                if ra > 0 && rb > 0 { expected += Double(ra) * Double(rb) * sumK2 / (sumK * sumK) }
            }
            return expected
        }
        var best = [Double](repeating: 0, count: accountCount)
        var pairSurprise: [Set<UInt32>: Double] = [:]
        for a in 0..<UInt32(shopCount) {
            for b in (a + 1)..<UInt32(shopCount) {
                let common = reviewedShops.values.filter { $0.count <= maximumShops && $0.contains(a) && $0.contains(b) }.count
                guard common >= 2 else {
                    #expect(pairs.index(a, b) == nil)
                    continue
                }
                let expected = expectedCommon(a, b)
                let surprise = CoReviewerPairs.poissonSurprise(count: common, mean: expected)
                pairSurprise[[a, b]] = surprise
                best[Int(a)] = max(best[Int(a)], surprise)
                best[Int(b)] = max(best[Int(b)], surprise)
                guard let index = pairs.index(b, a) else {
                    Issue.record("pair \(a) \(b) missing, seed \(seed)")
                    continue
                }
                #expect(pairs.pairCommon[index] == UInt32(common))
                #expect(abs(pairs.pairExpected[index] - expected) <= 1e-9 * expected)
                #expect(abs(pairs.pairSurprise[index] - surprise) <= 1e-6 * max(1, surprise))
            }
        }
        for shop in 0..<accountCount {
            #expect(abs(pairs.shopSurprise[shop] - best[shop]) <= 1e-6 * max(1, best[shop]), "shop \(shop), seed \(seed)")
        }

        let (buyerValues, buyerPair) = pairs.buyerSurprise(
            buyerShops: CoReviewerPairs.distinctBuyerShops(buyers: buyers, shops: shops) { _ in true },
            reviewerShops: reviewedKeys, accountCount: accountCount, maximumShops: maximumShops)
        var boughtShops: [UInt32: Set<UInt32>] = [:]
        for row in buyers.indices { boughtShops[buyers[row], default: []].insert(shops[row]) }
        for buyer in 0..<accountCount {
            let bought = boughtShops[UInt32(buyer)] ?? [], praised = reviewedShops[UInt32(buyer)] ?? []
            var expected = 0.0
            if bought.count <= maximumShops {
                for (pair, surprise) in pairSurprise where pair.isSubset(of: bought) && !pair.isDisjoint(with: praised) {
                    expected = max(expected, surprise)
                }
            }
            #expect(abs(buyerValues[buyer] - expected) <= 1e-6 * max(1, expected), "buyer \(buyer), seed \(seed)")
            if expected > 0 {
                let key = pairs.pairKeys[Int(buyerPair[buyer])]
                #expect(bought.contains(UInt32(key >> 32)) && bought.contains(UInt32(key & 0xFFFF_FFFF)))
            }
        }
    }

    @Test func distinctBuyerShopsAreSortedAndUnique() {
        let keys = CoReviewerPairs.distinctBuyerShops(buyers: [5, 3, 5, 3, 5], shops: [1, 2, 1, 0, 0]) { $0 != 4 }
        #expect(keys == [3 << 32 | 0, 3 << 32 | 2, 5 << 32 | 1])
    }

    /// A ring of 10 buyers reviewing two small shops stands out of 3,000 random reviews
    /// over 40 shops; no random pair comes near it.
    @Test func aPlantedRingIsTheMostSurprisingPair() {
        var (buyers, shops, reviewed) = Self.randomRows(seed: 99, rows: 3_000, buyerCount: 1_500, shopCount: 40)
        for member in 0..<10 {
            for shop: UInt32 in [7, 23] {
                buyers.append(40 + UInt32(member) * 97)
                shops.append(shop)
                reviewed.append(true)
            }
        }
        let pairs = CoReviewerPairs(
            reviewerShops: CoReviewerPairs.distinctBuyerShops(buyers: buyers, shops: shops) { reviewed[$0] },
            region: [UInt32](repeating: IdDictionary.absent, count: 1_540), accountCount: 1_540, maximumShops: 64)
        #expect(pairs.shopPartner[7] == 23 && pairs.shopPartner[23] == 7)
        #expect(pairs.shopSurprise[7] > 5)
        let honest = (0..<40).filter { $0 != 7 && $0 != 23 }.map { pairs.shopSurprise[$0] }.max()!
        #expect(honest < 3)
    }

    @Test func onlyPositiveReviewsOfKeptOrdersCount() {
        var export = Export()
        export.orders.status = [OrderStatus.completed, .refunded, .completed, .cancelled, .shipped].map(\.rawValue)
        export.orders.buyer = [0, 0, 0, 0, 0]
        export.ratings.order = [0, 1, 2, 3, IdDictionary.absent, 4]
        export.ratings.buyer = [0, 0, 0, 0, 0, 0]
        export.ratings.stars = [5, 5, 3, 4, 5, 4]
        #expect(CoReviewerDetector.positivelyReviewed(export, minimumStars: 4) == [true, false, false, false, true])
    }
}
