import Columnar

// Native exports: when a folder holds `dictionaries.cwseg`, `ExportReader.load` reads the
// export from its segment files (docs/FORMAT.md) instead of CSV.

extension ExportReader {
    /// Loads the native export in `folder`, or nil when it has none. A native export is
    /// whole: the dictionaries, `orders.cwseg`, and optionally the other tables'
    /// segment files; a CSV table beside them is ambiguous (their ids would disagree).
    ///
    /// With `columns`, only those columns, id spaces and the files that hold them are
    /// read and checked (`ExportColumns`); the rest of the export stays empty. In the
    /// report, a file's seconds are its reading and framing plus its share (by raw column
    /// bytes) of the decode, which runs for all files at once.
    public func loadSegments(_ folder: String, columns: ExportColumns? = nil) throws(IngestError) -> LoadedExport? {
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
        // Read and frame the files in reading order; a file that cannot be read or framed
        // is reported after any block error of the files before it, as a reader going
        // file by file would.
        var opened: [(file: SegmentFile, bytes: Int, seconds: Double)] = []
        var pending: IngestError?
        for table in [ExportSegments.dictionaries] + present where columns?.includes(table: table) ?? true || table == ExportSegments.dictionaries {
            let name = ExportSegments.fileName(table)
            let fileStarted = clock.now
            do throws(IngestError) {
                let (file, bytes) = try openSegment(name, in: folder, table: table)
                opened.append((file, bytes, (clock.now - fileStarted).seconds))
            } catch {
                if opened.isEmpty { throw error }
                pending = error
                break
            }
        }
        let decodeStarted = clock.now
        let export: Export
        do {
            export = try ExportSegments.decodeExport(
                dictionaries: opened[0].file, tables: opened.dropFirst().map(\.file), columns: columns, threads: threads)
        } catch {
            throw IngestError(file: error.file, problem: .segment(error))
        }
        if let pending { throw pending }
        let decodeSeconds = (clock.now - decodeStarted).seconds

        var report = LoadReport()
        let rawBytes = opened.reduce(0) { $0 + $1.file.footer.columns.reduce(0) { $0 + $1.rawBytes } }
        for (file, bytes, seconds) in opened {
            let decoded = file.footer.columns.reduce(0) { $0 + $1.rawBytes }
            report.files.append(FileLoad(
                name: file.name, rows: file.footer.table == ExportSegments.dictionaries ? 0 : file.footer.rows,
                bytesRead: bytes, bytesDecoded: decoded,
                seconds: seconds + decodeSeconds * Double(decoded) / Double(max(rawBytes, 1)),
                unknownOrders: WarningTally(), segmentColumns: file.footer.columns))
        }
        report.orderTimes = Self.range(of: export.orders.createdAt)
        report.seconds = (clock.now - started).seconds
        return LoadedExport(export: export, report: report)
    }

    /// Segment file `name` of `folder` in memory (mapped, read in place) and framed,
    /// with its size in bytes.
    private func openSegment(_ name: String, in folder: String, table: String) throws(IngestError) -> (SegmentFile, Int) {
        let bytes = try files.wholeFile("\(folder)/\(name)", name: name)
        do {
            return (try SegmentFile(bytes, name: name, table: table), bytes.count)
        } catch {
            throw IngestError(file: name, problem: .segment(error))
        }
    }
}
