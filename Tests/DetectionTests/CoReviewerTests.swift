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
        // Among reviewers of `degree` or more shops (2: all of them).
        func expectedCommon(_ a: UInt32, _ b: UInt32, degree: Int = 2) -> Double {
            var expected = 0.0
            for group in UInt32(0)..<3 {
                let members = reviewedShops.filter { region[Int($0.key)] == group }.values
                let sumK = Double(members.map(\.count).reduce(0, +))
                let sumK2 = Double(members.filter { $0.count >= degree }.map { $0.count * ($0.count - 1) }.reduce(0, +))
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
                let surprise = Chance.poissonSurprise(count: common, mean: expected)
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
                for degree in 3...maximumShops {
                    let keen = reviewedShops.values.filter {
                        $0.count >= degree && $0.count <= maximumShops && $0.contains(a) && $0.contains(b)
                    }.count
                    let (common, expectedKeen) = pairs.keenCommon(index, degree: UInt32(degree))
                    #expect(common == keen, "pair \(a) \(b) degree \(degree), seed \(seed)")
                    #expect(abs(expectedKeen - expectedCommon(a, b, degree: degree)) <= 1e-9 * max(1, expectedKeen))
                }
            }
        }
        for shop in 0..<accountCount {
            #expect(abs(pairs.shopSurprise[shop] - best[shop]) <= 1e-6 * max(1, best[shop]), "shop \(shop), seed \(seed)")
        }

        let (buyerValues, buyerPair) = pairs.buyerSurprise(
            buyerShops: CoReviewerPairs.distinctBuyerShops(buyers: buyers, shops: shops) { _ in true },
            reviewerShops: reviewedKeys, accountCount: accountCount, maximumShops: maximumShops, sharedSurprise: 1.5)
        var boughtShops: [UInt32: Set<UInt32>] = [:]
        for row in buyers.indices { boughtShops[buyers[row], default: []].insert(shops[row]) }
        for buyer in 0..<accountCount {
            let bought = boughtShops[UInt32(buyer)] ?? [], praised = reviewedShops[UInt32(buyer)] ?? []
            // The pair's word up to 1.5; beyond, only when the null explains less than half
            // of its other common reviewers at least as keen as the buyer.
            let degree = max(2, praised.count)
            var expected = 0.0
            if bought.count <= maximumShops {
                for pair in pairSurprise.keys where pair.isSubset(of: bought) && !pair.isDisjoint(with: praised) {
                    let (a, b) = (pair.min()!, pair.max()!)
                    let keen = reviewedShops.values.filter {
                        $0.count >= degree && $0.count <= maximumShops && $0.contains(a) && $0.contains(b)
                    }.count
                    let others = keen - (pair.isSubset(of: praised) && praised.count <= maximumShops ? 1 : 0)
                    let ringLikely = 2 * expectedCommon(a, b, degree: degree) < Double(others)
                    expected = max(expected, ringLikely ? pairSurprise[pair]! : min(pairSurprise[pair]!, 1.5))
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

    /// A ring of 60 members reviewing shops 7 and 23 among 6,000 random reviews over 200
    /// shops, the two clients popular (100 more one-off reviewers each), and a keen
    /// honest reviewer of 30 shops, the ring's two among them. Farm members review one
    /// shop more each; hired shoppers keep shopping and review ten more.
    static func ringWithKeenReviewer(hiredMembers: Bool)
        -> (pairs: CoReviewerPairs, surprise: [Double], keen: Int, members: [Int])
    {
        var (buyers, shops, reviewed) = Self.randomRows(seed: 7, rows: 6_000, buyerCount: 3_000, shopCount: 200)
        let others = (0..<200).filter { $0 != 7 && $0 != 23 }
        for (index, shop) in [7, 23].flatMap({ Array(repeating: $0, count: 100) }).enumerated() {
            buyers.append(UInt32(3_500 + index))
            shops.append(UInt32(shop))
            reviewed.append(true)
        }
        let members = (0..<60).map { 3_300 + $0 }
        for member in members {
            for shop in [7, 23] + (0..<(hiredMembers ? 10 : 1)).map({ others[(member * 11 + $0 * 17) % others.count] }) {
                buyers.append(UInt32(member))
                shops.append(UInt32(shop))
                reviewed.append(true)
            }
        }
        let keen = 3_400
        for shop in [7, 23] + others.suffix(28) {
            buyers.append(UInt32(keen))
            shops.append(UInt32(shop))
            reviewed.append(true)
        }
        let accountCount = 3_700
        let region = [UInt32](repeating: IdDictionary.absent, count: accountCount)
        let reviewedKeys = CoReviewerPairs.distinctBuyerShops(buyers: buyers, shops: shops) { reviewed[$0] }
        let pairs = CoReviewerPairs(reviewerShops: reviewedKeys, region: region, accountCount: accountCount, maximumShops: 64)
        let (surprise, _) = pairs.buyerSurprise(
            buyerShops: CoReviewerPairs.distinctBuyerShops(buyers: buyers, shops: shops) { _ in true },
            reviewerShops: reviewedKeys, accountCount: accountCount, maximumShops: 64, sharedSurprise: 4)
        return (pairs, surprise, keen, members)
    }

    /// The pair is the ring's, but no other reviewer of 30 shops meets at it: the keen
    /// reviewer keeps the pair's word only up to the shared surprise (4), while every
    /// farm member keeps the pair's surprise.
    @Test func aKeenHonestReviewerDoesNotInheritTheRingsPair() {
        let (pairs, surprise, keen, members) = Self.ringWithKeenReviewer(hiredMembers: false)
        let ring = pairs.pairSurprise[pairs.index(7, 23)!]
        #expect(ring > 7.5)
        #expect(pairs.reviewerDegree[keen] == 30)
        #expect(pairs.keenCommon(pairs.index(7, 23)!, degree: 30).common == 1)
        #expect(surprise[keen] == 4, "keen reviewer \(surprise[keen]) against the pair's \(ring)")
        for member in members { #expect(surprise[member] >= ring, "member \(member)") }
    }

    /// Hired shoppers reviewing 12 shops each meet at the ring's pair far more often than
    /// reviewers that keen do by chance: they keep the pair's evidence, and the keen
    /// honest reviewer still does not.
    @Test func hiredKeenShoppersStayRingMembers() {
        let (pairs, surprise, keen, members) = Self.ringWithKeenReviewer(hiredMembers: true)
        for member in members {
            #expect(pairs.reviewerDegree[member] == 12)
            #expect(surprise[member] > 7.5, "member \(member)")
        }
        #expect(surprise[keen] == 4)
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
