import Columnar

// The columns of each export file (`SCHEMA.md`) and how a field of each becomes a value
// of the file's table in `Export`.

private let orderStatuses = Vocabulary(OrderStatus.allCases.map(\.name))
private let scanEvents = Vocabulary(ScanEvent.allCases.map(\.name))
private let accountKinds = Vocabulary(AccountKind.allCases.map(\.name))

/// `orders.csv` into `OrdersTable`. Order ids are interned first, so an order's id is
/// its row; an id seen twice is a `duplicateOrder` error.
struct OrdersSink: RecordSink {
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
    }

    /// The rows of the current block are staged here, each value written at its row;
    /// `finishRecord` counts the row, and a full block is moved into the table's columns
    /// with one bulk append per column (no `Array.append` per value).
    private let block = OrdersBlock()
    /// The row being filled, within `block`.
    private var row = 0
    /// The month of each time column's previous value.
    private var createdAtMonth = FieldParser.MonthCache(), paidAtMonth = FieldParser.MonthCache()
    private var confirmedAtMonth = FieldParser.MonthCache()

    mutating func store(_ column: Column, _ value: UnsafeRawBufferPointer, into export: inout Export)
        throws(ValueProblem) -> StoreNote
    {
        let row = row
        switch column {
        case .orderID:
            let next = export.dictionaries.orders.count
            guard try FieldParser.id(value, in: &export.dictionaries.orders) == next else { throw .duplicateOrder }
        case .buyerID: block.ids[OrdersBlock.buyer + row] = try FieldParser.id(value, in: &export.dictionaries.accounts)
        case .shopID: block.ids[OrdersBlock.shop + row] = try FieldParser.id(value, in: &export.dictionaries.accounts)
        case .itemID: block.ids[OrdersBlock.item + row] = try FieldParser.id(value, in: &export.dictionaries.items)
        case .amount: block.numbers[OrdersBlock.amount + row] = try FieldParser.moneyCents(value)
        case .createdAt: block.numbers[OrdersBlock.createdAt + row] = try FieldParser.time(value, cache: &createdAtMonth)
        case .paidAt: block.numbers[OrdersBlock.paidAt + row] = try FieldParser.time(value, cache: &paidAtMonth)
        case .confirmedAt: block.numbers[OrdersBlock.confirmedAt + row] = try FieldParser.time(value, cache: &confirmedAtMonth)
        case .status: block.status[row] = try orderStatuses.index(of: value)
        case .shipTo: block.ids[OrdersBlock.shipTo + row] = try FieldParser.id(value, in: &export.dictionaries.addresses)
        case .deviceID: block.ids[OrdersBlock.device + row] = try FieldParser.id(value, in: &export.dictionaries.devices)
        case .ip: block.ids[OrdersBlock.ip + row] = try FieldParser.id(value, in: &export.dictionaries.ips)
        case .paymentID:
            block.ids[OrdersBlock.payment + row] = try FieldParser.id(value, in: &export.dictionaries.payments)
        }
        return .stored
    }

    func reserve(rows: Int, into export: inout Export) {
        export.dictionaries.orders.reserveCapacity(rows)
        export.orders.reserveCapacity(rows)
    }

    func storeMissing(_ column: Column, into export: inout Export) {
        switch column {
        case .paidAt: block.numbers[OrdersBlock.paidAt + row] = Missing.time
        case .confirmedAt: block.numbers[OrdersBlock.confirmedAt + row] = Missing.time
        case .deviceID: block.ids[OrdersBlock.device + row] = IdDictionary.absent
        case .ip: block.ids[OrdersBlock.ip + row] = IdDictionary.absent
        case .paymentID: block.ids[OrdersBlock.payment + row] = IdDictionary.absent
        default: preconditionFailure("required column \(column) has no missing value")
        }
    }

    mutating func finishRecord(into export: inout Export) {
        row &+= 1
        if row == OrdersBlock.rows { finish(into: &export) }
    }

    /// Moves the staged rows into the table.
    mutating func finish(into export: inout Export) {
        let count = row
        guard count > 0 else { return }
        row = 0
        func ids(_ offset: Int) -> UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(start: block.ids + offset, count: count) }
        func numbers(_ offset: Int) -> UnsafeBufferPointer<Int64> {
            UnsafeBufferPointer(start: block.numbers + offset, count: count)
        }
        export.orders.buyer.append(contentsOf: ids(OrdersBlock.buyer))
        export.orders.shop.append(contentsOf: ids(OrdersBlock.shop))
        export.orders.item.append(contentsOf: ids(OrdersBlock.item))
        export.orders.amountCents.append(contentsOf: numbers(OrdersBlock.amount))
        export.orders.createdAt.append(contentsOf: numbers(OrdersBlock.createdAt))
        export.orders.paidAt.append(contentsOf: numbers(OrdersBlock.paidAt))
        export.orders.confirmedAt.append(contentsOf: numbers(OrdersBlock.confirmedAt))
        export.orders.status.append(contentsOf: UnsafeBufferPointer(start: block.status, count: count))
        export.orders.shipTo.append(contentsOf: ids(OrdersBlock.shipTo))
        export.orders.device.append(contentsOf: ids(OrdersBlock.device))
        export.orders.ip.append(contentsOf: ids(OrdersBlock.ip))
        export.orders.payment.append(contentsOf: ids(OrdersBlock.payment))
    }
}

