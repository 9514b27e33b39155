import Columnar

// The columns of each export file (`SCHEMA.md`) and how a field of each becomes a value
// of the file's table in `Export`.

private let orderStatuses = Vocabulary(OrderStatus.allCases.map(\.name))
private let scanEvents = Vocabulary(ScanEvent.allCases.map(\.name))
private let accountKinds = Vocabulary(AccountKind.allCases.map(\.name))

/// `orders.csv` into `OrdersTable`. Order ids are interned first, so an order's id is
/// its row; an id seen twice is a `duplicateOrder` error.
enum OrdersSchema: ExportTableSchema {
    static let name = "orders"
    static var rows: WritableKeyPath<Export, OrdersTable> { \.orders }

    enum Column: String, SchemaColumn {
        case orderID = "order_id", buyerID = "buyer_id", shopID = "shop_id", itemID = "item_id"
        case amount, createdAt = "created_at", paidAt = "paid_at", confirmedAt = "confirmed_at"
        case status, shipTo = "ship_to", deviceID = "device_id", ip, paymentID = "payment_id"

        var header: String { rawValue }
        var isRequired: Bool {
            switch self {
            case .paidAt, .confirmedAt, .deviceID, .ip, .paymentID: false
            default: true
            }
        }
        var storedName: String { self == .amount ? "amount_cents" : header }
    }

    static func decoding(_ column: Column) -> FieldDecoding<Export> {
        switch column {
        case .orderID: .newID(\.dictionaries.orders)
        case .buyerID: .id(\.dictionaries.accounts, into: \.orders.buyer)
        case .shopID: .id(\.dictionaries.accounts, into: \.orders.shop)
        case .itemID: .id(\.dictionaries.items, into: \.orders.item)
        case .amount: .money(into: \.orders.amountCents)
        case .createdAt: .time(into: \.orders.createdAt)
        case .paidAt: .time(into: \.orders.paidAt)
        case .confirmedAt: .time(into: \.orders.confirmedAt)
        case .status: .vocabulary(orderStatuses, into: \.orders.status)
        case .shipTo: .id(\.dictionaries.addresses, into: \.orders.shipTo)
        case .deviceID: .id(\.dictionaries.devices, into: \.orders.device)
        case .ip: .id(\.dictionaries.ips, into: \.orders.ip)
        case .paymentID: .id(\.dictionaries.payments, into: \.orders.payment)
        }
    }
}

/// `ratings.csv` into `RatingsTable`; the order is optional and may be unknown.
enum RatingsSchema: ExportTableSchema {
    static let name = "ratings"
    static var rows: WritableKeyPath<Export, RatingsTable> { \.ratings }

    enum Column: String, SchemaColumn {
        case orderID = "order_id", buyerID = "buyer_id", shopID = "shop_id", itemID = "item_id"
        case stars, createdAt = "created_at", textLength = "text_len", hasMedia = "has_media"

        var header: String { rawValue }
        var isRequired: Bool {
            switch self {
            case .buyerID, .shopID, .stars, .createdAt: true
            default: false
            }
        }
        var storedName: String { self == .orderID ? "order_row" : header }
    }

    static func decoding(_ column: Column) -> FieldDecoding<Export> {
        switch column {
        case .orderID: .orderRow(\.dictionaries.orders, into: \.ratings.order)
        case .buyerID: .id(\.dictionaries.accounts, into: \.ratings.buyer)
        case .shopID: .id(\.dictionaries.accounts, into: \.ratings.shop)
        case .itemID: .id(\.dictionaries.items, into: \.ratings.item)
        case .stars: .stars(into: \.ratings.stars)
        case .createdAt: .time(into: \.ratings.createdAt)
        case .textLength: .count(into: \.ratings.textLength)
        case .hasMedia: .flag(into: \.ratings.hasMedia)
        }
    }
}

/// `logistics.csv` into `LogisticsTable`; the order may be unknown.
enum LogisticsSchema: ExportTableSchema {
    static let name = "logistics"
    static var rows: WritableKeyPath<Export, LogisticsTable> { \.logistics }

    enum Column: String, SchemaColumn {
        case trackingNumber = "tracking_no", orderID = "order_id", courierID = "courier_id"
        case event, at, location, weightGrams = "weight_g"

        var header: String { rawValue }
        var isRequired: Bool { self != .location && self != .weightGrams }
        var storedName: String { self == .orderID ? "order_row" : header }
    }

    static func decoding(_ column: Column) -> FieldDecoding<Export> {
        switch column {
        case .trackingNumber: .idRuns(\.dictionaries.waybills, into: \.logistics.waybill)
        case .orderID: .orderRow(\.dictionaries.orders, into: \.logistics.order)
        case .courierID: .id(\.dictionaries.couriers, into: \.logistics.courier)
        case .event: .vocabulary(scanEvents, into: \.logistics.event)
        case .at: .time(into: \.logistics.at)
        case .location: .id(\.dictionaries.locations, into: \.logistics.location)
        case .weightGrams: .count(into: \.logistics.weightGrams)
        }
    }
}

/// `accounts.csv` into `AccountsTable`.
enum AccountsSchema: ExportTableSchema {
    static let name = "accounts"
    static var rows: WritableKeyPath<Export, AccountsTable> { \.accounts }

    enum Column: String, SchemaColumn {
        case accountID = "account_id", kind, registeredAt = "registered_at", region, creditCode = "credit_code"

        var header: String { rawValue }
        var isRequired: Bool { self == .accountID || self == .kind }
    }

    static func decoding(_ column: Column) -> FieldDecoding<Export> {
        switch column {
        case .accountID: .id(\.dictionaries.accounts, into: \.accounts.account)
        case .kind: .vocabulary(accountKinds, into: \.accounts.kind)
        case .registeredAt: .time(into: \.accounts.registeredAt)
        case .region: .id(\.dictionaries.regions, into: \.accounts.region)
        case .creditCode: .id(\.dictionaries.creditCodes, into: \.accounts.creditCode)
        }
    }
}
