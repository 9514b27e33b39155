/// The constants of the `.cwseg` byte layout (docs/FORMAT.md): a 16-byte header, the
/// column blocks, a footer indexing them, and a 24-byte trailer pointing at the footer.
/// Every integer is little-endian.
public enum SegmentFormat {
    /// `CWSEG\r\n` and 0x1A: detects text-mode mangling of line ends, like PNG's magic.
    public static let magic: [UInt8] = Array("CWSEG\r\n".utf8) + [0x1A]
    /// Bumped on any change an older reader cannot read: version 2 added raw blocks
    /// (`SegmentEncoding.raw`) and checks blocks with XXH64 (`blockChecksum`). Files are
    /// written in this version.
    public static let version: UInt32 = 2
    /// The versions a reader reads: a version-1 file has no raw blocks and reads as before.
    public static let readableVersions: ClosedRange<UInt32> = 1...version

    /// The checksum of a block's stored bytes in a file of `version`: XXH32 in version 1,
    /// the low 32 bits of XXH64 from version 2 on (twice as fast). The footer's is XXH32
    /// in every version.
    static func blockChecksum(_ bytes: UnsafeRawBufferPointer, version: UInt32) -> UInt32 {
        version == 1 ? XXH32.digest(bytes) : UInt32(truncatingIfNeeded: XXH64.digest(bytes))
    }
    public static let headerSize = 16
    /// The trailer: footer offset (u64), footer length (u32), footer XXH32 (u32), `CWSEGEND`.
    public static let trailerMagic: [UInt8] = Array("CWSEGEND".utf8)
    public static let trailerSize = 24
    /// Rows per row group: every column of a table is cut into blocks at these rows, so
    /// blocks decode independently on several cores and stay within the L2 cache.
    public static let rowGroupRows = 1 << 18
    /// No block holds more values than this (a reader rejects larger ones before it
    /// allocates anything).
    public static let maximumBlockValues = 1 << 24
}

/// The type of a column's values; its raw value is the code stored in the footer.
public enum SegmentValueType: UInt8, Sendable, CustomStringConvertible {
    case uint8 = 1, int32 = 2, uint32 = 3, int64 = 4

    /// Bytes per value.
    public var width: Int {
        switch self {
        case .uint8: 1
        case .int32, .uint32: 4
        case .int64: 8
        }
    }

    public var description: String {
        switch self {
        case .uint8: "u8"
        case .int32: "i32"
        case .uint32: "u32"
        case .int64: "i64"
        }
    }
}

/// The light encodings applied to a block's values before LZ4; the raw value is the
/// code stored in the footer.
public enum SegmentEncoding: UInt8, Sendable {
    /// Values back to back.
    case plain = 0
    /// Byte planes: all first bytes of the block's values, then all second bytes ...
    /// High bytes of small ids are mostly zero, which LZ4 then removes.
    case shuffled = 1
    /// 64-bit values as zigzag differences from the previous value (the first from 0),
    /// then shuffled: times that rise slowly become a few small bytes per value.
    case deltaShuffled = 2
    /// Values back to back, not compressed (stored bytes = raw bytes), in blocks that the
    /// writer puts after all others and back to back per column, so that a reader can use
    /// the whole column in place in a mapping of the file (the dictionaries' key bytes,
    /// which LZ4 does not shrink). Version 2.
    case raw = 3
}

/// A fixed-width integer type a column can hold.
public protocol SegmentValue: FixedWidthInteger, BitwiseCopyable, Sendable {
    static var segmentType: SegmentValueType { get }
}

extension UInt8: SegmentValue { public static var segmentType: SegmentValueType { .uint8 } }
extension Int32: SegmentValue { public static var segmentType: SegmentValueType { .int32 } }
extension UInt32: SegmentValue { public static var segmentType: SegmentValueType { .uint32 } }
extension Int64: SegmentValue { public static var segmentType: SegmentValueType { .int64 } }

/// Where one block lies in the file and what it holds.
public struct SegmentBlock: Sendable, Equatable {
    /// Byte offset of the compressed block from the start of the file.
    public var offset: Int
    /// Compressed (stored) bytes.
    public var storedLength: Int
    /// Values in the block (decompressed bytes are `values * width`).
    public var values: Int
    /// Checksum of the stored bytes (`SegmentFormat.blockChecksum`).
    public var checksum: UInt32
}

/// One column of a segment file as its footer describes it.
public struct SegmentColumn: Sendable, Equatable {
    public var name: String
    public var type: SegmentValueType
    public var encoding: SegmentEncoding
    public var blocks: [SegmentBlock]

    public var values: Int { blocks.reduce(0) { $0 + $1.values } }
    public var storedBytes: Int { blocks.reduce(0) { $0 + $1.storedLength } }
    public var rawBytes: Int { values * type.width }
}

/// The footer of a segment file: the table it holds and the index of its blocks.
public struct SegmentFooter: Sendable, Equatable {
    public var table: String
    public var rows: Int
    public var columns: [SegmentColumn]

