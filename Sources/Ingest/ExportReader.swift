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
    public func load(_ folder: String, columns: ExportColumns? = nil) throws(IngestError) -> LoadedExport {
        if let native = try loadSegments(folder, columns: columns) { return native }
        let clock = ContinuousClock()
        let started = clock.now
        var export = Export()
        var report = LoadReport()
        let logistics = columns?.includes(table: "logistics") ?? true
        if logistics && threads > 1 && !(columns?.columns["logistics"]?.contains("order_row") ?? true) {
            (export, report) = try readBesideLogistics(folder, columns: columns)
        } else {
            try readOrdersAndRatings(folder, into: &export, report: &report, columns: columns, threads: threads)
            if logistics {
                try read("logistics", in: folder, as: LogisticsSchema.self, into: &export, report: &report, columns: columns,
                         threads: threads)
            }
        }
        if columns?.includes(table: "accounts") ?? true {
            try read("accounts", in: folder, as: AccountsSchema.self, into: &export, report: &report, columns: columns,
                     threads: threads)
        }
        report.orderTimes = Self.range(of: export.orders.createdAt)
        report.seconds = Self.seconds(clock.now - started)
        return LoadedExport(export: export, report: report)
    }

    /// Reads `orders.csv` (required) and then `ratings.csv` (when the load wants it).
    private func readOrdersAndRatings(
        _ folder: String, into export: inout Export, report: inout LoadReport, columns: ExportColumns?, threads: Int
    ) throws(IngestError) {
        guard try read("orders", in: folder, as: OrdersSchema.self, into: &export, report: &report, columns: columns,
                       threads: threads)
        else {
            throw IngestError(file: "orders.csv", problem: .missingFile)
        }
        if columns?.includes(table: "ratings") ?? true {
            try read("ratings", in: folder, as: RatingsSchema.self, into: &export, report: &report, columns: columns,
                     threads: threads)
        }
    }

    /// Orders and ratings on half of the cores while logistics is read on the other half,
    /// for a load that does not read logistics' order ids: its other id spaces (waybills,
    /// couriers, locations) are its own, so then nothing of it depends on the other two
    /// files, and ids, columns and report are those of reading the files one after
    /// another. The error is also the one that reading would meet first: orders' or
    /// ratings' before logistics'.
    private func readBesideLogistics(_ folder: String, columns: ExportColumns?) throws(IngestError) -> (Export, LoadReport) {
        let logisticsThreads = threads / 2, threads = threads
        let lanes = ConcurrentTasks.map(count: 2, threads: 2) { lane -> Result<(Export, LoadReport), IngestError> in
            var export = Export(), report = LoadReport()
            do throws(IngestError) {
                if lane == 0 {
                    try readOrdersAndRatings(folder, into: &export, report: &report, columns: columns,
                                             threads: threads - logisticsThreads)
                } else {
                    try read("logistics", in: folder, as: LogisticsSchema.self, into: &export, report: &report,
                             columns: columns, threads: logisticsThreads)
                }
                return .success((export, report))
            } catch {
                return .failure(error)
            }
        }
        var (export, report) = try lanes[0].get()
        let (side, sideReport) = try lanes[1].get()
        Self.take(LogisticsSchema.self, from: side, into: &export)
        report.files += sideReport.files
        return (export, report)
    }

    /// Moves what reading `Schema`'s file into `side` wrote (its columns and the id spaces
    /// it interned into) into `export`.
    private static func take<Schema: TableSchema>(_ schema: Schema.Type, from side: Export, into export: inout Export)
    where Schema.Target == Export {
        for column in Schema.Column.allCases {
            switch Schema.decoding(column) {
            case .id(let dictionary, let into):
                export[keyPath: dictionary] = side[keyPath: dictionary]
                export[keyPath: into] = side[keyPath: into]
            case .newID(let dictionary): export[keyPath: dictionary] = side[keyPath: dictionary]
            case .orderRow(_, let into): export[keyPath: into] = side[keyPath: into]
            case .money(let into), .time(let into): export[keyPath: into] = side[keyPath: into]
            case .count(let into): export[keyPath: into] = side[keyPath: into]
            case .stars(let into), .flag(let into), .vocabulary(_, let into): export[keyPath: into] = side[keyPath: into]
            }
        }
    }

    /// Reads `labels.csv` (or `labels.csv.lz4`) in `folder`.
    public func readLabels(in folder: String) throws(IngestError) -> [Label] {
        var labels = LabelColumns()
        var report = LoadReport()
        guard try read("labels", in: folder, as: LabelsSchema.self, into: &labels, report: &report, threads: threads) else {
            throw IngestError(file: "labels.csv", problem: .missingFile)
        }
        return labels.labels
    }

    /// Reads `NAME.csv` or `NAME.csv.lz4` from `folder` into the target (only table
    /// `name`'s columns of `columns`, when given) on `threads` cores and adds it to the
    /// report; false when neither file exists.
    @discardableResult
    private func read<Schema: TableSchema>(
        _ name: String, in folder: String, as schema: Schema.Type, into target: inout Schema.Target,
        report: inout LoadReport, columns: ExportColumns? = nil, threads: Int
    ) throws(IngestError) -> Bool {
        let plain = "\(name).csv", compressed = "\(name).csv.lz4"
        let plainPath = "\(folder)/\(plain)", compressedPath = "\(folder)/\(compressed)"
        let hasPlain = files.exists(plainPath), hasCompressed = files.exists(compressedPath)
        if hasPlain && hasCompressed { throw IngestError(file: plain, problem: .ambiguousFile(compressed)) }
        guard hasPlain || hasCompressed else { return false }
        let fileName = hasPlain ? plain : compressed
        let clock = ContinuousClock()
        let started = clock.now
        var source = try files.open(hasPlain ? plainPath : compressedPath, name: fileName)
        if hasCompressed { source = LZ4FrameSource(source, name: fileName) }
        let reader = CSVFileReader(file: fileName, chunkSize: chunkSize, threads: threads)
        let tally = try reader.read(&source, as: schema, into: &target, selected: columns.map { $0.columns[name] ?? [] })
        report.files.append(FileLoad(
            name: fileName, rows: tally.rows, bytesRead: source.bytesRead, bytesDecoded: tally.bytesDecoded,
            seconds: Self.seconds(clock.now - started), unknownOrders: tally.unknownOrders))
        return true
    }

    static func range(of times: [Int64]) -> ClosedRange<Int64>? {
        guard var low = times.first else { return nil }
        var high = low
        for time in times {
            low = min(low, time)
            high = max(high, time)
        }
        return low...high
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// An export loaded into memory together with the report of how the load went.
public struct LoadedExport: Sendable {
    public var export: Export
    public var report: LoadReport
}
