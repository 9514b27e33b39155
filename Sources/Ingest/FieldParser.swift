import CFraming
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

    /// `19.9`, `19.90`, `20` -> cents. At most 2 fraction digits and 15 integer digits;
    /// further fraction digits only when all are `0` (`19.9000`, as a `DECIMAL(p,4)`
    /// column prints), since they say nothing a cent does not, and never exactly three:
    /// `2.000` is 2000 where `.` groups thousands, so its meaning is not sure.
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
        let fractionDigits = count - index - 1
        guard bytes[index] == UInt8(ascii: "."), fractionDigits >= 1, fractionDigits != 3,
            fractionDigits <= 2 || onlyZeros(bytes, from: index &+ 3)
        else {
            throw .notMoney
        }
        let first = bytes[index &+ 1] &- 48
        guard first < 10 else { throw .notMoney }
        cents &+= Int64(first) &* 10
        if fractionDigits >= 2 {
            let second = bytes[index &+ 2] &- 48
            guard second < 10 else { throw .notMoney }
            cents &+= Int64(second)
        }
        return cents
    }

    /// A non-negative decimal integer within `range`; also written with a fraction of
    /// zeros (`5.0`: what a writer prints for an integer column it holds as floating
    /// point, as pandas does for a column with empty values).
    public static func integer(_ bytes: UnsafeRawBufferPointer, in range: ClosedRange<Int64>) throws(ValueProblem) -> Int64 {
        let negativeAllowed = range.lowerBound < 0
        let value: Int64
        do { value = try digits(bytes, negativeAllowed: negativeAllowed) } catch {
            value = try digits(wholeNumber(bytes), negativeAllowed: negativeAllowed)
        }
        guard range.contains(value) else { throw .outOfRange(range) }
        return value
    }

    /// `0` or `1` (also `0.0`, `1.0`, as `integer`).
    public static func flag(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> UInt8 {
        if bytes.count == 1, bytes[0] &- 48 < 2 { return bytes[0] &- 48 }
        let whole = wholeNumber(bytes)
        guard whole.count == 1, whole[0] &- 48 < 2 else { throw .notFlag }
        return whole[0] &- 48
    }

    /// `bytes` without a fraction of zeros (`.0`, `.00`, `.0000`, ...: not three, which
    /// `1.000` for a thousand would have) that ends them after at least one other byte;
    /// else `bytes` as they are.
    static func wholeNumber(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let count = bytes.count
        guard count >= 3, bytes[count &- 1] == UInt8(ascii: "0") else { return bytes }
        var point = count &- 1
        while point > 0, bytes[point] == UInt8(ascii: "0") { point &-= 1 }
        guard point > 0, bytes[point] == UInt8(ascii: "."), count &- point &- 1 != 3 else { return bytes }
        return UnsafeRawBufferPointer(rebasing: bytes[..<point])
    }

    /// Whether every byte from `start` on is `0`.
    private static func onlyZeros(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        for index in start..<bytes.count where bytes[index] != UInt8(ascii: "0") { return false }
        return true
    }

    /// A point in time as Unix seconds: `2026-11-01T08:15:00Z`, `2026-11-01T16:15:00+08:00`,
    /// `2026-11-01 08:15:00` (UTC, with `T` or a space, no zone) or Unix seconds (also
    /// with a fraction); also the other ISO 8601 spellings `timeCarefully` names.
    @inline(__always)
    public static func time(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> Int64 {
        if let seconds = isoTime(bytes) { return seconds }
        return try timeCarefully(bytes)
    }

    /// The fast path of `time` for the three ISO forms (`cw_iso_time`: the date and clock
    /// digits checked and converted 8 bytes at a time). Nil for anything else (Unix
    /// seconds, a malformed or out-of-range value, a year 0), which `timeCarefully` then
    /// parses or rejects with the exact problem.
    @inline(__always)
    static func isoTime(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var cache = MonthCache()
        return isoTime(bytes, cache: &cache)
    }

    /// The month of the previous ISO value of one time column (`cw_month_cache`): values
    /// of a column mostly share the month, so the date part is then one word compare.
    public struct MonthCache: Sendable {
        var state = cw_month_cache()
        public init() {}
    }

    /// `time` for a column: the ISO fast path reuses the month of the column's previous
    /// value (`cache`), so only the day, clock and zone are converted.
    @inline(__always)
    public static func time(_ bytes: UnsafeRawBufferPointer, cache: inout MonthCache) throws(ValueProblem) -> Int64 {
        if let seconds = isoTime(bytes, cache: &cache) { return seconds }
        return try timeCarefully(bytes)
    }

    /// `isoTime` with the month taken from `cache` when the `YYYY-MM-` word is the
    /// cached one; else the month is validated and converted once and cached.
    @inline(__always)
    static func isoTime(_ bytes: UnsafeRawBufferPointer, cache: inout MonthCache) -> Int64? {
        guard let start = bytes.baseAddress else { return nil }
        var seconds: Int64 = 0
        guard cw_iso_time(start.assumingMemoryBound(to: UInt8.self), bytes.count, &cache.state, &seconds) != 0 else { return nil }
        return seconds
    }

    /// `time` without the fast path: every form, and the exact problem. Besides the
    /// contract's three ISO spellings it takes what ISO 8601 / RFC 3339 writers also emit:
    /// a fraction of a second (`.250`, `,5`; 1-9 digits, dropped), a zone as `+HHMM` or
    /// `+HH`, `t` / `z` in lower case, and a whole minute without its seconds. Unix seconds must fall in years 1-9999, so
    /// milliseconds are refused rather than read as a date 50,000 years away; they may
    /// carry a fraction (`1793520900.0`, `1793520900.25`: 1-9 digits), which is dropped
    /// as an ISO value's is (the second it falls in).
    static func timeCarefully(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> Int64 {
        let count = bytes.count
        if count < 16 || bytes[4] != UInt8(ascii: "-") {
            let seconds: Int64
            do { seconds = try digits(bytes, negativeAllowed: true) } catch { seconds = try unixSecondsWithFraction(bytes) }
            guard UnixTime.isoRange.contains(seconds) else { throw .timeOutOfRange }
            return seconds
        }
        let separator = bytes[10]
        guard bytes[7] == UInt8(ascii: "-"),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":")
        else { throw .notTime }
        // Whole minutes may come without seconds (`2026-11-01T08:15+08:00`, as Java's
        // `LocalDateTime` and `OffsetDateTime` print them); then no fraction follows.
        let hasSeconds = count >= 19 && bytes[16] == UInt8(ascii: ":")
        var zoneStart = hasSeconds ? 19 : 16
        if hasSeconds, zoneStart < count, bytes[zoneStart] == UInt8(ascii: ".") || bytes[zoneStart] == UInt8(ascii: ",") {
            zoneStart += 1
            while zoneStart < count, bytes[zoneStart] &- 48 < 10 { zoneStart += 1 }
            guard (21...29).contains(zoneStart) else { throw .notTime }
        }
        let offset = try isoZoneOffsetCarefully(bytes, from: zoneStart)
        let d = (
            bytes[0] &- 48, bytes[1] &- 48, bytes[2] &- 48, bytes[3] &- 48, bytes[5] &- 48, bytes[6] &- 48,
            bytes[8] &- 48, bytes[9] &- 48, bytes[11] &- 48, bytes[12] &- 48, bytes[14] &- 48, bytes[15] &- 48,
            hasSeconds ? bytes[17] &- 48 : 0, hasSeconds ? bytes[18] &- 48 : 0)
        // One branch for all 14 digit positions: a byte that is not a digit is >= 10.
        let notDigit = (d.0 > 9) || (d.1 > 9) || (d.2 > 9) || (d.3 > 9) || (d.4 > 9) || (d.5 > 9) || (d.6 > 9)
            || (d.7 > 9) || (d.8 > 9) || (d.9 > 9) || (d.10 > 9) || (d.11 > 9) || (d.12 > 9) || (d.13 > 9)
        guard !notDigit else { throw .notTime }
        let year = Int64(d.0) * 1000 + Int64(d.1) * 100 + Int64(d.2) * 10 + Int64(d.3)
        let month = Int64(d.4) * 10 + Int64(d.5), day = Int64(d.6) * 10 + Int64(d.7)
        let hour = Int64(d.8) * 10 + Int64(d.9), minute = Int64(d.10) * 10 + Int64(d.11)
        let second = Int64(d.12) * 10 + Int64(d.13)
        guard month >= 1, month <= 12, day >= 1, day <= UnixTime.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { throw .notTime }
        let days = UnixTime.daysFromCivil(year: year, month: month, day: day)
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// Unix seconds with a fraction of 1-9 digits, as the second the instant falls in
    /// (before 1970, the one below the whole part).
    private static func unixSecondsWithFraction(_ bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> Int64 {
        var point = 0
        while point < bytes.count, bytes[point] != UInt8(ascii: ".") { point += 1 }
        guard point > 0, (1...9).contains(bytes.count - point - 1) else { throw .notTime }
        do {
            let seconds = try digits(UnsafeRawBufferPointer(rebasing: bytes[..<point]), negativeAllowed: true)
            let fraction = try digits(UnsafeRawBufferPointer(rebasing: bytes[(point + 1)...]), negativeAllowed: false)
            return fraction > 0 && bytes[0] == UInt8(ascii: "-") ? seconds - 1 : seconds
        } catch { throw .notTime }
    }

    /// The zone that ends an ISO value from `start` on, as seconds east of UTC: nothing
    /// (UTC), `Z` or `z`, or a sign with `HH:MM`, `HHMM` or `HH`.
    private static func isoZoneOffsetCarefully(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(ValueProblem) -> Int64 {
        let length = bytes.count - start
        if length == 0 { return 0 }
        let sign = bytes[start]
        if length == 1 {
            guard sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") else { throw .notTime }
            return 0
        }
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), length == 3 || length == 5 || length == 6,
            length != 6 || bytes[start + 3] == UInt8(ascii: ":")
        else { throw .notTime }
        let minutesAt = length == 6 ? start + 4 : start + 3
        let digits = length == 3
            ? (bytes[start + 1] &- 48, bytes[start + 2] &- 48, UInt8(0), UInt8(0))
            : (bytes[start + 1] &- 48, bytes[start + 2] &- 48, bytes[minutesAt] &- 48, bytes[minutesAt + 1] &- 48)
        guard digits.0 < 10, digits.1 < 10, digits.2 < 10, digits.3 < 10 else { throw .notTime }
        let hours = Int64(digits.0) * 10 + Int64(digits.1), minutes = Int64(digits.2) * 10 + Int64(digits.3)
        guard hours < 24, minutes < 60 else { throw .notTime }
        return (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
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

/// Lower-case names of an enum's cases, for matching fields without a `String`; the
/// raw value of a case is its position in `allCases`. Each name is kept as two words:
/// its first 7 bytes with its length in the top byte, and its bytes 7 to 14; a field is
/// matched by comparing both (names longer than 15 bytes are then compared whole).
struct Vocabulary: Sendable {
    /// Each name's head and tail, side by side, in name order.
    private let words: [UInt64]
    private let names: [[UInt8]]
    let listing: String

    init(_ names: [String]) {
        self.names = names.map { Array($0.utf8) }
        words = self.names.flatMap { name -> [UInt64] in
            let (head, tail) = name.withUnsafeBytes { Self.words($0) }
            return [head, tail]
        }
        listing = names.joined(separator: ", ")
    }

    /// The first 7 bytes (zero padded) with the length in the top byte, and bytes 7 to
    /// 14 (zero padded), read with a few overlapping loads inside the bytes.
    @inline(__always)
    static func words(_ bytes: UnsafeRawBufferPointer) -> (head: UInt64, tail: UInt64) {
        let count = bytes.count
        let length = UInt64(min(count, 255)) << 56
        if count >= 8 {
            let head = bytes.loadUnaligned(as: UInt64.self) & 0x00FF_FFFF_FFFF_FFFF
            let tail = count >= 15
                ? bytes.loadUnaligned(fromByteOffset: 7, as: UInt64.self)
                : bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self) >> (UInt64(15 &- count) &* 8)
            return (UInt64(littleEndian: head) | length, UInt64(littleEndian: tail))
        }
        if count >= 4 {
            let low = UInt64(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)))
            return (low | high << (UInt64(count &- 4) &* 8) | length, 0)
        }
        var head = length
        for index in 0..<count { head |= UInt64(bytes[index]) << (8 &* UInt64(index)) }
        return (head, 0)
    }

    /// Whether two byte runs of the same length are equal.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        for index in 0..<a.count where a[index] != b[index] { return false }
        return true
    }

    /// The position of the name equal to `bytes`.
    func index(of bytes: UnsafeRawBufferPointer) throws(ValueProblem) -> UInt8 {
        let (head, tail) = Self.words(bytes)
        let found = words.withUnsafeBufferPointer { words -> Int? in
            var index = 0
            while index &* 2 < words.count {
                if words[index &* 2] == head && words[index &* 2 &+ 1] == tail
                    && (bytes.count <= 15 || names[index].withUnsafeBytes({ Self.equal($0, bytes) }))
                {
                    return index
                }
                index &+= 1
            }
            return nil
        }
        if let found { return UInt8(truncatingIfNeeded: found) }
        throw .notOneOf(listing)
    }
}
