import Foundation
import Columnar
import Testing

@testable import Detection

/// The praise-rate kernels against plain references, and a planted ring among honest shops.
@Suite struct PraiseRatesTests {
    /// Orders of a platform: `honestShops` shops of `ordersPerShop` orders by one-off
    /// honest buyers praising every fifth order, and shop `client` getting `members` more
    /// orders from ring members who praise each, plus two praised orders each elsewhere.
    static func plantedRing(honestShops: Int, ordersPerShop: Int, members: Int)
        -> (buyers: [UInt32], shops: [UInt32], praised: [Bool], client: UInt32, firstMember: UInt32)
    {
        var buyers: [UInt32] = [], shops: [UInt32] = [], praised: [Bool] = []
        var nextBuyer = UInt32(honestShops + 1)
        for shop in 0..<honestShops {
            for order in 0..<ordersPerShop {
                buyers.append(nextBuyer)
                nextBuyer += 1
                shops.append(UInt32(shop))
                praised.append(order % 5 == 0)
            }
        }
        let client = UInt32(honestShops), firstMember = nextBuyer
        for member in 0..<UInt32(members) {
            for shop in [client, member % UInt32(honestShops), (member + 7) % UInt32(honestShops)] {
                buyers.append(firstMember + member)
                shops.append(shop)
                praised.append(true)
            }
        }
        // The client's own honest trade, praised like everyone else's.
        for order in 0..<ordersPerShop {
            buyers.append(nextBuyer + UInt32(members) + UInt32(order))
            shops.append(client)
            praised.append(order % 5 == 0)
        }
        return (buyers, shops, praised, client, firstMember)
    }

    @Test func aRingsClientAndItsPraisersStandOut() {
        let (buyers, shops, praised, client, firstMember) = Self.plantedRing(honestShops: 40, ordersPerShop: 50, members: 30)
        let accountCount = Int(buyers.max()!) + 1
        let rates = PraiseRates(
            buyers: Column(buyers), shops: Column(shops), kept: [Bool](repeating: true, count: buyers.count), praised: praised,
            accountCount: accountCount, minimumOrders: 5, minimumSurprise: 4, confidenceZ: 1.64)
        #expect(rates.shopSurprise[Int(client)] >= 4.5)
        for shop in 0..<40 { #expect(rates.shopSurprise[shop] < 2, "honest shop \(shop)") }
        // 40 of the client's 80 orders are praised where the platform's share predicts about 19.
        #expect(rates.shopPraised[Int(client)] == 40 && rates.shopKept[Int(client)] == 80)
        // The honest shops spread less than a binomial; the client's own excess is the only
        // spread, and it widens the null a little (a ring makes the test conservative).
        #expect(rates.overdispersion > 0 && rates.overdispersion < 0.01)
        let member = Int(firstMember)
        #expect(rates.buyerShop[member] == client)
        #expect(rates.buyerValue[member] >= 0.15)
        // An honest one-off buyer who praised the client has one order: its own share's
        // lower bound keeps it below any member.
        let honestPraiser = buyers.indices.last { shops[$0] == client && praised[$0] && buyers[$0] > firstMember + 29 }!
        #expect(rates.buyerValue[Int(buyers[honestPraiser])] < 0.6 * rates.buyerValue[member])
        // A buyer of an honest shop inherits nothing.
        #expect(rates.buyerValue[Int(buyers[0])] == 0)
    }

    /// A member's co-reviewer pair reads its praise of the pair's shops: with the client
    /// and one honest shop as its pair, its excess comes from no shop (the honest shops
    /// have none to give); a member whose pair is two honest shops still inherits from the
    /// client.
    @Test func aBuyerInheritsNothingFromItsOwnPairsShops() {
        let (buyers, shops, praised, client, firstMember) = Self.plantedRing(honestShops: 40, ordersPerShop: 50, members: 30)
        let accountCount = Int(buyers.max()!) + 1
        let member = Int(firstMember), other = member + 1
        var pairOf = [UInt64](repeating: .max, count: accountCount)
        pairOf[member] = CoReviewerPairs.key(client, 0)
        pairOf[other] = CoReviewerPairs.key(1, 8)
        let rates = PraiseRates(
            buyers: Column(buyers), shops: Column(shops), kept: [Bool](repeating: true, count: buyers.count), praised: praised,
            accountCount: accountCount, minimumOrders: 5, minimumSurprise: 4, confidenceZ: 1.64, pairOf: pairOf)
        #expect(rates.buyerValue[member] == 0)
        #expect(rates.buyerShop[member] == .max)
        #expect(rates.buyerShop[other] == client)
        #expect(rates.buyerValue[other] >= 0.15)
    }

    @Test func overdispersionIsTheMomentEstimate() {
        // Shops praised at different shares: the spread exceeds the binomial's.
        var buyers: [UInt32] = [], shops: [UInt32] = [], praised: [Bool] = []
        let shares = [0.1, 0.2, 0.3, 0.15, 0.25, 0.2]
        for (shop, share) in shares.enumerated() {
            for order in 0..<200 {
                buyers.append(UInt32(10 + buyers.count))
                shops.append(UInt32(shop))
                praised.append(Double(order) < share * 200)
            }
        }
        let rates = PraiseRates(
            buyers: Column(buyers), shops: Column(shops), kept: [Bool](repeating: true, count: buyers.count), praised: praised,
            accountCount: buyers.count + 10, minimumOrders: 5, minimumSurprise: 4, confidenceZ: 1.64)
        let q = 0.2, n = 200.0
        let spread = shares.map { pow($0 * n - q * n, 2) - n * q * (1 - q) }.reduce(0, +)
        let expected = spread / (Double(shares.count) * n * (n - 1) * q * (1 - q))
        #expect(abs(rates.platformShare - q) < 1e-12)
        #expect(abs(rates.overdispersion - expected) < 1e-12)
        #expect(rates.overdispersion > 0)
    }

    @Test func refundedOrdersAreNotKept() {
        let rates = PraiseRates(
            buyers: [5, 6, 7, 8, 9, 10], shops: [0, 0, 0, 0, 0, 1], kept: [true, true, false, true, true, true],
            praised: [true, false, false, true, false, false], accountCount: 11, minimumOrders: 4, minimumSurprise: 4,
            confidenceZ: 1.64)
        #expect(rates.shopKept[0] == 4 && rates.shopPraised[0] == 2)
        #expect(rates.shopSurprise[1].isNaN)
        #expect(abs(rates.platformShare - 0.4) < 1e-12)
    }
}
