import Columnar

/// Every fraudulent row the generator wrote, kept in memory while it writes them, so the
/// labels are derived from what was really injected and tests can check both against
/// the files.
public struct InjectionRecord: Sendable {
    /// A brushed order: placed by a ring member for a client shop.
    public struct FakeOrder: Sendable, Hashable {
        public let order: String, buyer: String, shop: String
    }
    /// A malicious rating; `order` is empty when the rating names no order, `orderedBy`
    /// when the shop that ordered the attack is known.
    public struct AttackRating: Sendable, Hashable {
        public let order: String, rater: String, victim: String, orderedBy: String?
    }
    /// A waybill sold by a complicit outlet to ship a fake order.
    public struct EmptyParcel: Sendable, Hashable {
        public let tracking: String, order: String, courier: String, shop: String
    }

    public internal(set) var fakeOrders: [FakeOrder] = []
    public internal(set) var attackRatings: [AttackRating] = []
    public internal(set) var emptyParcels: [EmptyParcel] = []

    public init() {}

    mutating func append(_ other: InjectionRecord) {
        fakeOrders += other.fakeOrders
        attackRatings += other.attackRatings
        emptyParcels += other.emptyParcels
    }

    /// The ground truth: every entity behind an injected row, once per category, sorted.
    public var labels: [Label] {
        var labels = Set<Label>()
        for row in fakeOrders {
            labels.insert(Label(kind: .shop, id: row.shop, category: .fakeOrders))
            labels.insert(Label(kind: .buyer, id: row.buyer, category: .fakeOrders))
        }
        for row in attackRatings {
            labels.insert(Label(kind: .buyer, id: row.rater, category: .maliciousRatings))
            if let shop = row.orderedBy { labels.insert(Label(kind: .shop, id: shop, category: .maliciousRatings)) }
        }
        for row in emptyParcels {
            labels.insert(Label(kind: .courier, id: row.courier, category: .emptyParcels))
            labels.insert(Label(kind: .shop, id: row.shop, category: .emptyParcels))
        }
        return labels.sorted()
    }
}
