/// How an `Export` maps onto segment files: `dictionaries.cwseg` holds every id
/// dictionary (per id space two columns, `NAME.lengths` and `NAME.bytes`), and each table
/// has its own file (`orders.cwseg` ...) whose columns carry the CSV header names
/// (`order_row` where a CSV names an order by id). The column lists below are the one
/// place that says which column is which, used to write, to read and to describe.
public enum ExportSegments {
    /// The tables in reading order (orders first: the others refer to its rows).
    public static let tables = ["orders", "ratings", "logistics", "accounts"]
    /// The table name of the dictionaries file.
    public static let dictionaries = "dictionaries"

    /// Whether the writer stores column `column` of `table` raw (encoding 3), so that a
    /// whole-export load uses it in place in the mapped file and takes no fresh memory for
    /// it: every table column except the logistics table's ids, which LZ4 shrinks 12-59x
    /// (a waybill's scans are listed together) where it shrinks the others 1.4-5.6x
    /// (docs/PERFORMANCE.md, "Session 11, native11": 10M orders, 3.3x smaller than the CSV
    /// with these raw).
    public static func storesRaw(_ table: String, _ column: String) -> Bool {
        table != "logistics" || !["tracking_no", "order_row", "courier_id"].contains(column)
    }

    /// The file of `table` in an export folder.
    public static func fileName(_ table: String) -> String { "\(table).cwseg" }

    /// The id spaces of `Dictionaries` under their stored names.
    public static let idSpaces: [(name: String, path: WritableKeyPath<Dictionaries, IdDictionary> & Sendable)] = [
        ("orders", \.orders), ("accounts", \.accounts), ("items", \.items), ("addresses", \.addresses),
        ("devices", \.devices), ("ips", \.ips), ("payments", \.payments), ("couriers", \.couriers),
        ("waybills", \.waybills), ("locations", \.locations), ("regions", \.regions), ("credit_codes", \.creditCodes),
    ]

    /// The files of `export` as (file name, bytes): the dictionaries, orders, and every
    /// other table that has rows; tests pick small row groups to get many blocks.
    public static func encode(
        _ export: Export, rowGroupRows: Int = SegmentFormat.rowGroupRows, threads: Int
    ) -> [(name: String, bytes: [UInt8])] {
        var files = [(fileName(dictionaries), encodeDictionaries(export.dictionaries, rowGroupRows: rowGroupRows, threads: threads))]
        for table in tables where table == "orders" || rows(of: table, in: export) > 0 {
            var collector = ColumnCollector(table: table)
            var copy = export
            try! copy.visitColumns(of: table, sizes: IdSpaceSizes(export.dictionaries), &collector)
            files.append((fileName(table), SegmentWriter.file(
                table: table, rows: rows(of: table, in: export), columns: collector.columns, blockValues: rowGroupRows,
                threads: threads)))
        }
        return files
    }

    /// The dictionaries of a `dictionaries.cwseg` file; id spaces decode concurrently.
    public static func decodeDictionaries(_ file: SegmentFile, threads: Int) throws(SegmentError) -> Dictionaries {
        let decoded = ConcurrentTasks.map(count: idSpaces.count, threads: threads) { index -> Result<IdDictionary, SegmentError> in
            Result { () throws(SegmentError) -> IdDictionary in try decodeDictionary(idSpaces[index].name, file, threads: threads) }
        }
        var result = Dictionaries()
        for (space, dictionary) in zip(idSpaces, decoded) { result[keyPath: space.path] = try dictionary.get() }
        return result
    }

    /// Decodes the table `file` holds into `export`, whose dictionaries are loaded:
    /// every id is checked against its dictionary, every code against its enum.
    public static func decodeTable(_ file: SegmentFile, into export: inout Export, threads: Int) throws(SegmentError) {
        let table = file.footer.table
        guard tables.contains(table) else {
            throw SegmentError(file: file.name, table: table, problem: .wrongTable(table))
        }
        if table == "orders" && file.footer.rows != export.dictionaries.orders.count {
            throw SegmentError(
                file: file.name, table: table,
                problem: .dictionaryMismatch("\(file.footer.rows) orders but \(export.dictionaries.orders.count) order ids"))
        }
        var reader = ColumnReader(file: file, threads: threads)
        try export.visitColumns(of: table, sizes: IdSpaceSizes(export.dictionaries), &reader)
    }

    /// Column names, types and stored / raw sizes of a segment file, for `inspect`.
    public static func describe(_ file: SegmentFile) -> [SegmentColumn] { file.footer.columns }

