import Columnar

// Native exports: when a folder holds `dictionaries.cwseg`, `ExportReader.load` reads the
// export from its segment files (docs/FORMAT.md) instead of CSV.

extension ExportReader {
    /// Loads the native export in `folder`, or nil when it has none. A native export is
    /// whole: the dictionaries, `orders.cwseg`, and optionally the other tables'
    /// segment files; a CSV table beside them is ambiguous (their ids would disagree).
    func loadSegments(_ folder: String) throws(IngestError) -> LoadedExport? {
        let dictionariesName = ExportSegments.fileName(ExportSegments.dictionaries)
        let present = ExportSegments.tables.filter { files.exists("\(folder)/\(ExportSegments.fileName($0))") }
        guard files.exists("\(folder)/\(dictionariesName)") else {
            if !present.isEmpty { throw IngestError(file: dictionariesName, problem: .missingFile) }
            return nil
        }
        for table in ExportSegments.tables {
            for csv in ["\(table).csv", "\(table).csv.lz4"] where files.exists("\(folder)/\(csv)") {
                throw IngestError(file: csv, problem: .ambiguousFile(dictionariesName))
            }
        }
        guard present.contains("orders") else { throw IngestError(file: ExportSegments.fileName("orders"), problem: .missingFile) }

        let clock = ContinuousClock()
        let started = clock.now
        var export = Export()
        var report = LoadReport()
        try timed(dictionariesName, in: folder, table: ExportSegments.dictionaries, rows: { _ in 0 }, report: &report) {
            (file) throws(SegmentError) in
            export.dictionaries = try ExportSegments.decodeDictionaries(file, threads: threads)
        }
        for table in present {
            try timed(ExportSegments.fileName(table), in: folder, table: table, rows: { $0.footer.rows }, report: &report) {
                (file) throws(SegmentError) in
                try ExportSegments.decodeTable(file, into: &export, threads: threads)
            }
        }
        report.orderTimes = Self.range(of: export.orders.createdAt)
        report.seconds = Self.seconds(clock.now - started)
        return LoadedExport(export: export, report: report)
    }

    /// Reads segment file `name`, hands it to `decode`, and adds it to the report
    /// (decoded bytes are the raw column bytes).
    private func timed(
        _ name: String, in folder: String, table: String, rows: (SegmentFile) -> Int, report: inout LoadReport,
        _ decode: (SegmentFile) throws(SegmentError) -> Void
    ) throws(IngestError) {
        let clock = ContinuousClock()
        let started = clock.now
        let bytes = try readWhole("\(folder)/\(name)", name: name)
        let file: SegmentFile
        do {
            file = try SegmentFile(bytes: bytes, name: name, table: table)
            try decode(file)
        } catch {
            throw IngestError(file: name, problem: .segment(error))
        }
        report.files.append(FileLoad(
            name: name, rows: rows(file), bytesRead: bytes.count,
            bytesDecoded: file.footer.columns.reduce(0) { $0 + $1.rawBytes },
            seconds: Self.seconds(clock.now - started), unknownOrders: WarningTally(),
            segmentColumns: file.footer.columns))
    }

    /// The whole file at `path`, read through the file-access door.
    func readWhole(_ path: String, name: String) throws(IngestError) -> [UInt8] {
        var source = try files.open(path, name: name)
        var bytes: [UInt8] = []
        let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 1 << 22), alignment: 16)
        defer { piece.deallocate() }
        while true {
            let count = try source.read(into: piece)
            if count == 0 { return bytes }
            bytes.append(contentsOf: piece[0..<count])
        }
    }
}
