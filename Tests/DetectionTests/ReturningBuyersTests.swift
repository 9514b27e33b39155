import Columnar
import Foundation
import Testing
import TestSupport

@testable import Detection

@Suite struct ReturningBuyersTests {
    /// Plain reference: per (buyer, shop) its shipped and bought orders in a dictionary,
    /// the binomial tail summed term by term.
    static func reference(buyerOfOrder: [UInt32], shopOfOrder: [UInt32], bought: [Bool], buyerCount: Int, shopCount: Int) -> [Double] {
        var pairs: [[UInt32]: (shipped: Int, bought: Int)] = [:]
        var shopShipped = [Int](repeating: 0, count: shopCount), shopBought = shopShipped
        var values = [Double](repeating: .nan, count: buyerCount)
        for order in buyerOfOrder.indices where Int(buyerOfOrder[order]) < buyerCount && Int(shopOfOrder[order]) < shopCount {
            let buyer = Int(buyerOfOrder[order]), shop = Int(shopOfOrder[order])
            pairs[[UInt32(buyer), UInt32(shop)], default: (0, 0)].shipped += 1
            shopShipped[shop] += 1
            values[buyer] = 0
            if bought[order] {
                pairs[[UInt32(buyer), UInt32(shop)]]!.bought += 1
                shopBought[shop] += 1
            }
        }
        for (pair, counts) in pairs where counts.bought >= 2 {
            let shop = Int(pair[1]), n = counts.shipped, k = counts.bought
            let p = Double(shopBought[shop] - k + 1) / Double(shopShipped[shop] - n + 2)
            var tail = 0.0
            for i in k...n {
                let choose = exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)))
                tail += choose * pow(p, Double(i)) * pow(1 - p, Double(n - i))
            }
            let surprise = Double(k) > p * Double(n) ? -log10(tail) : 0
            values[Int(pair[0])] = max(values[Int(pair[0])], surprise)
        }
        return values
    }

    static func surprise(buyerOfOrder: [UInt32], shopOfOrder: [UInt32], bought: [Bool], buyerCount: Int, shopCount: Int) -> [Double] {
        func counts(_ of: [UInt32], _ count: Int, onlyBought: Bool) -> [UInt32] {
            var counts = [UInt32](repeating: 0, count: count)
            for order in of.indices where Int(buyerOfOrder[order]) < buyerCount && Int(shopOfOrder[order]) < shopCount
                && (!onlyBought || bought[order]) { counts[Int(of[order])] += 1 }
            return counts
        }
        // Order `o` ships on waybill `o`, marked bought or not; an order not shipped on none.
        let waybillOf = buyerOfOrder.indices.map { buyerOfOrder[$0] == IdDictionary.absent ? IdDictionary.absent : UInt32($0) }
        let marks: [WaybillMarks] = bought.map { $0 ? [.shipped, .bought] : .shipped }
        return ReturningBuyers.surprise(
            buyerOfOrder: buyerOfOrder, shopOfOrder: shopOfOrder, waybillOfOrder: waybillOf, marks: marks,
            shopShipped: counts(shopOfOrder, shopCount, onlyBought: false),
            shopBought: counts(shopOfOrder, shopCount, onlyBought: true),
            buyerShipped: counts(buyerOfOrder, buyerCount, onlyBought: false))
    }

    /// The sorted-key kernel against the reference on random orders, absent buyers and
    /// shops (orders not shipped) among them.
    @Test func surpriseMatchesReference() {
        var random = SeededRandom(seed: 10)
        for _ in 0..<40 {
            let buyerCount = 1 + Int(random.next() % 12), shopCount = 1 + Int(random.next() % 6)
            let orders = Int(random.next() % 200)
            var buyerOf: [UInt32] = [], shopOf: [UInt32] = [], bought: [Bool] = []
            for _ in 0..<orders {
                let shipped = random.next() % 8 != 0
                buyerOf.append(shipped ? UInt32(random.next() % UInt64(buyerCount)) : IdDictionary.absent)
                shopOf.append(shipped ? UInt32(random.next() % UInt64(shopCount)) : IdDictionary.absent)
                bought.append(random.next() % 3 == 0)
            }
            let kernel = Self.surprise(buyerOfOrder: buyerOf, shopOfOrder: shopOf, bought: bought, buyerCount: buyerCount, shopCount: shopCount)
            let plain = Self.reference(buyerOfOrder: buyerOf, shopOfOrder: shopOf, bought: bought, buyerCount: buyerCount, shopCount: shopCount)
            #expect(kernel.count == plain.count)
            for (a, b) in zip(kernel, plain) { #expect(a.isNaN == b.isNaN && (a.isNaN || abs(a - b) < 1e-9)) }
        }
    }

    /// Shop 0 ships 40 orders, 4 on bought waybills: two to buyer 1, who also bought 8
    /// times at shop 2 for cover (a quarter of its parcels bought, below
    /// `buyer_orders_on_empty_parcels`), and one each to buyers 2 and 5. Shop 3's parcels
    /// are all judged bought (its own outlet's trait, not its buyers'): buyer 3 got three.
    /// Buyer 4 has no shipped order. Only buyer 1 came back for empty parcels.
    @Test func aBuyerWhoComesBackForEmptyParcelsIsSurprisingWhateverItBuysElsewhere() {
        var buyerOf: [UInt32] = [], shopOf: [UInt32] = [], bought: [Bool] = []
        func order(_ buyer: UInt32, _ shop: UInt32, bought isBought: Bool) {
            buyerOf.append(buyer)
            shopOf.append(shop)
            bought.append(isBought)
        }
        for _ in 0..<2 { order(1, 0, bought: true) }
        order(2, 0, bought: true)
        order(5, 0, bought: true)
        for customer: UInt32 in 6..<42 { order(customer, 0, bought: false) }
        for _ in 0..<8 { order(1, 2, bought: false) }
        for _ in 0..<3 { order(3, 3, bought: true) }
        for customer: UInt32 in 42..<49 { order(customer, 3, bought: true) }
        order(IdDictionary.absent, IdDictionary.absent, bought: false)
        let values = Self.surprise(buyerOfOrder: buyerOf, shopOfOrder: shopOf, bought: bought, buyerCount: 50, shopCount: 4)
        let threshold = EmptyParcelDetector().signals.first { $0.name == "buyer_returns_on_empty_parcels" }!.threshold
        // Two of two at the others' share 3/40: -log10(0.075^2), about 2.25.
        #expect(abs(values[1] - -log10(0.075 * 0.075)) < 1e-9)
        #expect(values[1] >= threshold)
        #expect(values[2] == 0 && values[5] == 0)
        #expect(values[3] < threshold)
        #expect(values[4].isNaN)
        #expect((0..<50).filter { values[$0] >= threshold } == [1])
    }
}