    static func rows(of table: String, in export: Export) -> Int {
        switch table {
        case "orders": export.orders.count
        case "ratings": export.ratings.count
        case "logistics": export.logistics.count
        default: export.accounts.count
        }
    }

    private static func encodeDictionaries(_ spaces: Dictionaries, rowGroupRows: Int, threads: Int) -> [UInt8] {
        let columns = idSpaces.flatMap { space -> [SegmentColumnData] in
            let dictionary = spaces[keyPath: space.path]
            let starts = dictionary.starts
            let lengths = (0..<dictionary.count).map { starts[$0 + 1] - starts[$0] }
            return [SegmentColumnData("\(space.name).lengths", lengths), SegmentColumnData("\(space.name).bytes", dictionary.keyBytes, encoding: .raw)]
        }
        return SegmentWriter.file(table: dictionaries, rows: 0, columns: columns, blockValues: rowGroupRows, threads: threads)
    }

    /// The rule of a dictionary's `NAME.lengths` column (any u32).
    static let keyLengthRule = ValueRule(0...Int64(UInt32.max))

    private static func decodeDictionary(_ name: String, _ file: SegmentFile, threads: Int) throws(SegmentError) -> IdDictionary {
        let lengths = try file.column("\(name).lengths", as: UInt32.self, rule: keyLengthRule, threads: threads)
        let arena = try file.column("\(name).bytes", as: UInt8.self, threads: threads)
        return try dictionary(name, lengths: [0] + lengths, keys: .decoded(arena), file: file)
    }

    /// A dictionary's key bytes as a reader has them.
    enum StoredKeys {
        /// Decoded into an array of their own.
        case decoded([UInt8])
        /// In place in the mapped file (a raw column whose blocks are checked).
        case inPlace(MappedKeys)

        var count: Int {
            switch self {
            case .decoded(let bytes): bytes.count
            case .inPlace(let keys): keys.bytes.count
            }
        }
    }

    /// The dictionary of id space `name` from its key bytes and `lengths`: a 0, then each
    /// key's length, summed in place into the key bounds (32-bit offsets), which must end
    /// at the end of the key bytes.
    static func dictionary(_ name: String, lengths: consuming [UInt32], keys: StoredKeys, file: SegmentFile) throws(SegmentError) -> IdDictionary {
        var starts = lengths
        let total = starts.withUnsafeMutableBufferPointer { starts in
            var end = 0
            for id in starts.indices {
                end &+= Int(starts[id])
                starts[id] = UInt32(truncatingIfNeeded: end)
            }
            return end
        }
        guard total == keys.count, total <= Int(UInt32.max) else {
            throw SegmentError(
                file: file.name, table: dictionaries, column: "\(name).lengths",
                problem: .dictionaryMismatch("key lengths add up to \(total) bytes, the keys hold \(keys.count)"))
        }
        switch keys {
        case .decoded(let arena): return IdDictionary(arena: arena, starts: starts)
        case .inPlace(let keys): return IdDictionary(mappedKeys: keys, starts: starts)
        }
    }
}

/// The number of keys in each id space, read as `sizes.accounts`: all that the column
/// rules need of the dictionaries. A reader knows them from the dictionaries file's footer
/// before any key is decoded, so the tables' blocks can decode beside the dictionaries'.
@dynamicMemberLookup
struct IdSpaceSizes {
    /// Keys per id space, in the order of `ExportSegments.idSpaces`.
    var counts: [Int]

    init(counts: [Int]) { self.counts = counts }

    init(_ dictionaries: Dictionaries) {
        counts = ExportSegments.idSpaces.map { dictionaries[keyPath: $0.path].count }
    }

    subscript(dynamicMember path: KeyPath<Dictionaries, IdDictionary>) -> Int {
        counts[ExportSegments.idSpaces.firstIndex { ($0.path as AnyKeyPath) == (path as AnyKeyPath) }!]
    }
}

/// Visits each column of a table with its stored name and the values it may hold.
protocol ColumnVisitor {
    mutating func visit<T: SegmentValue>(_ name: String, _ values: inout Column<T>, _ rule: ValueRule, rows: Int)
        throws(SegmentError)
}