/// The staging buffers of `OrdersSink`: `rows` rows of each column at a fixed offset
/// (the id columns in `ids`, money and times in `numbers`), allocated once per file.
private final class OrdersBlock {
    static let rows = 4096
    static let buyer = 0, shop = rows, item = 2 * rows, shipTo = 3 * rows, device = 4 * rows, ip = 5 * rows
    static let payment = 6 * rows
    static let amount = 0, createdAt = rows, paidAt = 2 * rows, confirmedAt = 3 * rows

    let ids = UnsafeMutablePointer<UInt32>.allocate(capacity: 7 * rows)
    let numbers = UnsafeMutablePointer<Int64>.allocate(capacity: 4 * rows)
    let status = UnsafeMutablePointer<UInt8>.allocate(capacity: rows)

    init() {
        // Initialised once, so a row always reads defined memory even if a column were skipped.
        ids.initialize(repeating: IdDictionary.absent, count: 7 * Self.rows)
        numbers.initialize(repeating: Missing.time, count: 4 * Self.rows)
        status.initialize(repeating: 0, count: Self.rows)
    }

    deinit {
        ids.deallocate()
        numbers.deallocate()
        status.deallocate()
    }
}

/// Resolves an `order_id` of a rating or scan event to the order's row.
private func orderRow(_ value: UnsafeRawBufferPointer, in export: Export) throws(ValueProblem) -> UInt32? {
    guard value.count <= FieldParser.maxIDBytes else { throw .idTooLong }
    return export.dictionaries.orders.lookup(value)
}

/// `ratings.csv` into `RatingsTable`; the order is optional and may be unknown.
struct RatingsSink: RecordSink {
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
    }

    func store(_ column: Column, _ value: UnsafeRawBufferPointer, into export: inout Export) throws(ValueProblem)
        -> StoreNote
    {
        switch column {
        case .orderID:
            let row = try orderRow(value, in: export)
            export.ratings.order.append(row ?? IdDictionary.absent)
            return row == nil ? .unknownOrder : .stored
        case .buyerID: export.ratings.buyer.append(try FieldParser.id(value, in: &export.dictionaries.accounts))
        case .shopID: export.ratings.shop.append(try FieldParser.id(value, in: &export.dictionaries.accounts))
        case .itemID: export.ratings.item.append(try FieldParser.id(value, in: &export.dictionaries.items))
        case .stars: export.ratings.stars.append(UInt8(try FieldParser.integer(value, in: 1...5)))
        case .createdAt: export.ratings.createdAt.append(try FieldParser.time(value))
        case .textLength:
            export.ratings.textLength.append(Int32(try FieldParser.integer(value, in: 0...Int64(Int32.max))))
        case .hasMedia: export.ratings.hasMedia.append(try FieldParser.flag(value))
        }
        return .stored
    }

    func storeMissing(_ column: Column, into export: inout Export) {
        switch column {
        case .orderID: export.ratings.order.append(IdDictionary.absent)
        case .itemID: export.ratings.item.append(IdDictionary.absent)
        case .textLength: export.ratings.textLength.append(Missing.count)
        case .hasMedia: export.ratings.hasMedia.append(Missing.flag)
        default: preconditionFailure("required column \(column) has no missing value")
        }
    }
}

