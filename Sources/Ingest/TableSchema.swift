import Columnar

/// A column of one schema file: its header name and whether every record must give a
/// value. A file's columns are an enum so that its schema's `switch` names them.
protocol SchemaColumn: CaseIterable, Equatable {
    var header: String { get }
    var isRequired: Bool { get }
    /// The column's name in a native export (docs/FORMAT.md), by which an
    /// `ExportColumns` selection names it: the header unless the stored value differs.
    var storedName: String { get }
}

extension SchemaColumn {
    var storedName: String { header }
}

/// What a field of a column is and where its value goes in the reader's target: chosen
/// once per file for each column the header binds, so that the reader runs one typed
/// loop per column instead of a switch per field.
enum FieldDecoding<Target> {
    /// An id interned into the id space, stored in the column (`IdDictionary.absent` when empty).
    case id(WritableKeyPath<Target, IdDictionary>, into: WritableKeyPath<Target, Column<UInt32>>)
    /// An id whose values come in runs of equal values, a run's value nearly always new
    /// in its id space (`tracking_no` of logistics: a waybill's scans are listed together):
    /// each run's value is appended without a probe and merged with an equal earlier one
    /// once the file is read (`IdDictionary.placeNewKeysMergingRepeats`), so the ids and
    /// the column are those of `id`. The only column of its id space in the file.
    case idRuns(WritableKeyPath<Target, IdDictionary>, into: WritableKeyPath<Target, Column<UInt32>>)
    /// An id that must be new in its id space (`order_id` of orders: its id is the row);
    /// a repeated one is `duplicateOrder`.
    case newID(WritableKeyPath<Target, IdDictionary>)
    /// An order id resolved to the order's row (`IdDictionary.absent` when empty or
    /// unknown; unknown ones are counted as warnings).
    case orderRow(KeyPath<Target, IdDictionary>, into: WritableKeyPath<Target, Column<UInt32>>)
    /// Money to cents (required).
    case money(into: WritableKeyPath<Target, Column<Int64>>)
    /// A time to Unix seconds (`Missing.time` when empty).
    case time(into: WritableKeyPath<Target, Column<Int64>>)
    /// A non-negative `Int32` count (`Missing.count` when empty).
    case count(into: WritableKeyPath<Target, Column<Int32>>)
    /// 1 to 5 stars (required).
    case stars(into: WritableKeyPath<Target, Column<UInt8>>)
    /// 0 or 1 (`Missing.flag` when empty).
    case flag(into: WritableKeyPath<Target, Column<UInt8>>)
    /// One of an enum's names, as its position (required).
    case vocabulary(Vocabulary, into: WritableKeyPath<Target, Column<UInt8>>)

    /// Whether the column has a sentinel for an empty or absent field.
    var hasMissing: Bool {
        switch self {
        case .id, .idRuns, .orderRow, .time, .count, .flag: true
        case .newID, .money, .stars, .vocabulary: false
        }
    }
}

/// The columns of one CSV file and how each becomes a value of the target (the export's
/// table, or the labels). The CSV reader is generic over it, so the same streaming,
/// decoding and error reporting serve every file.
protocol TableSchema {
    associatedtype Column: SchemaColumn
    associatedtype Target
    /// The file's name without `.csv` (or `.csv.lz4`).
    static var name: String { get }
    /// How `column` is decoded and stored.
    static func decoding(_ column: Column) -> FieldDecoding<Target>
}

extension TableSchema {
    /// The file's name as plain CSV and as an LZ4 frame.
    static var fileNames: (plain: String, compressed: String) { ("\(name).csv", "\(name).csv.lz4") }

    /// Whether reading binds `column` when only `selected` columns (stored names) are
    /// wanted: a new-id column always, since its ids are the table's rows, through which
    /// other tables resolve their orders.
    static func isBound(_ column: Column, selected: Set<String>?) -> Bool {
        if case .newID = decoding(column) { return true }
        return selected?.contains(column.storedName) ?? true
    }

    /// The id spaces reading the bound columns interns into, and those it looks order
    /// ids up in.
    static func idSpaces(selected: Set<String>?) -> (interned: [WritableKeyPath<Target, IdDictionary>], resolved: [KeyPath<Target, IdDictionary>]) {
        var interned: [WritableKeyPath<Target, IdDictionary>] = [], resolved: [KeyPath<Target, IdDictionary>] = []
        for column in Column.allCases where isBound(column, selected: selected) {
            switch decoding(column) {
            case .id(let space, _), .idRuns(let space, _), .newID(let space): interned.append(space)
            case .orderRow(let space, _): resolved.append(space)
            case .money, .time, .count, .stars, .flag, .vocabulary: break
            }
        }
        return (interned, resolved)
    }
}

/// The schema of one of the export's own tables (not `labels.csv`): where in `Export` its
/// rows go, so that a table's reading, id spaces and move into the export follow from it.
protocol ExportTableSchema: TableSchema where Target == Export {
    associatedtype Rows
    /// The table of `Export` the file's rows are read into.
    static var rows: WritableKeyPath<Export, Rows> { get }
    /// Reads the table's file in `folder` into `export` with `reader` (`ExportReader.read`):
    /// a requirement, so that a table reached through `ExportTable.schema` runs the reader
    /// specialized for its schema.
    static func read(
        with reader: ExportReader, in folder: String, into export: inout Export, columns: ExportColumns?, cores: any TaskRunner,
        batchRead: ((BatchDelivery<Export>) -> Void)?
    ) throws(IngestError) -> FileLoad?
}

extension ExportTableSchema {
    /// Moves the table's rows read into `side` into `export`.
    static func moveRows(from side: Export, into export: inout Export) {
        export[keyPath: rows] = side[keyPath: rows]
    }
}
