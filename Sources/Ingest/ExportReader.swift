import Columnar

#if canImport(Glibc)
import Glibc
#endif

/// Loads an export folder (`SCHEMA.md`) into a `Columnar.Export`: `orders.csv` first
/// (required), then `ratings.csv`, `logistics.csv` and `accounts.csv` when present, each
/// as plain CSV or as an LZ4 frame (`NAME.csv.lz4`). Files stream through in chunks of
/// `chunkSize` bytes, so memory grows with the distinct entities, not the file sizes.
///
/// Errors stop the load with an `IngestError` naming file, line, column and value;
/// ratings and scan events naming an order the export lacks are kept and counted.
public struct ExportReader: Sendable {
    /// The door to the file system (tests substitute one with faults).
    public var files: any FileAccess
    /// Bytes read per step; tests use tiny chunks to cut records anywhere.
    public var chunkSize: Int
    /// Cores that read: CSV files are framed and decoded on up to this many (with the
    /// same result for any count), native (`.cwseg`) blocks decoded.
    public var threads = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    public init(files: any FileAccess = SystemFileAccess(), chunkSize: Int = 1 << 20) {
        precondition(chunkSize > 0, "chunk size must be positive")
        self.files = files
        self.chunkSize = chunkSize
    }

    /// Loads the export in `folder`. With `columns`, only those columns are decoded and
    /// checked, native or CSV (`ExportColumns`), and only the tables that hold them are
    /// read (orders always: its order ids are the rows the others refer to); the rest of
    /// the export stays empty. CSV records are still framed whole, so a broken record of
    /// a read table is an error whichever columns are chosen.
    ///
    /// CSV tables that share no id space (`ExportTable.lanes`) are read side by side, each
    /// lane on its own core, and a core whose lane has ended helps the lanes still
    /// running (`LanePool`); ids, columns, report and first error are those of reading the
    /// files one after another.
    ///
    /// `tablesRead`, when given, is called on the reading core as soon as a lane's
    /// tables are read without error (CSV only), with an export that holds those tables
    /// (by file name without `.csv`) and their id spaces, final (of the id spaces, only
    /// those `columns` asks for; the others arrive empty): work that needs only
    /// them can start while other files are still being read.
    ///
    /// `scansRead`, when given, takes logistics' scan rows a batch at a time as they are
    /// read (CSV only; on the reading core, in file order): the export then keeps none of
    /// them (its logistics table is empty, its id spaces are filled as without it), for
    /// work that folds the scans as they come instead of holding every column. The
    /// batches' waybill ids are provisional: once logistics is read, a
    /// `BatchDelivery.renumbered` follows when any changed (a waybill whose scans came in
    /// two runs apart), and the folding work applies it.
    public func load(
        _ folder: String, columns: ExportColumns? = nil, tablesRead: (@Sendable (Export, _ tables: [String]) -> Void)? = nil,
        scansRead: (@Sendable (BatchDelivery<LogisticsTable>) -> Void)? = nil
    ) throws(IngestError) -> LoadedExport {
        if let native = try loadSegments(folder, columns: columns) { return native }
        let clock = ContinuousClock()
        let started = clock.now
        let tables = ExportTable.allCases.filter { $0 == .orders || (columns?.includes(table: $0.name) ?? true) }
        let lanes = ExportTable.lanes(of: tables, columns: columns)
        let laneReads = LanePool.run(lanes: lanes.count, threads: threads) { lane, cores -> LaneRead in
            var done = LaneRead()
            for table in lanes[lane] {
                do throws(IngestError) {
                    let batchRead = table == .logistics
                        ? scansRead.map { scans in { (delivery: BatchDelivery<Export>) in scans(delivery.map(\.logistics)) } } : nil
                    if let file = try read(table, in: folder, into: &done.export, columns: columns, cores: cores, batchRead: batchRead) {
                        done.files[table] = file
                    }
                } catch {
                    done.failure = (table, error)
                    return done
                }
            }
            if let columns { for table in lanes[lane] { table.release(unaskedIdSpacesOf: &done.export, columns: columns) } }
            tablesRead?(done.export, lanes[lane].map(\.name))
            return done
        }
        if let first = laneReads.compactMap(\.failure).min(by: { $0.table.rawValue < $1.table.rawValue }) { throw first.error }
        var export = Export()
        var report = LoadReport()
        for (lane, laneTables) in lanes.enumerated() {
            for table in laneTables { table.move(from: laneReads[lane].export, into: &export, columns: columns) }
        }
        report.files = tables.compactMap { table in laneReads.lazy.compactMap { $0.files[table] }.first }
        report.orderTimes = Self.range(of: export.orders.createdAt)
        report.seconds = (clock.now - started).seconds
        return LoadedExport(export: export, report: report)
    }

