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

    func store(_ column: Column, _ value: UnsafeRawBufferPointer, into export: inout Export) throws(ValueProblem)
        -> StoreNote
    {
        switch column {
        case .orderID:
            let row = export.dictionaries.orders.count
            guard try FieldParser.id(value, in: &export.dictionaries.orders) == row else { throw .duplicateOrder }
        case .buyerID: export.orders.buyer.append(try FieldParser.id(value, in: &export.dictionaries.accounts))
        case .shopID: export.orders.shop.append(try FieldParser.id(value, in: &export.dictionaries.accounts))
        case .itemID: export.orders.item.append(try FieldParser.id(value, in: &export.dictionaries.items))
        case .amount: export.orders.amountCents.append(try FieldParser.moneyCents(value))
        case .createdAt: export.orders.createdAt.append(try FieldParser.time(value))
        case .paidAt: export.orders.paidAt.append(try FieldParser.time(value))
        case .confirmedAt: export.orders.confirmedAt.append(try FieldParser.time(value))
        case .status: export.orders.status.append(try orderStatuses.index(of: value))
        case .shipTo: export.orders.shipTo.append(try FieldParser.id(value, in: &export.dictionaries.addresses))
        case .deviceID: export.orders.device.append(try FieldParser.id(value, in: &export.dictionaries.devices))
        case .ip: export.orders.ip.append(try FieldParser.id(value, in: &export.dictionaries.ips))
        case .paymentID: export.orders.payment.append(try FieldParser.id(value, in: &export.dictionaries.payments))
        }
        return .stored
    }

    func reserve(rows: Int, into export: inout Export) {
        export.dictionaries.orders.reserveCapacity(rows)
        export.orders.reserveCapacity(rows)
    }

    func storeMissing(_ column: Column, into export: inout Export) {
        switch column {
        case .paidAt: export.orders.paidAt.append(Missing.time)
        case .confirmedAt: export.orders.confirmedAt.append(Missing.time)
        case .deviceID: export.orders.device.append(IdDictionary.absent)
        case .ip: export.orders.ip.append(IdDictionary.absent)
        case .paymentID: export.orders.payment.append(IdDictionary.absent)
        default: preconditionFailure("required column \(column) has no missing value")
        }
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