extension Export {
    /// The columns of `table`, in stored order: the single list of the format's columns.
    /// `sizes` are the dictionaries' key counts, which the id columns' rules need.
    mutating func visitColumns<V: ColumnVisitor>(of table: String, sizes d: IdSpaceSizes, _ visitor: inout V)
        throws(SegmentError)
    {
        let anyTime = ValueRule.any
        let orderRow = ValueRule.id(below: d.orders)
        let count = ValueRule(0...Int64(Int32.max), orMissing: Int64(Missing.count))
        switch table {
        case "orders":
            let rows = orders.count
            try visitor.visit("buyer_id", &orders.buyer, .id(below: d.accounts), rows: rows)
            try visitor.visit("shop_id", &orders.shop, .id(below: d.accounts), rows: rows)
            try visitor.visit("item_id", &orders.item, .id(below: d.items), rows: rows)
            try visitor.visit("amount_cents", &orders.amountCents, ValueRule(0...Int64.max), rows: rows)
            try visitor.visit("created_at", &orders.createdAt, anyTime, rows: rows)
            try visitor.visit("paid_at", &orders.paidAt, anyTime, rows: rows)
            try visitor.visit("confirmed_at", &orders.confirmedAt, anyTime, rows: rows)
            try visitor.visit("status", &orders.status, .code(below: OrderStatus.allCases.count), rows: rows)
            try visitor.visit("ship_to", &orders.shipTo, .id(below: d.addresses), rows: rows)
            try visitor.visit("device_id", &orders.device, .id(below: d.devices), rows: rows)
            try visitor.visit("ip", &orders.ip, .id(below: d.ips), rows: rows)
            try visitor.visit("payment_id", &orders.payment, .id(below: d.payments), rows: rows)
        case "ratings":
            let rows = ratings.count
            try visitor.visit("order_row", &ratings.order, orderRow, rows: rows)
            try visitor.visit("buyer_id", &ratings.buyer, .id(below: d.accounts), rows: rows)
            try visitor.visit("shop_id", &ratings.shop, .id(below: d.accounts), rows: rows)
            try visitor.visit("item_id", &ratings.item, .id(below: d.items), rows: rows)
            try visitor.visit("stars", &ratings.stars, ValueRule(1...5), rows: rows)
            try visitor.visit("created_at", &ratings.createdAt, anyTime, rows: rows)
            try visitor.visit("text_len", &ratings.textLength, count, rows: rows)
            try visitor.visit("has_media", &ratings.hasMedia, ValueRule(0...1, orMissing: Int64(Missing.flag)), rows: rows)
        case "logistics":
            let rows = logistics.count
            try visitor.visit("tracking_no", &logistics.waybill, .id(below: d.waybills), rows: rows)
            try visitor.visit("order_row", &logistics.order, orderRow, rows: rows)
            try visitor.visit("courier_id", &logistics.courier, .id(below: d.couriers), rows: rows)
            try visitor.visit("event", &logistics.event, .code(below: ScanEvent.allCases.count), rows: rows)
            try visitor.visit("at", &logistics.at, anyTime, rows: rows)
            try visitor.visit("location", &logistics.location, .id(below: d.locations), rows: rows)
            try visitor.visit("weight_g", &logistics.weightGrams, count, rows: rows)
        default:
            let rows = accounts.count
            try visitor.visit("account_id", &accounts.account, .id(below: d.accounts), rows: rows)
            try visitor.visit("kind", &accounts.kind, .code(below: AccountKind.allCases.count), rows: rows)
            try visitor.visit("registered_at", &accounts.registeredAt, anyTime, rows: rows)
            try visitor.visit("region", &accounts.region, .id(below: d.regions), rows: rows)
            try visitor.visit("credit_code", &accounts.creditCode, .id(below: d.creditCodes), rows: rows)
        }
    }
}

/// Gathers a table's columns for the writer, raw where `ExportSegments.storesRaw` says.
private struct ColumnCollector: ColumnVisitor {
    let table: String
    var columns: [SegmentColumnData] = []
    mutating func visit<T: SegmentValue>(_ name: String, _ values: inout Column<T>, _: ValueRule, rows _: Int) {
        columns.append(SegmentColumnData(name, values, encoding: ExportSegments.storesRaw(table, name) ? .raw : nil))
    }
}

/// Replaces a table's columns with those decoded from a file, each checked against its
/// rule and against the file's row count.
private struct ColumnReader: ColumnVisitor {
    let file: SegmentFile
    let threads: Int
    mutating func visit<T: SegmentValue>(_ name: String, _ values: inout Column<T>, _ rule: ValueRule, rows _: Int)
        throws(SegmentError)
    {
        values = Column(try file.column(name, rule: rule, threads: threads))
        guard values.count == file.footer.rows else {
            throw SegmentError(
                file: file.name, table: file.footer.table, column: name,
                problem: .wrongRowCount(expected: file.footer.rows, found: values.count))
        }
    }
}