    /// What one lane of `load` read: its tables and id spaces, the files, or where it stopped.
    private struct LaneRead: Sendable {
        var export = Export()
        var files: [ExportTable: FileLoad] = [:]
        var failure: (table: ExportTable, error: IngestError)?
    }

    /// Reads `table`'s file into `export` (each batch handed to `batchRead`, when given,
    /// as `CSVFileReader.read` does): nil when an optional table's file is absent,
    /// `missingFile` when orders' is.
    private func read(
        _ table: ExportTable, in folder: String, into export: inout Export, columns: ExportColumns?, cores: any TaskRunner,
        batchRead: ((BatchDelivery<Export>) -> Void)?
    ) throws(IngestError) -> FileLoad? {
        let file = try table.schema.read(with: self, in: folder, into: &export, columns: columns, cores: cores, batchRead: batchRead)
        if file == nil && table == .orders { throw IngestError(file: table.schema.fileNames.plain, problem: .missingFile) }
        return file
    }

    /// Reads `labels.csv` (or `labels.csv.lz4`) in `folder`.
    public func readLabels(in folder: String) throws(IngestError) -> [Label] {
        var labels = LabelColumns()
        guard try read(in: folder, as: LabelsSchema.self, into: &labels, cores: ConcurrentTasks.Cores(threads: threads)) != nil
        else {
            throw IngestError(file: LabelsSchema.fileNames.plain, problem: .missingFile)
        }
        return labels.labels
    }

    /// Reads the schema's file, `NAME.csv` or `NAME.csv.lz4`, from `folder` into the target
    /// (only table `NAME`'s columns of `columns`, when given; `batchRead` as in
    /// `CSVFileReader.read`) with its tasks on `cores`; how the file loaded, or nil when
    /// neither file exists.
    func read<Schema: TableSchema>(
        in folder: String, as schema: Schema.Type, into target: inout Schema.Target,
        columns: ExportColumns? = nil, cores: any TaskRunner, batchRead: ((BatchDelivery<Schema.Target>) -> Void)? = nil
    ) throws(IngestError) -> FileLoad? {
        let (plain, compressed) = Schema.fileNames
        let plainPath = "\(folder)/\(plain)", compressedPath = "\(folder)/\(compressed)"
        let hasPlain = files.exists(plainPath), hasCompressed = files.exists(compressedPath)
        if hasPlain && hasCompressed { throw IngestError(file: plain, problem: .ambiguousFile(compressed)) }
        guard hasPlain || hasCompressed else { return nil }
        let fileName = hasPlain ? plain : compressed
        let clock = ContinuousClock()
        let started = clock.now
        var source = try files.open(hasPlain ? plainPath : compressedPath, name: fileName)
        if hasCompressed { source = LZ4FrameSource(source, name: fileName) }
        let reader = CSVFileReader(file: fileName, chunkSize: chunkSize, cores: cores)
        let tally = try reader.read(
            &source, as: schema, into: &target, selected: columns.map { $0.columns[Schema.name] ?? [] }, batchRead: batchRead)
        return FileLoad(
            name: fileName, rows: tally.rows, bytesRead: source.bytesRead, bytesDecoded: tally.bytesDecoded,
            seconds: (clock.now - started).seconds, unknownOrders: tally.unknownOrders)
    }

