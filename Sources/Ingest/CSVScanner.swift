/// The hot loops of CSV reading (RFC 4180), over raw bytes: finding where one record's
/// fields start and end, undoing `""` escapes in place, and the word-at-a-time ASCII check
/// that lets UTF-8 validation be skipped for plain ASCII data.
///
/// Each is a small function with a plain reference twin in the tests.
enum CSVScanner {
    static let quote = UInt8(ascii: "\"")
    static let comma = UInt8(ascii: ",")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// How scanning one record from a position ended.
    enum Outcome: Equatable {
        /// The record is whole; the next one starts at `next` (after its line end).
        case complete(next: Int)
        /// The bytes end inside the record: more must be read before it can be scanned.
        case needMore
        /// The record breaks the CSV rules in field `field` (0-based).
        case malformed(IngestError.Problem, field: Int)
    }

    /// Scans the record that starts at `start` in `bytes`, writing each field's raw span
    /// (quotes included) into `fields`, and counting line feeds inside quoted fields
    /// into `quotedLineFeeds`. `atEnd` says that no bytes follow `bytes`, so that a last
    /// record without a line end is complete.
    ///
    /// The loop is an explicit state machine: at a field start, a quote enters the quoted
    /// state (which ends at a quote not followed by another); otherwise the unquoted state
    /// runs to a comma or line end. Bytes above `,` (letters, digits, `-`, `.`, `:`) are
    /// never special, so the unquoted state skips words of them and then tests one
    /// comparison per byte.
    static func scanRecord(
        _ bytes: UnsafeRawBufferPointer, from start: Int, atEnd: Bool,
        fields: inout FieldSpans, quotedLineFeeds: inout Int
    ) -> Outcome {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let limit = bytes.count
        var position = start
        var field = 0
        fields.count = 0
        while true {
            let fieldStart = position
            if position < limit && base[position] == quote {
                position &+= 1
                while true {
                    while position < limit && base[position] != quote {
                        if base[position] == lineFeed { quotedLineFeeds &+= 1 }
                        position &+= 1
                    }
                    if position >= limit { return atEnd ? .malformed(.unterminatedQuote, field: field) : .needMore }
                    if position &+ 1 >= limit {
                        if !atEnd { return .needMore }
                        position &+= 1
                        break
                    }
                    if base[position &+ 1] != quote {
                        position &+= 1
                        break
                    }
                    position &+= 2
                }
            } else {
                // Eight bytes at a time while none is <= `,`: `(w - 0x2D..) & ~w & 0x80..`
                // flags bytes below 0x2D (the first flag is exact), then byte by byte.
                while position &+ 8 <= limit {
                    let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                    let low = (word &- 0x2D2D_2D2D_2D2D_2D2D) & ~word & 0x8080_8080_8080_8080
                    if low != 0 {
                        position &+= low.trailingZeroBitCount &>> 3
                        break
                    }
                    position &+= 8
                }
                while position < limit {
                    let byte = base[position]
                    if byte > comma { position &+= 1; continue }
                    if byte == comma || byte == lineFeed || byte == carriageReturn || byte == quote { break }
                    position &+= 1
                }
                if position < limit && base[position] == quote {
                    return .malformed(.quoteInUnquotedField, field: field)
                }
            }
            fields.append(fieldStart, position)
            field &+= 1
            if position >= limit { return atEnd ? .complete(next: limit) : .needMore }
            let byte = base[position]
            if byte == comma {
                position &+= 1
            } else if byte == lineFeed {
                return .complete(next: position &+ 1)
            } else if byte == carriageReturn {
                if position &+ 1 >= limit { return atEnd ? .complete(next: limit) : .needMore }
                if base[position &+ 1] != lineFeed { return .malformed(.bareCarriageReturn, field: field &- 1) }
                return .complete(next: position &+ 2)
            } else {
                return .malformed(.textAfterClosingQuote, field: field &- 1)
            }
        }
    }

    /// Turns the quoted field `bytes[start..<end]` (opening and closing quote included)
    /// into its value in place, `""` becoming `"`, and returns the value's span.
    static func unquote(_ bytes: UnsafeMutableRawBufferPointer, start: Int, end: Int) -> Range<Int> {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var read = start &+ 1
        var write = read
        let last = end &- 1
        while read < last {
            let byte = base[read]
            base[write] = byte
            write &+= 1
            read &+= byte == quote ? 2 : 1
        }
        return (start &+ 1)..<write
    }

    /// Whether every byte is below 0x80: 32 bytes per step as four 64-bit words OR-ed
    /// together (one test of the high bits at the end), then the tail byte by byte.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var any: UInt64 = 0
        var offset = 0
        let count = bytes.count
        while offset &+ 32 <= count {
            any |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                | bytes.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                | bytes.loadUnaligned(fromByteOffset: offset &+ 16, as: UInt64.self)
                | bytes.loadUnaligned(fromByteOffset: offset &+ 24, as: UInt64.self)
            offset &+= 32
        }
        while offset < count {
            any |= UInt64(bytes[offset])
            offset &+= 1
        }
        return any & 0x8080_8080_8080_8080 == 0
    }
}

/// Start and end offsets of the fields of one record, written into a fixed buffer
/// sized for the expected number of fields (its own, or a row of a `RecordFrame`);
/// fields beyond the capacity are counted, not stored.
struct FieldSpans: ~Copyable {
    private let bounds: UnsafeMutablePointer<UInt32>
    private let owned: Bool
    let capacity: Int
    var count = 0

    /// Spans in a buffer of their own.
    init(capacity: Int) {
        self.capacity = capacity
        bounds = .allocate(capacity: capacity * 2)
        owned = true
    }

    /// Spans written to `bounds` (`2 * capacity` offsets), which the caller owns.
    init(writingTo bounds: UnsafeMutablePointer<UInt32>, capacity: Int) {
        self.capacity = capacity
        self.bounds = bounds
        owned = false
    }

    @inline(__always)
    mutating func append(_ start: Int, _ end: Int) {
        if count < capacity {
            bounds[count &* 2] = UInt32(truncatingIfNeeded: start)
            bounds[count &* 2 &+ 1] = UInt32(truncatingIfNeeded: end)
        }
        count &+= 1
    }

    func start(_ field: Int) -> Int { Int(bounds[field &* 2]) }
    func end(_ field: Int) -> Int { Int(bounds[field &* 2 &+ 1]) }

    /// Turns every quoted field into its value in place (see `CSVScanner.unquote`).
    mutating func unquote(_ buffer: UnsafeMutableRawBufferPointer) {
        for field in 0..<min(count, capacity) {
            let start = start(field), end = end(field)
            if start < end && buffer[start] == CSVScanner.quote {
                let value = CSVScanner.unquote(buffer, start: start, end: end)
                bounds[field &* 2] = UInt32(truncatingIfNeeded: value.lowerBound)
                bounds[field &* 2 &+ 1] = UInt32(truncatingIfNeeded: value.upperBound)
            }
        }
    }

    deinit { if owned { bounds.deallocate() } }
}
