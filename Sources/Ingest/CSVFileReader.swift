/// Streams one CSV file into a `RecordSink`: reads fixed-size chunks into one buffer,
/// scans whole records out of it with `CSVScanner`, binds the header's columns by name,
/// and turns every problem into an `IngestError` that names file, line, column and value.
///
/// A record cut by the end of a chunk is moved to the front of the buffer and scanned
/// again once the next chunk is in, so the buffer holds at most one record plus one
/// chunk and memory does not grow with the file.
struct CSVFileReader {
    /// The longest record accepted, in bytes.
    static let maxLineBytes = 1 << 20
    /// The most columns a header may have.
    static let maxColumns = 4096

    /// The file's name in errors and reports.
    let file: String
    /// Bytes asked of the source per read.
    let chunkSize: Int

    /// What reading a file counted.
    struct Tally {
        var rows = 0
        var bytesDecoded = 0
        var unknownOrders = WarningTally()
    }

    func read<Sink: RecordSink>(
        _ source: inout any ByteSource, into sink: inout Sink, target: inout Sink.Target
    ) throws(IngestError) -> Tally {
        let capacity = Self.maxLineBytes + chunkSize
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 32)
        defer { buffer.deallocate() }
        var tally = Tally()
        var filled = 0
        var start = 0
        var line = 1
        var atEnd = false
        var binding: HeaderBinding<Sink.Column>?
        var fields = FieldSpans(capacity: Self.maxColumns)
        var reserved = false
        while !atEnd {
            if start > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: filled - start)
                filled -= start
                start = 0
            }
            let count = try source.read(into: UnsafeMutableRawBufferPointer(
                rebasing: buffer[filled..<min(filled + chunkSize, capacity)]))
            atEnd = count == 0
            tally.bytesDecoded += count
            filled += count
            if binding == nil && Self.startsWithByteOrderMark(buffer, filled: filled) { start = 3 }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
            let checkUTF8 = !CSVScanner.isASCII(UnsafeRawBufferPointer(rebasing: bytes[start...]))
            var cursor = StructuralCursor(bytes, at: start)
            records: while start < filled {
                var quotedLineFeeds = 0
                let outcome: CSVScanner.Outcome
                if let next = cursor.scanRecord(bytes, from: start, fields: &fields) {
                    outcome = .complete(next: next)
                } else {
                    outcome = CSVScanner.scanRecord(
                        bytes, from: start, atEnd: atEnd, fields: &fields, quotedLineFeeds: &quotedLineFeeds)
                    if case .complete(let next) = outcome { cursor.seek(bytes, to: next) }
                }
                switch outcome {
                case .needMore:
                    if filled - start > Self.maxLineBytes {
                        throw IngestError(file: file, line: line, problem: .lineTooLong(Self.maxLineBytes))
                    }
                    break records
                case .malformed(let problem, let field):
                    throw IngestError(file: file, line: line, column: binding?.site(field), problem: problem)
                case .complete(let next):
                    if next - start > Self.maxLineBytes {
                        throw IngestError(file: file, line: line, problem: .lineTooLong(Self.maxLineBytes))
                    }
                    if checkUTF8 { try validateUTF8(bytes, fields: fields, line: line, binding: binding) }
                    if let binding {
                        if fields.count > 1 || fields.start(0) != fields.end(0) {
                            try store(buffer, fields: fields, line: line, binding: binding, sink: &sink,
                                      target: &target, tally: &tally)
                        }
                    } else {
                        let header = try HeaderBinding<Sink.Column>(file: file, buffer: buffer, fields: fields)
                        fields = FieldSpans(capacity: header.columns.count)
                        binding = header
                    }
                    line += 1 + quotedLineFeeds
                    start = next
                }
            }
            if !reserved && tally.rows > 0 {
                reserved = true
                if let expected = source.expectedBytes, expected > tally.bytesDecoded {
                    let rows = Int(Double(expected) / Double(start) * Double(tally.rows) * 1.02)
                    sink.reserve(rows: rows, into: &target)
                }
            }
        }
        if binding == nil { throw IngestError(file: file, problem: .noHeader) }
        sink.finish(into: &target)
        return tally
    }

    /// Whether the buffer starts with a UTF-8 byte order mark (which some spreadsheet
    /// programs write before the header).
    private static func startsWithByteOrderMark(_ buffer: UnsafeMutableRawBufferPointer, filled: Int) -> Bool {
        filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF
    }

    /// Checks that the record's fields are UTF-8 (only called when the chunk is not
    /// plain ASCII).
    private func validateUTF8<Column>(
        _ bytes: UnsafeRawBufferPointer, fields: borrowing FieldSpans, line: Int, binding: HeaderBinding<Column>?
    ) throws(IngestError) {
        for field in 0..<min(fields.count, fields.capacity) {
            let value = UnsafeRawBufferPointer(rebasing: bytes[fields.start(field)..<fields.end(field)])
            if !CSVScanner.isASCII(value) && String(validating: value, as: UTF8.self) == nil {
                throw IngestError(file: file, line: line, column: binding?.site(field) ?? ColumnSite(name: "header", index: field + 1),
                                  value: IngestError.quoted(value), problem: .invalidUTF8)
            }
        }
    }

    /// Hands the fields of one data record to the sink.
    @inline(__always)
    private func store<Sink: RecordSink>(
        _ buffer: UnsafeMutableRawBufferPointer, fields: borrowing FieldSpans, line: Int,
        binding: HeaderBinding<Sink.Column>, sink: inout Sink, target: inout Sink.Target, tally: inout Tally
    ) throws(IngestError) {
        guard fields.count == binding.columns.count else {
            throw IngestError(file: file, line: line,
                              problem: .wrongFieldCount(expected: binding.columns.count, found: fields.count))
        }
        for field in 0..<fields.count {
            guard let column = binding.columns[field] else { continue }
            var span = fields.start(field)..<fields.end(field)
            if !span.isEmpty && buffer[span.lowerBound] == CSVScanner.quote {
                span = CSVScanner.unquote(buffer, start: span.lowerBound, end: span.upperBound)
            }
            let value = UnsafeRawBufferPointer(rebasing: buffer[span])
            if value.isEmpty {
                guard !column.isRequired else {
                    throw IngestError(file: file, line: line, column: binding.site(field), value: "",
                                      problem: .value(.missingValue))
                }
                sink.storeMissing(column, into: &target)
                continue
            }
            do {
                if try sink.store(column, value, into: &target) == .unknownOrder {
                    tally.unknownOrders.add("\(file):\(line):\(field + 1) (\(column.header)): unknown order \"\(IngestError.quoted(value))\"")
                }
            } catch {
                throw IngestError(file: file, line: line, column: binding.site(field), value: IngestError.quoted(value),
                                  problem: .value(error))
            }
        }
        for column in binding.absent { sink.storeMissing(column, into: &target) }
        sink.finishRecord(into: &target)
        tally.rows += 1
    }
}

