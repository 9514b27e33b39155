/// Why a `.cwseg` file cannot be read, and where: the file, the table, the column and the
/// block (when the problem is inside one). Its description is the message a user sees,
/// e.g. `orders.cwseg: table orders, column created_at, block 3: checksum mismatch`.
public struct SegmentError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var table: String
    public var column: String?
    public var block: Int?
    public var problem: Problem

    public init(file: String, table: String, column: String? = nil, block: Int? = nil, problem: Problem) {
        self.file = file
        self.table = table
        self.column = column
        self.block = block
        self.problem = problem
    }

    public var description: String { "\(file): \(detail)" }

    /// The description without the file name: table, column, block and problem.
    public var detail: String {
        var text = "table \(table)"
        if let column { text += ", column \(column)" }
        if let block { text += ", block \(block)" }
        return text + ": \(problem)"
    }

    /// What is wrong; the description is the user-facing wording.
    public enum Problem: Equatable, CustomStringConvertible, Sendable {
        case truncated(size: Int)
        case badMagic
        case unsupportedVersion(UInt32)
        case badHeader
        case badTrailer
        case footerOutOfBounds
        case footerChecksum(stored: UInt32, computed: UInt32)
        case malformedFooter(String)
        case wrongTable(String)
        case missingColumn
        case wrongType(expected: String, found: String)
        case unknownEncoding(UInt8)
        case blockOutOfBounds(offset: Int, length: Int, limit: Int)
        case implausibleSize(Int)
        case checksum(stored: UInt32, computed: UInt32)
        case decompression(expected: Int, produced: Int)
        case rawLength(expected: Int, stored: Int)
        case wrongRowCount(expected: Int, found: Int)
        case valueOutOfRange(row: Int, value: Int64, limit: Int)
        case dictionaryMismatch(String)

        public var description: String {
            switch self {
            case .truncated(let size): "truncated file (\(size) bytes)"
            case .badMagic: "not a CreditWatch segment file (bad magic)"
            case .unsupportedVersion(let version): "unsupported format version \(version) (this build reads \(SegmentFormat.readableVersions.lowerBound) to \(SegmentFormat.readableVersions.upperBound))"
            case .badHeader: "reserved header bytes are not zero"
            case .badTrailer: "no segment trailer at the end (truncated or not a segment file)"
            case .footerOutOfBounds: "footer offset or length points outside the file"
            case .footerChecksum(let stored, let computed): "footer checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))"
            case .malformedFooter(let reason): "malformed footer: \(reason)"
            case .wrongTable(let found): "file holds table \"\(found)\""
            case .missingColumn: "column missing"
            case .wrongType(let expected, let found): "column type \(found), expected \(expected)"
            case .unknownEncoding(let code): "unknown encoding \(code)"
            case .blockOutOfBounds(let offset, let length, let limit):
                "block at \(offset) with length \(length) ends past the data region (\(limit) bytes)"
            case .implausibleSize(let values): "implausible block of \(values) values"
            case .checksum(let stored, let computed): "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))"
            case .decompression(let expected, let produced):
                "LZ4 block decompressed to \(produced) bytes, expected \(expected)"
            case .rawLength(let expected, let stored): "raw block of \(stored) bytes, expected \(expected)"
            case .wrongRowCount(let expected, let found): "\(found) values, expected \(expected)"
            case .valueOutOfRange(let row, let value, let limit): "row \(row): value \(value) out of range (limit \(limit))"
            case .dictionaryMismatch(let reason): "dictionary does not match: \(reason)"
            }
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
