import Columnar
import Ingest
import Testing

@Suite struct FieldParserTests {
    private func parse<T>(_ text: String, _ parser: (UnsafeRawBufferPointer) throws(ValueProblem) -> T) -> Result<T, ValueProblem> {
        Array(text.utf8).withUnsafeBytes { bytes in
            do throws(ValueProblem) { return .success(try parser(bytes)) } catch { return .failure(error) }
        }
    }

    @Test(arguments: [("19.9", 1990), ("19.90", 1990), ("20", 2000), ("0", 0), ("0.05", 5), ("123456789012345.99", 12_345_678_901_234_599)])
    func moneyIsExactCents(text: String, cents: Int64) {
        #expect(parse(text, FieldParser.moneyCents) == .success(cents))
    }

    @Test(arguments: ["12.345", "1.", ".5", "1,5", "1e3", "abc", "+1", "1234567890123456", "1.2x", " 1"])
    func malformedMoneyIsRejected(text: String) {
        #expect(parse(text, FieldParser.moneyCents) == .failure(.notMoney))
    }

    /// A `DECIMAL(p,4)` column prints `19.9000`: zeros past the cents say nothing more.
    @Test func moneyMayCarryZerosPastTheCents() {
        #expect(parse("19.9000", FieldParser.moneyCents) == .success(1990))
        #expect(parse("20.0000", FieldParser.moneyCents) == .success(2000))
        #expect(parse("0.0500", FieldParser.moneyCents) == .success(5))
        // Three fraction digits may be a thousands group (`2.000` for 2000): refused.
        #expect(parse("20.000", FieldParser.moneyCents) == .failure(.notMoney))
        #expect(parse("0.050", FieldParser.moneyCents) == .failure(.notMoney))
        for text in ["19.905", "19.9001", "19.90x0", "19.0a0"] {
            #expect(parse(text, FieldParser.moneyCents) == .failure(.notMoney), "\(text)")
        }
    }

    @Test func negativeMoneyIsAnError() {
        #expect(parse("-1.00", FieldParser.moneyCents) == .failure(.negativeMoney))
    }

