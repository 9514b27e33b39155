/// `orders.csv` as columns, one row per order. The row number is the order's id in
/// `Dictionaries.orders` (order ids are unique), so other tables join to orders by row.
/// Optional ids hold `IdDictionary.absent`, optional times `Missing.time`.
public struct OrdersTable: Sendable {
    public var buyer: Column<UInt32> = []
    public var shop: Column<UInt32> = []
    public var item: Column<UInt32> = []
    public var amountCents: Column<Int64> = []
    public var createdAt: Column<Int64> = []
    public var paidAt: Column<Int64> = []
    public var confirmedAt: Column<Int64> = []
    /// `OrderStatus` raw values.
    public var status: Column<UInt8> = []
    public var shipTo: Column<UInt32> = []
    public var device: Column<UInt32> = []
    public var ip: Column<UInt32> = []
    public var payment: Column<UInt32> = []

    public init() {}
    public var count: Int { buyer.count }

    /// Makes room for `rows` orders in every column.
    public mutating func reserveCapacity(_ rows: Int) {
        for column in [\Self.buyer, \.shop, \.item, \.shipTo, \.device, \.ip, \.payment] as [WritableKeyPath<Self, Column<UInt32>>] {
            self[keyPath: column].reserveCapacity(rows)
        }
        for column in [\Self.amountCents, \.createdAt, \.paidAt, \.confirmedAt] as [WritableKeyPath<Self, Column<Int64>>] {
            self[keyPath: column].reserveCapacity(rows)
        }
        status.reserveCapacity(rows)
    }
}

/// `ratings.csv` as columns, one row per rating. `order` is the row of the rated order
/// in `OrdersTable`, or `IdDictionary.absent` when the rating names no order or one that
/// is not in the export.
public struct RatingsTable: Sendable {
    public var order: Column<UInt32> = []
    public var buyer: Column<UInt32> = []
    public var shop: Column<UInt32> = []
    public var item: Column<UInt32> = []
    public var stars: Column<UInt8> = []
    public var createdAt: Column<Int64> = []
    /// Review text length in characters, `Missing.count` when not given.
    public var textLength: Column<Int32> = []
    /// 0 or 1, `Missing.flag` when not given.
    public var hasMedia: Column<UInt8> = []

    public init() {}
    public var count: Int { buyer.count }
}

/// `logistics.csv` as columns, one row per scan event of a parcel, in file order.
/// `order` is the row of the shipped order, or `IdDictionary.absent` when the order is
/// not in the export.
public struct LogisticsTable: Sendable {
    public var waybill: Column<UInt32> = []
    public var order: Column<UInt32> = []
    public var courier: Column<UInt32> = []
    /// `ScanEvent` raw values.
    public var event: Column<UInt8> = []
    public var at: Column<Int64> = []
    public var location: Column<UInt32> = []
    /// Parcel weight in grams, `Missing.count` when not given.
    public var weightGrams: Column<Int32> = []

    public init() {}
    public var count: Int { waybill.count }

    /// The table with its rows in the order `rows` gives (row `rows[i]` becomes row `i`):
    /// the same scans logged in another order, as tests and benchmarks need.
    public func reordered(_ rows: [Int]) -> LogisticsTable {
        var table = LogisticsTable()
        table.waybill = Column(rows.map { waybill[$0] })
        table.order = Column(rows.map { order[$0] })
        table.courier = Column(rows.map { courier[$0] })
        table.event = Column(rows.map { event[$0] })
        table.at = Column(rows.map { at[$0] })
        table.location = Column(rows.map { location[$0] })
        table.weightGrams = Column(rows.map { weightGrams[$0] })
        return table
    }
}

/// `accounts.csv` as columns, one row per account.
public struct AccountsTable: Sendable {
    public var account: Column<UInt32> = []
    /// `AccountKind` raw values.
    public var kind: Column<UInt8> = []
    public var registeredAt: Column<Int64> = []
    public var region: Column<UInt32> = []
    public var creditCode: Column<UInt32> = []

    public init() {}
    public var count: Int { account.count }
}

/// One dictionary per id space. Buyers and shops share the `accounts` space, so an
/// account that buys in one shop and sells in another is one entity.
public struct Dictionaries: Sendable {
    public var orders = IdDictionary()
    public var accounts = IdDictionary()
    public var items = IdDictionary()
    public var addresses = IdDictionary()
    public var devices = IdDictionary()
    public var ips = IdDictionary()
    public var payments = IdDictionary()
    public var couriers = IdDictionary()
    public var waybills = IdDictionary()
    public var locations = IdDictionary()
    public var regions = IdDictionary()
    public var creditCodes = IdDictionary()

    public init() {}
}

/// A whole export in memory: the tables of `SCHEMA.md` and the dictionaries behind
/// their ids. This is what readers produce and detectors consume.
public struct Export: Sendable {
    public var dictionaries = Dictionaries()
    public var orders = OrdersTable()
    public var ratings = RatingsTable()
    public var logistics = LogisticsTable()
    public var accounts = AccountsTable()

    public init() {}
}