    static func range(of times: Column<Int64>) -> ClosedRange<Int64>? {
        guard var low = times.first else { return nil }
        var high = low
        for time in times {
            low = min(low, time)
            high = max(high, time)
        }
        return low...high
    }
}

/// An export loaded into memory together with the report of how the load went.
public struct LoadedExport: Sendable {
    public var export: Export
    public var report: LoadReport
}

extension ExportTableSchema {
    static func read(
        with reader: ExportReader, in folder: String, into export: inout Export, columns: ExportColumns?, cores: any TaskRunner,
        batchRead: ((BatchDelivery<Export>) -> Void)?
    ) throws(IngestError) -> FileLoad? {
        try reader.read(in: folder, as: Self.self, into: &export, columns: columns, cores: cores, batchRead: batchRead)
    }
}

/// The CSV files of an export, in the order a file-by-file load reads them (`rawValue`).
public enum ExportTable: Int, CaseIterable, Sendable {
    case orders, ratings, logistics, accounts

    /// Every table's file names, plain CSV and LZ4 frame, in file order.
    public static let fileNames = allCases.flatMap { [$0.schema.fileNames.plain, $0.schema.fileNames.compressed] }

    /// The table's schema: its file's name and columns, and where they go in `Export`.
    var schema: any ExportTableSchema.Type {
        switch self {
        case .orders: OrdersSchema.self
        case .ratings: RatingsSchema.self
        case .logistics: LogisticsSchema.self
        case .accounts: AccountsSchema.self
        }
    }

    /// The file's name without `.csv`, and the table's name in `ExportColumns`.
    var name: String { schema.name }

    /// The id spaces reading the table (only `columns`' columns of it, when given)
    /// interns into, and those it looks order ids up in.
    func idSpaces(columns: ExportColumns?) -> (interned: [WritableKeyPath<Export, IdDictionary>], resolved: [KeyPath<Export, IdDictionary>]) {
        schema.idSpaces(selected: columns.map { $0.columns[name] ?? [] })
    }

    /// `tables` (in file order) in lanes that can be read side by side: two tables whose
    /// reading touches one id space are in the same lane, in file order (ids are handed
    /// out in the order the files are read); lanes in the order of their first table.
    static func lanes(of tables: [ExportTable], columns: ExportColumns?) -> [[ExportTable]] {
        var lanes: [(tables: [ExportTable], spaces: Set<AnyKeyPath>)] = []
        for table in tables {
            let (interned, resolved) = table.idSpaces(columns: columns)
            var spaces = Set<AnyKeyPath>(interned as [AnyKeyPath] + resolved as [AnyKeyPath])
            var joined: [ExportTable] = []
            for lane in lanes.indices.reversed() where !lanes[lane].spaces.isDisjoint(with: spaces) {
                joined += lanes[lane].tables
                spaces.formUnion(lanes.remove(at: lane).spaces)
            }
            lanes.append(((joined + [table]).sorted { $0.rawValue < $1.rawValue }, spaces))
        }
        return lanes.map(\.tables).sorted { $0[0].rawValue < $1[0].rawValue }
    }

    /// Empties the id spaces reading the table interned into that `columns` does not ask
    /// for (`ExportColumns.idSpaces`; the order ids through which ratings found their
    /// orders, say), once every table of its lane is read: the ids in the columns stay,
    /// the keys behind them are not kept, as a native load does not read them. Their
    /// memory is free for the tables still to be read.
    func release(unaskedIdSpacesOf export: inout Export, columns: ExportColumns) {
        for space in idSpaces(columns: columns).interned {
            let name = ExportSegments.idSpaces.first { (\Export.dictionaries).appending(path: $0.path) == space }?.name
            if let name, !columns.idSpaces.contains(name) { export[keyPath: space] = IdDictionary(capacity: 0) }
        }
    }

    /// Moves what reading the table into `side` wrote (its columns and the id spaces it
    /// interned into) into `export`.
    func move(from side: Export, into export: inout Export, columns: ExportColumns?) {
        schema.moveRows(from: side, into: &export)
        for space in idSpaces(columns: columns).interned { export[keyPath: space] = side[keyPath: space] }
    }
}
