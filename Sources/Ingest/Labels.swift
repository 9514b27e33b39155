import Columnar

private let entityKinds = Vocabulary(EntityKind.allCases.map(\.rawValue))
private let categories = Vocabulary(FraudCategory.allCases.map(\.rawValue))

/// `labels.csv` as columns (entity ids interned, so they are read like every other id
/// column), turned into `[Label]` once the file is read.
struct LabelColumns {
    var kinds: Column<UInt8> = []
    var entities = IdDictionary()
    var ids: Column<UInt32> = []
    var categories: Column<UInt8> = []

    /// The labels, one per record in file order.
    var labels: [Label] {
        ids.indices.map { row in
            Label(kind: EntityKind.allCases[Int(kinds[row])], id: entities.string(ids[row]),
                  category: FraudCategory.allCases[Int(categories[row])])
        }
    }
}

/// The columns of `labels.csv`.
enum LabelsSchema: TableSchema {
    static let name = "labels"

    enum Column: String, SchemaColumn {
        case entityKind = "entity_kind", entityID = "entity_id", category

        var header: String { rawValue }
        var isRequired: Bool { true }
    }

    static func decoding(_ column: Column) -> FieldDecoding<LabelColumns> {
        switch column {
        case .entityKind: .vocabulary(entityKinds, into: \.kinds)
        case .entityID: .id(\.entities, into: \.ids)
        case .category: .vocabulary(categories, into: \.categories)
        }
    }
}