    @Test(arguments: [
        ("2026-11-01T08:15:00Z", 1_793_520_900), ("2026-11-01T16:15:00+08:00", 1_793_520_900),
        ("2026-11-01 08:15:00", 1_793_520_900), ("2026-11-01T08:15:00", 1_793_520_900),
        ("2026-11-01T03:15:00-05:00", 1_793_520_900), ("1793520900", 1_793_520_900),
        ("1970-01-01T00:00:00Z", 0), ("2024-02-29T23:59:59Z", 1_709_251_199), ("-86400", -86_400),
        ("2026-11-01T08:15:00.5Z", 1_793_520_900), ("2026-11-01T08:15:00,999999999Z", 1_793_520_900),
        ("2026-11-01T16:15:00.250+08:00", 1_793_520_900), ("2026-11-01T16:15:00+0800", 1_793_520_900),
        ("2026-11-01T16:15:00+08", 1_793_520_900), ("2026-11-01t08:15:00z", 1_793_520_900),
        ("2026-11-01 08:15:00.123456", 1_793_520_900), ("2026-11-01T02:45:00-0530", 1_793_520_900),
        ("253402300799", 253_402_300_799), ("2026-11-01T08:15", 1_793_520_900), ("2026-11-01T16:15+08:00", 1_793_520_900),
        ("2026-11-01 08:15Z", 1_793_520_900), ("2026-11-01T02:45-0530", 1_793_520_900),
    ])
    func timesInEveryForm(text: String, seconds: Int64) {
        #expect(parse(text, FieldParser.time) == .success(seconds))
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T08:60:00Z",
        "2026-11-01X08:15:00Z", "2026/11/01 08:15:00", "yesterday", "12a", "2026-11-01",
        "2026-11-01T08:15:00+25:00", "2026-11-01T08:15:00.Z", "2026-11-01T08:15:00.1234567890Z",
        "2026-11-01T08:15:00+8", "2026-11-01T08:15:00+08:0", "2026-11-01T08:15:00+080", "2026-11-01T08:15:00+08-00",
        "2026-11-01T08:15:00ZZ", "2026-11-01T08:15:00.5x", "2026-11-01T08:1", "2026-11-01T08:15:00 Z",
        "2026-11-01T08:15:0", "2026-11-01T08:15.5Z", "2026-11-01T08:15 +08:00", "2026-11-01T08:60", "2026-11-01T08:15:",
    ])
    func malformedTimesAreRejected(text: String) {
        #expect(parse(text, FieldParser.time) == .failure(.notTime))
    }

    /// Milliseconds since 1970 (13 digits) would otherwise read as a date 50,000 years away.
    @Test(arguments: ["1793520900000", "253402300800", "-62135596801"])
    func unixSecondsOutsideTheIsoYearsAreRejected(text: String) {
        #expect(parse(text, FieldParser.time) == .failure(.timeOutOfRange))
    }

    /// Unix seconds as a writer that holds them as floating point prints them
    /// (`1793520900.0`, or with the milliseconds): the second the instant falls in.
    @Test(arguments: [
        ("1793520900.0", 1_793_520_900), ("1793520900.999", 1_793_520_900), ("1793520900.123456789", 1_793_520_900),
        ("-86400.0", -86_400), ("-86400.5", -86_401), ("-0.5", -1), ("0.000", 0),
    ])
    func unixSecondsWithAFraction(text: String, seconds: Int64) {
        #expect(parse(text, FieldParser.time) == .success(seconds))
    }

    @Test(arguments: ["1793520900.", "1793520900.1234567890", ".5", "1793520900.5.5", "1793520900.-5", "+1793520900", "1.7935209e9", "-.5"])
    func malformedUnixSecondsAreRejected(text: String) {
        #expect(parse(text, FieldParser.time) == .failure(.notTime))
    }

    /// pandas prints an integer column with empty values as floating point (`12.0`).
    @Test func integersAndFlagsMayCarryAFractionOfZeros() {
        func count(_ text: String) -> Result<Int64, ValueProblem> {
            parse(text) { (b) throws(ValueProblem) in try FieldParser.integer(b, in: 0...1000) }
        }
        #expect(count("12.0") == .success(12))
        #expect(count("0.00") == .success(0))
        #expect(count("100") == .success(100))
        #expect(count("1000.0") == .success(1000))
        #expect(count("1001.0") == .failure(.outOfRange(0...1000)))
        for text in ["12.5", "12.", ".0", "12.0.0", "1e1", "12.01"] { #expect(count(text) == .failure(.notInteger), "\(text)") }
        // `1.000` is a thousand where `.` groups thousands: three fraction digits are refused.
        #expect(count("1.000") == .failure(.notInteger))
        #expect(count("1.0000") == .success(1))
        #expect(parse("1.000", FieldParser.flag) == .failure(.notFlag))
        #expect(parse("1.0", FieldParser.flag) == .success(1))
        #expect(parse("0.00", FieldParser.flag) == .success(0))
        #expect(parse("1.5", FieldParser.flag) == .failure(.notFlag))
        #expect(parse("10.0", FieldParser.flag) == .failure(.notFlag))
    }

    @Test func daysFromCivilAgreesWithCivilFromDaysOverFourCenturies() {
        for days in stride(from: Int64(-146_097), through: 146_097 * 2, by: 7) {
            let date = UnixTime.civilFromDays(days)
            #expect(UnixTime.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(UnixTime.iso8601(1_793_520_900) == "2026-11-01T08:15:00Z")
    }

    @Test func integersRespectTheirRange() {
        #expect(parse("5") { (b) throws(ValueProblem) in try FieldParser.integer(b, in: 1...5) } == .success(5))
        #expect(parse("0") { (b) throws(ValueProblem) in try FieldParser.integer(b, in: 1...5) } == .failure(.outOfRange(1...5)))
        #expect(parse("-3") { (b) throws(ValueProblem) in try FieldParser.integer(b, in: 0...9) } == .failure(.notInteger))
        #expect(parse("4.5") { (b) throws(ValueProblem) in try FieldParser.integer(b, in: 1...5) } == .failure(.notInteger))
    }

    @Test func flagsAreZeroOrOne() {
        #expect(parse("0", FieldParser.flag) == .success(0))
        #expect(parse("1", FieldParser.flag) == .success(1))
        #expect(parse("2", FieldParser.flag) == .failure(.notFlag))
        #expect(parse("true", FieldParser.flag) == .failure(.notFlag))
    }
}
