/// A column of one schema file: its header name and whether every record must give a
/// value. A file's columns are an enum so that a sink's `switch` names them.
protocol SchemaColumn: CaseIterable, Equatable {
    var header: String { get }
    var isRequired: Bool { get }
}

/// What storing one field found besides its value.
enum StoreNote {
    case stored
    /// The field names an order that is not in the export (a counted warning).
    case unknownOrder
}

/// Receives the typed values of one schema file, field by field, and appends them to its
/// target (the export's table, or a list of labels). The CSV reader is generic over it,
/// so the same streaming and error reporting serve every file.
protocol RecordSink {
    associatedtype Column: SchemaColumn
    associatedtype Target

    /// Parses a non-empty field of `column` and stores it.
    mutating func store(_ column: Column, _ value: UnsafeRawBufferPointer, into target: inout Target)
        throws(ValueProblem) -> StoreNote
    /// Stores the sentinel of an optional column that is empty or not in the file.
    mutating func storeMissing(_ column: Column, into target: inout Target)
    /// Called after the last field of each record.
    mutating func finishRecord(into target: inout Target)
    /// Makes room for about `rows` records in all (estimated from the file size and the
    /// first chunk), so that columns do not grow step by step.
    mutating func reserve(rows: Int, into target: inout Target)
    /// Called once after the file's last record (a sink that stages rows moves them into
    /// the target here).
    mutating func finish(into target: inout Target)
}

extension RecordSink {
    mutating func finishRecord(into target: inout Target) {}
    mutating func reserve(rows: Int, into target: inout Target) {}
    mutating func finish(into target: inout Target) {}
}
