import Columnar

/// Why an export could not be loaded, and where: the file, the physical line where the
/// record starts, the column (header name and 1-based index) and the offending value.
///
/// Its description is the message a user sees, e.g.
/// `orders.csv:12:5 (amount): not a money amount: "12.345"`.
public struct IngestError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file as named in the export folder (`orders.csv`, `ratings.csv.lz4`).
    public var file: String
    /// 1-based physical line where the record starts; nil for whole-file problems.
    public var line: Int?
    /// The column, when the problem is in one field.
    public var column: ColumnSite?
    /// The offending value, cut to `IngestError.valueLimit` bytes.
    public var value: String?
    public var problem: Problem

    /// The longest value an error quotes, in bytes.
    public static let valueLimit = 80

    public init(file: String, line: Int? = nil, column: ColumnSite? = nil, value: String? = nil, problem: Problem) {
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.problem = problem
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let column { text += ":\(column.index) (\(column.name))" }
        text += ": \(problem)"
        if let value { text += ": \"\(value)\"" }
        return text
    }

    /// What is wrong; the description is the user-facing wording.
    public enum Problem: Equatable, CustomStringConvertible, Sendable {
        case missingFile
        case ambiguousFile(String)
        case unreadable(String)
        case noHeader
        case missingColumn(String)
        /// Two header fields name the column equally well: the column, then each field's
        /// number (1-based) and its name as written, so the reader sees which collide.
        case duplicateColumn(String, firstField: Int, firstName: String, secondField: Int, secondName: String)
        case tooManyColumns(Int)
        case truncatedLZ4
        case corruptLZ4(String)
        case lineTooLong(Int)
        case unterminatedQuote
        case quoteInUnquotedField
        case textAfterClosingQuote
        case bareCarriageReturn
        case wrongFieldCount(expected: Int, found: Int)
        case invalidUTF8
        case value(ValueProblem)
        case segment(SegmentError)

        public var description: String {
            switch self {
            case .missingFile: "required file missing"
            case .ambiguousFile(let other): "both this file and \(other) are present"
            case .unreadable(let reason): "cannot read: \(reason)"
            case .noHeader: "empty file: no header line"
            case .missingColumn(let name): "missing required column \"\(name)\""
            case .duplicateColumn(let name, let firstField, let firstName, let secondField, let secondName):
                "column \"\(name)\" named twice: field \(firstField) \"\(firstName)\" and field \(secondField) \"\(secondName)\""
            case .tooManyColumns(let limit): "more than \(limit) columns"
            case .truncatedLZ4: "truncated LZ4 frame"
            case .corruptLZ4(let reason): "corrupt LZ4 frame: \(reason)"
            case .lineTooLong(let limit): "line longer than \(limit) bytes"
            case .unterminatedQuote: "unterminated quoted field at end of file"
            case .quoteInUnquotedField: "quote inside an unquoted field"
            case .textAfterClosingQuote: "text after a closing quote"
            case .bareCarriageReturn: "carriage return without line feed"
            case .wrongFieldCount(let expected, let found): "expected \(expected) fields, found \(found)"
            case .invalidUTF8: "not valid UTF-8"
            case .value(let problem): problem.description
            case .segment(let error): error.detail
            }
        }
    }
}

/// A column of a CSV file as a user sees it: its header name and 1-based position.
public struct ColumnSite: Equatable, Sendable {
    public var name: String
    public var index: Int

    public init(name: String, index: Int) {
        self.name = name
        self.index = index
    }
}

/// Why one field's value is not of its column's type; the reader adds file, line,
/// column and value to make an `IngestError`.
public enum ValueProblem: Error, Equatable, CustomStringConvertible, Sendable {
    case missingValue
    case idTooLong
    case notMoney
    case negativeMoney
    case notTime
    case timeOutOfRange
    case notInteger
    case outOfRange(ClosedRange<Int64>)
    case notFlag
    case notOneOf(String)
    case duplicateOrder
    case notNumber
    case outsideScale(String)

    public var description: String {
        switch self {
        case .missingValue: "missing required value"
        case .idTooLong: "id longer than \(FieldParser.maxIDBytes) bytes"
        case .notMoney: "not a money amount"
        case .negativeMoney: "negative money amount"
        case .notTime: "not a time (ISO 8601 or Unix seconds)"
        case .timeOutOfRange: "Unix seconds outside the years 1-9999 (milliseconds?)"
        case .notInteger: "not an integer"
        case .outOfRange(let range): "out of range \(range.lowerBound)...\(range.upperBound)"
        case .notFlag: "not 0 or 1"
        case .notOneOf(let names): "not one of \(names)"
        case .duplicateOrder: "duplicate order_id"
        case .notNumber: "not a number"
        case .outsideScale(let scale): "outside the rating scale \(scale)"
        }
    }
}

extension IngestError {
    /// The bytes of an offending value as text, cut to `valueLimit` bytes at a
    /// character boundary.
    static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        var end = min(bytes.count, valueLimit)
        if end < bytes.count {
            while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
    }
}
