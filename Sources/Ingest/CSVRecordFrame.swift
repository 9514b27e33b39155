import CFraming

/// The data records of one stretch of the read buffer, framed: each record's field
/// values as spans of the buffer (quotes removed in place), `columns` spans per row, so
/// that the column decoders can run down one column at a time.
///
/// A frame is filled by one thread (`frame(...)`), then read by several. It stops at the
/// first record it cannot take (a broken record, or one cut by the end of the buffer)
/// and says why in `stop`. Runs of plain records (no quote, no carriage return but a CRLF's, the
/// header's field count) are framed by a C kernel (`PlainRecordKernel`); every other
/// record by `CSVScanner.scanRecord`, which decides exactly as for a file without the
/// kernel (same spans, same errors).
final class RecordFrame: @unchecked Sendable {
    /// Fields per record (the header's).
    let columns: Int
    /// The kernel for runs of plain records.
    let kernel: PlainRecordKernel
    /// Rows the storage holds.
    private(set) var capacity = 0
    /// `bounds[(row * columns + field) * 2]` and `+ 1`: start and end of the value.
    private(set) var bounds: UnsafeMutablePointer<UInt32>
    /// The physical line of each row, counted from the frame's first line (0).
    private(set) var lines: UnsafeMutablePointer<Int32>
    /// Rows framed.
    private(set) var rows = 0
    /// Where the frame's records started and where the next record starts.
    private(set) var start = 0, end = 0
    /// Physical lines the framed records (and skipped blank lines) spanned.
    private(set) var lineCount = 0
    /// Why framing stopped before its stretch's end, if it did.
    private(set) var stop: Stop = .finished
    /// Rows framed the careful way (they may have a quoted field), unquoted by `unquote` once the frame is known to start
    /// at a true record start (a frame framed from a wrong guess must not write into
    /// the buffer: the bytes belong to the frame before).
    private var quotedRows: [Int] = []

    /// How framing ended.
    enum Stop {
        /// Every record starting in the stretch was framed.
        case finished
        /// The last record is cut by the end of the bytes: read more first.
        case needMore
        /// The record at `line` (counted from the frame's first line) breaks the file.
        case broken(IngestError.Problem, field: Int?, value: String?, line: Int)
    }

    init(columns: Int, kernel: PlainRecordKernel = .best) {
        self.columns = columns
        self.kernel = kernel
        bounds = .allocate(capacity: 0)
        lines = .allocate(capacity: 0)
    }

    deinit {
        bounds.deallocate()
        lines.deallocate()
    }

    /// The value of field `field` of `row` in `buffer`.
    @inline(__always)
    func value(_ row: Int, _ field: Int, in buffer: UnsafeRawPointer) -> UnsafeRawBufferPointer {
        let index = (row &* columns &+ field) &<< 1
        let lower = Int(bounds[index])
        return UnsafeRawBufferPointer(start: buffer + lower, count: Int(bounds[index &+ 1]) &- lower)
    }

    private func reserve(rows wanted: Int) {
        guard wanted > capacity else { return }
        let size = max(wanted, capacity * 2, 256)
        let newBounds = UnsafeMutablePointer<UInt32>.allocate(capacity: size * columns * 2 + Int(CW_FRAMING_SLACK))
        newBounds.update(from: bounds, count: rows * columns * 2)
        bounds.deallocate()
        bounds = newBounds
        let newLines = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        newLines.update(from: lines, count: rows)
        lines.deallocate()
        lines = newLines
        capacity = size
    }

