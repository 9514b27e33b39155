import Columnar

/// Parses one field's bytes into the fixed-width value of a schema type (`SCHEMA.md`):
/// money to cents, times to Unix seconds, integers, 0/1 flags and lower-case enums,
/// straight from the bytes, without a `String` or floating point.
///
/// Every function sees a non-empty field (empty fields are handled by the reader) and
/// either returns the exact value or throws the `ValueProblem`; none guesses.
public enum FieldParser {
    /// The longest id the schema allows, in bytes.
    public static let maxIDBytes = 128

    /// Interns an id (any non-empty string of at most `maxIDBytes` bytes).
    @inline(__always)
    public static func id(_ bytes: UnsafeRawBufferPointer, in dictionary: inout IdDictionary) throws(ValueProblem) -> UInt32 {
        guard bytes.count <= maxIDBytes else { throw .idTooLong }
        return dictionary.intern(bytes)
    }

    /// `19.9`, `19.90`, `20` -> cents. At most 2 fraction digits and 15 integer digits.
    public static func moneyCents(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> Int64 {
        if bytes[0] == UInt8(ascii: "-") { throw .negativeMoney }
        var cents: Int64 = 0
        var index = 0
        let count = bytes.count
        while index < count, bytes[index] &- 48 < 10 {
            cents = cents &* 10 &+ Int64(bytes[index] &- 48)
            index &+= 1
        }
        guard index > 0, index <= 15 else { throw .notMoney }
        cents &*= 100
        if index == count { return cents }
        guard bytes[index] == UInt8(ascii: "."), count - index - 1 >= 1, count - index - 1 <= 2 else {
            throw .notMoney
        }
        let first = bytes[index &+ 1] &- 48
        guard first < 10 else { throw .notMoney }
        cents &+= Int64(first) &* 10
        if count - index - 1 == 2 {
            let second = bytes[index &+ 2] &- 48
            guard second < 10 else { throw .notMoney }
            cents &+= Int64(second)
        }
        return cents
    }

    /// A non-negative decimal integer within `range`.
    public static func integer(_ bytes: UnsafeRawBufferPointer, in range: ClosedRange<Int64>) throws(ValueProblem) -> Int64 {
        let value = try digits(bytes, negativeAllowed: range.lowerBound < 0)
        guard range.contains(value) else { throw .outOfRange(range) }
        return value
    }

    /// `0` or `1`.
    public static func flag(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> UInt8 {
        guard bytes.count == 1, bytes[0] &- 48 < 2 else { throw .notFlag }
        return bytes[0] &- 48
    }

    /// A point in time as Unix seconds: `2026-11-01T08:15:00Z`, `2026-11-01T16:15:00+08:00`,
    /// `2026-11-01 08:15:00` (UTC, with `T` or a space, no zone) or integer Unix seconds.
    public static func time(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> Int64 {
        if bytes.count < 19 || bytes[4] != UInt8(ascii: "-") {
            do { return try digits(bytes, negativeAllowed: true) } catch { throw .notTime }
        }
        guard bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { throw .notTime }
        let year = try twoDigits(bytes, 0) * 100 + twoDigits(bytes, 2)
        let month = try twoDigits(bytes, 5), day = try twoDigits(bytes, 8)
        let hour = try twoDigits(bytes, 11), minute = try twoDigits(bytes, 14), second = try twoDigits(bytes, 17)
        guard (1...12).contains(month), day >= 1, day <= UnixTime.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { throw .notTime }
        var offset: Int64 = 0
        if bytes.count == 20 {
            guard bytes[19] == UInt8(ascii: "Z") else { throw .notTime }
        } else if bytes.count == 25 {
            let sign = bytes[19]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), bytes[22] == UInt8(ascii: ":") else {
                throw .notTime
            }
            let offsetHours = try twoDigits(bytes, 20), offsetMinutes = try twoDigits(bytes, 23)
            guard offsetHours < 24, offsetMinutes < 60 else { throw .notTime }
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        } else if bytes.count != 19 {
            throw .notTime
        }
        let days = UnixTime.daysFromCivil(year: year, month: month, day: day)
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// Two ASCII digits at `offset` as a number.
    static func twoDigits(_ bytes: UnsafeRawBufferPointer, _ offset: Int) throws(ValueProblem) -> Int64 {
        let tens = bytes[offset] &- 48, ones = bytes[offset &+ 1] &- 48
        guard tens < 10, ones < 10 else { throw .notTime }
        return Int64(tens) * 10 + Int64(ones)
    }

    /// A decimal integer of at most 18 digits, with a leading `-` when allowed.
    static func digits(_ bytes: UnsafeRawBufferPointer, negativeAllowed: Bool) throws(ValueProblem) -> Int64 {
        let negative = negativeAllowed && bytes[0] == UInt8(ascii: "-")
        let start = negative ? 1 : 0
        guard bytes.count > start, bytes.count - start <= 18 else { throw .notInteger }
        var value: Int64 = 0
        for index in start..<bytes.count {
            let digit = bytes[index] &- 48
            guard digit < 10 else { throw .notInteger }
            value = value &* 10 &+ Int64(digit)
        }
        return negative ? -value : value
    }
}

/// Lower-case names of an enum's cases as bytes, for matching fields without a
/// `String`; the raw value of a case is its position in `allCases`.
struct Vocabulary: Sendable {
    let names: [[UInt8]]
    let listing: String

    init(_ names: [String]) {
        self.names = names.map { Array($0.utf8) }
        listing = names.joined(separator: ", ")
    }

    /// The position of the name equal to `bytes`.
    func index(of bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> UInt8 {
        for (index, name) in names.enumerated() where name.count == bytes.count {
            if name.withUnsafeBytes({ $0.elementsEqual(bytes) }) { return UInt8(index) }
        }
        throw .notOneOf(listing)
    }
}
