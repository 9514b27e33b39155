import Columnar

private let entityKinds = Vocabulary(EntityKind.allCases.map(\.rawValue))
private let categories = Vocabulary(FraudCategory.allCases.map(\.rawValue))

/// `labels.csv` into `[Label]`, one field at a time: a record's label is appended when
/// its last field is in.
struct LabelsSink: RecordSink {
    enum Column: String, SchemaColumn {
        case entityKind = "entity_kind", entityID = "entity_id", category

        var header: String { rawValue }
        var isRequired: Bool { true }
    }

    private var label = Label(kind: .shop, id: "", category: .fakeOrders)

    mutating func store(_ column: Column, _ value: UnsafeRawBufferPointer, into labels: inout [Label])
        throws(ValueProblem) -> StoreNote
    {
        switch column {
        case .entityKind: label.kind = EntityKind.allCases[Int(try entityKinds.index(of: value))]
        case .entityID:
            guard value.count <= FieldParser.maxIDBytes else { throw .idTooLong }
            label.id = String(decoding: value, as: UTF8.self)
        case .category: label.category = FraudCategory.allCases[Int(try categories.index(of: value))]
        }
        return .stored
    }

    func storeMissing(_ column: Column, into labels: inout [Label]) {
        preconditionFailure("labels.csv has no optional column")
    }

    func finishRecord(into labels: inout [Label]) {
        labels.append(label)
    }
}