    /// Frames the records of `buffer[..<filled]` that start in `from..<to` (the last one
    /// may run past `to`). `atEnd`: no bytes follow `filled`, so a last record without a
    /// line end is whole. Records longer than `maxLineBytes` are errors.
    func frame(
        _ buffer: UnsafeMutableRawBufferPointer, filled: Int, from: Int, to: Int, atEnd: Bool, maxLineBytes: Int
    ) {
        rows = 0
        start = from
        lineCount = 0
        stop = .finished
        quotedRows.removeAll(keepingCapacity: true)
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
        reserve(rows: (min(to, filled) - from) / (columns * 8) + 16)
        var position = from
        let width = columns &* 2
        let plain = columns >= 2 ? kernel.framer : nil
        while position < to {
            if rows == capacity { reserve(rows: rows + 1) }
            if let plain {
                var next = 0
                var nonASCII: Int32 = 0
                let framed = plain(
                    bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), position, to, filled, columns,
                    bounds + rows &* width, capacity &- rows, maxLineBytes, &next, &nonASCII)
                if framed > 0 {
                    if nonASCII != 0, let broken = firstInvalidUTF8(bytes, rows: rows..<(rows &+ framed)) {
                        addPlainRows(broken.row &- rows)
                        let start = Int(bounds[rows &* width])
                        return finish(at: start, .broken(.invalidUTF8, field: broken.field, value: broken.value, line: lineCount))
                    }
                    addPlainRows(framed)
                    position = next
                    continue
                }
            }
            var fields = FieldSpans(writingTo: bounds + rows &* width, capacity: columns)
            var quotedLineFeeds = 0
            let next: Int
            switch CSVScanner.scanRecord(
                bytes, from: position, atEnd: atEnd, fields: &fields, quotedLineFeeds: &quotedLineFeeds)
            {
            case .needMore:
                if filled - position > maxLineBytes {
                    return finish(at: position, .broken(.lineTooLong(maxLineBytes), field: nil, value: nil, line: lineCount))
                }
                return finish(at: position, .needMore)
            case .malformed(let problem, let field):
                return finish(at: position, .broken(problem, field: field, value: nil, line: lineCount))
            case .complete(let end):
                next = end
            }
            if next - position > maxLineBytes {
                return finish(at: position, .broken(.lineTooLong(maxLineBytes), field: nil, value: nil, line: lineCount))
            }
            if let field = Self.firstInvalidUTF8(bytes, fields: fields) {
                let value = IngestError.quoted(UnsafeRawBufferPointer(
                    rebasing: bytes[fields.start(field)..<fields.end(field)]))
                return finish(at: position, .broken(.invalidUTF8, field: field, value: value, line: lineCount))
            }
            if fields.count > 1 || fields.start(0) != fields.end(0) {
                guard fields.count == columns else {
                    return finish(at: position, .broken(
                        .wrongFieldCount(expected: columns, found: fields.count), field: nil, value: nil, line: lineCount))
                }
                quotedRows.append(rows)
                lines[rows] = Int32(truncatingIfNeeded: lineCount)
                rows &+= 1
            }
            lineCount &+= 1 &+ quotedLineFeeds
            position = next
        }
        finish(at: position, .finished)
    }

    /// Turns the quoted fields of the framed rows into their values in place.
    func unquote(_ buffer: UnsafeMutableRawBufferPointer) {
        for row in quotedRows {
            var fields = FieldSpans(writingTo: bounds + row &* columns &* 2, capacity: columns)
            fields.count = columns
            fields.unquote(buffer)
        }
    }

    /// Counts `count` rows framed by the kernel after `rows` (one line each).
    private func addPlainRows(_ count: Int) {
        for row in 0..<count { lines[rows &+ row] = Int32(truncatingIfNeeded: lineCount &+ row) }
        rows &+= count
        lineCount &+= count
    }

    /// The first row of `rows` (framed, not yet counted) with a field that is not UTF-8,
    /// that field and its value (only asked when the kernel read a byte that is not ASCII).
    private func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>) -> (row: Int, field: Int, value: String)? {
        for row in rows {
            var fields = FieldSpans(writingTo: bounds + row &* columns &* 2, capacity: columns)
            fields.count = columns
            if let field = Self.firstInvalidUTF8(bytes, fields: fields) {
                return (row, field, IngestError.quoted(UnsafeRawBufferPointer(
                    rebasing: bytes[fields.start(field)..<fields.end(field)])))
            }
        }
        return nil
    }

    private func finish(at position: Int, _ stop: Stop) {
        end = position
        self.stop = stop
    }

    /// The first field of a record that is not UTF-8 (a field of ASCII bytes costs one
    /// word-at-a-time check).
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer, fields: borrowing FieldSpans) -> Int? {
        for field in 0..<min(fields.count, fields.capacity) {
            let value = UnsafeRawBufferPointer(rebasing: bytes[fields.start(field)..<fields.end(field)])
            if !CSVScanner.isASCII(value) && String(validating: value, as: UTF8.self) == nil { return field }
        }
        return nil
    }
}

/// Which C kernel frames runs of plain records (`cw_frame_plain_records` in the
/// `CFraming` target): AVX2 where the CPU has it, found at run time, so that one binary
/// runs everywhere. Tests frame the same bytes with each kernel and without one.
enum PlainRecordKernel: Sendable {
    /// AVX2 when the CPU has it, else `portable`.
    case best
    /// The baseline instruction set's masks (SSE2 on x86-64).
    case portable
    /// No kernel: every record through `CSVScanner.scanRecord` (the reference).
    case none

    /// The signature of `cw_frame_plain_records` and its copies (`cw_framing.h`).
    typealias Framer = @convention(c) (
        UnsafePointer<UInt8>?, Int, Int, Int, Int, UnsafeMutablePointer<UInt32>?, Int, Int, UnsafeMutablePointer<Int>?,
        UnsafeMutablePointer<Int32>?
    ) -> Int

    /// The kernel's C function; nil for `none`.
    var framer: Framer? {
        switch self {
        case .best: cw_frame_plain_records
        case .portable: cw_frame_plain_records_portable
        case .none: nil
        }
    }
}