/// `logistics.csv` into `LogisticsTable`; the order may be unknown.
struct LogisticsSink: RecordSink {
    enum Column: String, SchemaColumn {
        case trackingNumber = "tracking_no", orderID = "order_id", courierID = "courier_id"
        case event, at, location, weightGrams = "weight_g"

        var header: String { rawValue }
        var isRequired: Bool { self != .location && self != .weightGrams }
    }

    func store(_ column: Column, _ value: UnsafeRawBufferPointer, into export: inout Export) throws(ValueProblem)
        -> StoreNote
    {
        switch column {
        case .trackingNumber:
            export.logistics.waybill.append(try FieldParser.id(value, in: &export.dictionaries.waybills))
        case .orderID:
            let row = try orderRow(value, in: export)
            export.logistics.order.append(row ?? IdDictionary.absent)
            return row == nil ? .unknownOrder : .stored
        case .courierID: export.logistics.courier.append(try FieldParser.id(value, in: &export.dictionaries.couriers))
        case .event: export.logistics.event.append(try scanEvents.index(of: value))
        case .at: export.logistics.at.append(try FieldParser.time(value))
        case .location:
            export.logistics.location.append(try FieldParser.id(value, in: &export.dictionaries.locations))
        case .weightGrams:
            export.logistics.weightGrams.append(Int32(try FieldParser.integer(value, in: 0...Int64(Int32.max))))
        }
        return .stored
    }

    func storeMissing(_ column: Column, into export: inout Export) {
        switch column {
        case .location: export.logistics.location.append(IdDictionary.absent)
        case .weightGrams: export.logistics.weightGrams.append(Missing.count)
        default: preconditionFailure("required column \(column) has no missing value")
        }
    }
}

/// `accounts.csv` into `AccountsTable`.
struct AccountsSink: RecordSink {
    enum Column: String, SchemaColumn {
        case accountID = "account_id", kind, registeredAt = "registered_at", region, creditCode = "credit_code"

        var header: String { rawValue }
        var isRequired: Bool { self == .accountID || self == .kind }
    }

    func store(_ column: Column, _ value: UnsafeRawBufferPointer, into export: inout Export) throws(ValueProblem)
        -> StoreNote
    {
        switch column {
        case .accountID: export.accounts.account.append(try FieldParser.id(value, in: &export.dictionaries.accounts))
        case .kind: export.accounts.kind.append(try accountKinds.index(of: value))
        case .registeredAt: export.accounts.registeredAt.append(try FieldParser.time(value))
        case .region: export.accounts.region.append(try FieldParser.id(value, in: &export.dictionaries.regions))
        case .creditCode:
            export.accounts.creditCode.append(try FieldParser.id(value, in: &export.dictionaries.creditCodes))
        }
        return .stored
    }

    func storeMissing(_ column: Column, into export: inout Export) {
        switch column {
        case .registeredAt: export.accounts.registeredAt.append(Missing.time)
        case .region: export.accounts.region.append(IdDictionary.absent)
        case .creditCode: export.accounts.creditCode.append(IdDictionary.absent)
        default: preconditionFailure("required column \(column) has no missing value")
        }
    }
}
