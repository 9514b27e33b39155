/// The status of an order (`orders.csv` column `status`).
public enum OrderStatus: UInt8, CaseIterable, Sendable {
    case paid, shipped, completed, refunded, cancelled

    /// The lower-case name used in exports.
    public var name: String { String(describing: self) }
}

/// The kind of a parcel scan (`logistics.csv` column `event`), in the order a normal
/// parcel sees them.
public enum ScanEvent: UInt8, CaseIterable, Sendable {
    case created, pickup, transit, delivery, signed, returned

    /// The lower-case name used in exports.
    public var name: String { String(describing: self) }
}

/// Who an account is (`accounts.csv` column `kind`).
public enum AccountKind: UInt8, CaseIterable, Sendable {
    case buyer, shop

    /// The lower-case name used in exports.
    public var name: String { String(describing: self) }
}

/// The kind of entity a suspect or a label names. Shops, buyers and courier outlets are
/// the listed entities; devices, addresses and payment accounts are named when they
/// serve a ring of fake orders.
public enum EntityKind: String, CaseIterable, Sendable, Codable, Comparable {
    case shop, buyer, courier, device, address, payment

    public static func < (a: EntityKind, b: EntityKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The kinds of gaming credit the engine looks for.
public enum FraudCategory: String, CaseIterable, Sendable, Codable, Comparable {
    /// Brushing: orders placed to inflate a shop's sales and reputation.
    case fakeOrders = "fake_orders"
    /// Coordinated ratings that lower a competitor's credit or lift a shop's own.
    case maliciousRatings = "malicious_ratings"
    /// Waybills for parcels with nothing inside, made to make fake orders look shipped.
    case emptyParcels = "empty_parcels"

    public static func < (a: FraudCategory, b: FraudCategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Sentinels for optional fixed-width values.
public enum Missing {
    /// A timestamp that is not known (empty optional `ts`).
    public static let time: Int64 = .min
    /// An optional integer (text length, weight) that is not known.
    public static let count: Int32 = -1
    /// An optional 0/1 flag that is not known.
    public static let flag: UInt8 = .max
}