    /// The footer's bytes: table name, row count, then per column its name, type,
    /// encoding and blocks (offset u64, stored length u32, values u32, checksum u32).
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendString(table)
        bytes.appendInteger(UInt64(rows))
        bytes.appendInteger(UInt32(columns.count))
        for column in columns {
            bytes.appendString(column.name)
            bytes.append(column.type.rawValue)
            bytes.append(column.encoding.rawValue)
            bytes.appendInteger(UInt32(column.blocks.count))
            for block in column.blocks {
                bytes.appendInteger(UInt64(block.offset))
                bytes.appendInteger(UInt32(block.storedLength))
                bytes.appendInteger(UInt32(block.values))
                bytes.appendInteger(block.checksum)
            }
        }
        return bytes
    }

    /// Parses the footer bytes of a file of format `version`, checking every count
    /// against the bytes left so that no corrupt count leads to a large allocation.
    /// `fail` turns a problem, and the column it is in when known, into the error the
    /// caller throws (it knows the file).
    static func decode(
        _ bytes: [UInt8], version: UInt32, fail: (SegmentError.Problem, _ column: String?) -> SegmentError
    ) throws(SegmentError) -> SegmentFooter {
        var reader = FooterReader(bytes: bytes)
        guard let table = reader.string(), let rows = reader.integer(UInt64.self), rows <= UInt64(Int32.max),
              let columnCount = reader.integer(UInt32.self), Int(columnCount) <= reader.remaining / 8
        else { throw fail(.malformedFooter("table header"), nil) }
        var columns: [SegmentColumn] = []
        for index in 0..<Int(columnCount) {
            guard let name = reader.string(), let typeCode = reader.integer(UInt8.self),
                  let encodingCode = reader.integer(UInt8.self), let blockCount = reader.integer(UInt32.self),
                  Int(blockCount) <= reader.remaining / 20
            else { throw fail(.malformedFooter("column \(index)"), nil) }
            guard let type = SegmentValueType(rawValue: typeCode) else {
                throw fail(.malformedFooter("column \(name): unknown type \(typeCode)"), nil)
            }
            // Version 1 had no raw encoding: its code is unknown there.
            guard let encoding = SegmentEncoding(rawValue: encodingCode), encoding != .raw || version >= 2 else {
                throw fail(.unknownEncoding(encodingCode), name)
            }
            // The delta decoder writes 8-byte values: any other width would overrun.
            guard encoding != .deltaShuffled || type == .int64 else {
                throw fail(.malformedFooter("column \(name): delta encoding of \(type) values"), nil)
            }
            var blocks: [SegmentBlock] = []
            blocks.reserveCapacity(Int(blockCount))
            for _ in 0..<Int(blockCount) {
                guard let offset = reader.integer(UInt64.self), offset <= UInt64(Int.max / 2),
                      let length = reader.integer(UInt32.self), let values = reader.integer(UInt32.self),
                      let checksum = reader.integer(UInt32.self)
                else { throw fail(.malformedFooter("column \(name): block index"), nil) }
                blocks.append(SegmentBlock(offset: Int(offset), storedLength: Int(length), values: Int(values), checksum: checksum))
            }
            columns.append(SegmentColumn(name: name, type: type, encoding: encoding, blocks: blocks))
        }
        guard reader.remaining == 0 else { throw fail(.malformedFooter("\(reader.remaining) bytes after the last column"), nil) }
        return SegmentFooter(table: table, rows: Int(rows), columns: columns)
    }
}

/// Reads little-endian values from footer bytes; nil once the bytes run out.
private struct FooterReader {
    let bytes: [UInt8]
    var offset = 0
    var remaining: Int { bytes.count - offset }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard remaining >= MemoryLayout<T>.size else { return nil }
        var value: T = 0
        for byte in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + byte]) << (8 * byte) }
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func string() -> String? {
        guard let length = integer(UInt16.self), remaining >= Int(length) else { return nil }
        defer { offset += Int(length) }
        return String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
    }
}

extension [UInt8] {
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendString(_ text: String) {
        appendInteger(UInt16(text.utf8.count))
        append(contentsOf: text.utf8)
    }
}

/// The values a column may hold: `lower...upper`, or the sentinel of a missing value.
/// Readers check every decoded block against it, so an id never points past its
/// dictionary and an enum code never past its cases, whatever the file says.
public struct ValueRule: Sendable, Equatable {
    public var lower: Int64
    public var upper: Int64
    public var sentinel: Int64?

    public init(_ range: ClosedRange<Int64>, orMissing sentinel: Int64? = nil) {
        lower = range.lowerBound
        upper = range.upperBound
        self.sentinel = sentinel
    }

    /// Any value of the type.
    public static let any = ValueRule(.min ... .max)

    /// An id of a dictionary with `count` keys, or `IdDictionary.absent` (the only value
    /// of an empty dictionary's column).
    public static func id(below count: Int) -> ValueRule {
        let absent = Int64(IdDictionary.absent)
        return count == 0 ? ValueRule(absent...absent) : ValueRule(0...Int64(count) - 1, orMissing: absent)
    }

    /// The raw value of an enum with `count` cases.
    public static func code(below count: Int) -> ValueRule { ValueRule(0...Int64(count) - 1) }

    /// The position of the first value outside the rule, nil when all comply: a plain
    /// search (readers count failures with `ValueCheck` while they decode, and search
    /// only to name the first one).
    func firstViolation<T: SegmentValue>(_ values: UnsafeBufferPointer<T>) -> Int? {
        let span = UInt64(bitPattern: upper &- lower)
        let missing = sentinel ?? lower
        return values.firstIndex { value in
            let x = Int64(truncatingIfNeeded: value)
            return UInt64(bitPattern: x &- lower) > span && x != missing
        }
    }
}