/// Which schema column each field of a file's records holds, found from the header by
/// name: unknown columns are skipped, and optional columns the header lacks are listed
/// so that their sentinel is stored for every record.
struct HeaderBinding<Column: SchemaColumn> {
    /// By field position: the schema column, or nil for a column the engine ignores.
    let columns: [Column?]
    let names: [String]
    let absent: [Column]

    init(file: String, buffer: UnsafeMutableRawBufferPointer, fields: borrowing FieldSpans) throws(IngestError) {
        guard fields.count <= fields.capacity else {
            throw IngestError(file: file, line: 1, problem: .tooManyColumns(fields.capacity))
        }
        var names: [String] = []
        for field in 0..<fields.count {
            var span = fields.start(field)..<fields.end(field)
            if !span.isEmpty && buffer[span.lowerBound] == CSVScanner.quote {
                span = CSVScanner.unquote(buffer, start: span.lowerBound, end: span.upperBound)
            }
            names.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span]), as: UTF8.self))
        }
        var columns: [Column?] = []
        var bound: [Column] = []
        for name in names {
            let column = Column.allCases.first { $0.header == name && !bound.contains($0) }
            if let column { bound.append(column) }
            columns.append(column)
        }
        for column in Column.allCases where column.isRequired && !bound.contains(column) {
            throw IngestError(file: file, problem: .missingColumn(column.header))
        }
        self.columns = columns
        self.names = names
        absent = Column.allCases.filter { !bound.contains($0) }
    }

    /// The user's view of field `field` (0-based).
    func site(_ field: Int) -> ColumnSite {
        ColumnSite(name: field < names.count ? names[field] : "?", index: field + 1)
    }
}
