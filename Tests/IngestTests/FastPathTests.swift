import CFraming
import Columnar
@testable import Ingest
import PropertyBased
import TestSupport
import Testing

/// The fast paths of ingest against the careful code they bypass: the plain-record
/// framing kernels against `CSVScanner.scanRecord`, the SWAR ISO time parser and the time
/// column kernel (`cw_decode_iso_times`, two values at a time with AVX2) against
/// `FieldParser.timeCarefully`.
@Suite struct FastPathTests {
    /// A CSV text of `columns` columns, mostly plain records, now and then a quoted field
    /// (with `""`, a comma or a line feed inside), a blank line, a record with a field
    /// too many or too few, a non-ASCII or invalid UTF-8 byte, a bare `\r`; line ends
    /// mostly `\n` or, for half the seeds, mostly `\r\n`, now and then the other.
    static func csvText(columns: Int, records: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        func rare() -> Bool { Int.random(in: 0..<40, using: &random) == 0 }
        let windowsLines = Bool.random(using: &random)
        var text: [UInt8] = []
        for _ in 0..<records {
            if rare() { text += Array("\n".utf8) }
            let count = rare() ? columns + Int.random(in: -1...1, using: &random) : columns
            for field in 0..<max(count, 1) {
                if field > 0 { text.append(UInt8(ascii: ",")) }
                if rare() {
                    text += Array("\"a\"\"b,\nc\"".utf8)
                    continue
                }
                for _ in 0..<Int.random(in: 0...14, using: &random) {
                    text.append(rare() ? [0xC3, 0xFF, UInt8(ascii: "\r")].randomElement(using: &random)! : UInt8(ascii: "a") + UInt8.random(in: 0..<26, using: &random))
                }
            }
            text += Array((windowsLines != rare() ? "\r\n" : "\n").utf8)
        }
        return text
    }

    /// Frames `text` (cut at `filled`, records starting in `from..<to`) with `kernel`:
    /// rows with their lines and values (unquoted), where and why framing stopped.
    static func frame(_ text: [UInt8], columns: Int, from: Int, to: Int, filled: Int, atEnd: Bool,
                      kernel: PlainRecordKernel) -> String {
        var bytes = text
        return bytes.withUnsafeMutableBytes { buffer in
            let records = RecordFrame(columns: columns, kernel: kernel)
            records.frame(buffer, filled: filled, from: from, to: to, atEnd: atEnd, maxLineBytes: 90)
            records.unquote(buffer)
            var description = "rows \(records.rows) lines \(records.lineCount) end \(records.end) stop \(records.stop)\n"
            for row in 0..<records.rows {
                description += "\(records.lines[row]):"
                for field in 0..<columns {
                    description += " [" + String(decoding: records.value(row, field, in: buffer.baseAddress!), as: UTF8.self) + "]"
                }
                description += "\n"
            }
            return description
        }
    }

    /// The AVX2 and the portable kernel frame exactly what `CSVScanner.scanRecord` alone
    /// frames: same rows, values, lines, stop and end, for random texts cut anywhere
    /// (records across the buffer's end, kernel blocks across record and stretch ends).
    @Test func plainRecordKernelsFrameWhatTheCarefulScannerFrames() async {
        await propertyCheck(input: Gen.int(in: 2...5), Gen.int(in: 0...60), Gen.int(in: 0...Int.max), Gen.bool) {
            columns, records, seed, atEnd in
            let text = Self.csvText(columns: columns, records: records, seed: UInt64(seed))
            var random = SeededRandom(seed: UInt64(seed) ^ 0x5EED)
            let filled = atEnd ? text.count : Int.random(in: 0...text.count, using: &random)
            let from = Int.random(in: 0...filled, using: &random)
            let to = Int.random(in: from...filled, using: &random)
            let reference = Self.frame(text, columns: columns, from: from, to: to, filled: filled, atEnd: atEnd, kernel: .none)
            #expect(Self.frame(text, columns: columns, from: from, to: to, filled: filled, atEnd: atEnd, kernel: .portable) == reference)
            #expect(Self.frame(text, columns: columns, from: from, to: to, filled: filled, atEnd: atEnd, kernel: .best) == reference)
        }
    }

    /// On plain records, with `\n` or `\r\n` line ends, the kernels take every record
    /// themselves (so the comparison above compares them, not the careful scanner with
    /// itself), up to `stop`; they say a byte above 0x7F was read exactly when one of the
    /// framed records has one (a byte anywhere in a record, or none in the text).
    @Test func plainRecordKernelsTakeEveryPlainRecord() async {
        await propertyCheck(input: Gen.int(in: 2...16), Gen.int(in: 1...80), Gen.int(in: 0...Int.max)) { columns, records, seed in
            var random = SeededRandom(seed: UInt64(seed))
            let lineEnd = Array((Bool.random(using: &random) ? "\r\n" : "\n").utf8)
            var text: [UInt8] = [], ends: [Int] = []
            for _ in 0..<records {
                for field in 0..<columns {
                    if field > 0 { text.append(UInt8(ascii: ",")) }
                    for _ in 0..<Int.random(in: 0...20, using: &random) { text.append(UInt8(ascii: "a") + UInt8.random(in: 0..<26, using: &random)) }
                }
                text += lineEnd
                ends.append(text.count)
            }
            let last = Int.random(in: 0..<records, using: &random)
            let stop = last == 0 ? 1 : ends[last - 1] + 1
            // One byte of a framed record (not a separator) made 0x80-0xFF, or none.
            let letters = text[..<ends[last]].indices.filter { text[$0] >= UInt8(ascii: "a") }
            let highByte = Bool.random(using: &random) ? letters.randomElement(using: &random) : nil
            if let highByte { text[highByte] = UInt8.random(in: 0x80...0xFF, using: &random) }
            let padded = text + [UInt8](repeating: UInt8(ascii: "z"), count: 64)
            for kernel in [cw_frame_plain_records_portable, cw_frame_plain_records] as [PlainRecordKernel.Framer] {
                var bounds = [UInt32](repeating: 0, count: records * columns * 2 + Int(CW_FRAMING_SLACK))
                var next = 0
                var nonASCII: Int32 = -1
                let rows = padded.withUnsafeBufferPointer { bytes in
                    kernel(bytes.baseAddress, 0, stop, padded.count, columns, &bounds, records, 1 << 20, &next, &nonASCII)
                }
                #expect(rows == last + 1 && next == ends[last])
                #expect(nonASCII == (highByte == nil ? 0 : 1))
                var fieldStart = 0
                for field in 0..<(rows * columns) {
                    var fieldEnd = fieldStart
                    while text[fieldEnd] != UInt8(ascii: ",") && text[fieldEnd] != lineEnd[0] { fieldEnd += 1 }
                    #expect(bounds[field * 2] == UInt32(fieldStart) && bounds[field * 2 + 1] == UInt32(fieldEnd))
                    fieldStart = fieldEnd + (text[fieldEnd] == UInt8(ascii: ",") ? 1 : lineEnd.count)
                }
            }
        }
    }

    /// Whether the kernels were tested on their own instruction sets: `.best` is AVX2
    /// on a CPU with it, so both kernels ran above.
    @Test func bestKernelIsAVX2WhereTheCPUHasIt() {
        let hasAVX2 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx2")
        #expect((cw_framing_has_avx2() != 0) == hasAVX2)
    }

    static func seconds(_ text: [UInt8], _ parse: (UnsafeRawBufferPointer) throws(ValueProblem) -> Int64) -> Int64? {
        text.withUnsafeBytes { bytes in
            do throws(ValueProblem) { return try parse(bytes) } catch { return nil }
        }
    }

    /// Valid times in the three ISO forms with one byte replaced by a random one: the fast
    /// path either declines or gives what the careful parser gives.
    @Test func isoTimeAgreesWithTheCarefulParser() async {
        let forms = ["2026-11-01T08:15:00Z", "2024-02-29 23:59:59", "1999-12-31T16:15:00+08:00",
                     "2100-02-28T00:00:00-05:30", "0001-01-01T00:00:00Z", "2000-02-29T12:00:00"]
        let replacement = Gen.element(of: Array("0123456789:-TZ +/".utf8) + [0x2F, 0x3A, 0xB0, 0x00]).compactMap { $0 }
        await propertyCheck(
            input: Gen.element(of: forms).compactMap { $0 }, Gen.int(in: 0...24), replacement, Gen.bool
        ) { form, position, byte, mutate in
            var text = Array(form.utf8)
            if mutate && position < text.count { text[position] = byte }
            let fast = text.withUnsafeBytes { FieldParser.isoTime($0) }
            let careful = Self.seconds(text, FieldParser.timeCarefully)
            if let fast { #expect(fast == careful) }
            if !mutate { #expect(fast != nil) }
            #expect(Self.seconds(text, FieldParser.time) == careful)
        }
    }

    /// A time of a random instant within 60 days after `start` (a column's values mostly
    /// share their month, as the fast path's month cache expects), in one of the spellings
    /// `time` accepts: the three ISO forms of the fast path, the other ISO 8601 spellings
    /// (`t`, `z`, a fraction, `+HHMM`, `+HH`, no seconds) and Unix seconds with or
    /// without a fraction.
    static func anyTimeSpelling(after start: Int64, using random: inout SeededRandom) -> String {
        let seconds = start + Int64.random(in: 0..<60 * 86_400, using: &random)
        let iso = String(UnixTime.iso8601(seconds).dropLast())
        let zone = ["Z", "", "+08:00", "-05:30", "+0800", "+08", "z"].randomElement(using: &random)!
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return iso.replacingOccurrences("T", " ") + (zone == "Z" ? "" : zone)
        case 1: return iso.replacingOccurrences("T", "t") + zone
        case 2: return iso + [".250", ",5", ".123456789"].randomElement(using: &random)! + zone
        case 3: return String(iso.dropLast(3)) + zone
        case 4: return Bool.random(using: &random) ? "\(seconds)" : "\(seconds).5"
        default: return iso + ["Z", "", "+08:00", "-05:30"].randomElement(using: &random)!
        }
    }

    /// Time columns decoded through `cw_decode_iso_times` (runs of the fast path, the
    /// value each run stops at decoded on its own) against `timeCarefully` value by
    /// value: every accepted spelling, empty optional values, months changing at random,
    /// small chunks so that runs cross frames and batches; then files of the fast path's
    /// forms with one value changed in one byte (a near-miss anywhere in it) or in one
    /// field of the date or clock (just past its range, or within), which load with the
    /// careful value or stop at that line with the careful parser's problem.
    @Test func timeColumnsAgreeWithTheCarefulParser() throws {
        func row(_ number: Int, _ created: String, _ paid: String) -> String {
            func field(_ value: String) -> String { value.contains(",") ? "\"\(value)\"" : value }
            return "o\(number),b1,s1,i1,1.00,\(field(created)),\(field(paid)),,paid,a1,,,\n"
        }
        for seed in 0..<10 as Range<UInt64> {
            var random = SeededRandom(seed: seed)
            func start() -> Int64 {
                Int64.random(in: UnixTime.isoRange.lowerBound + 86_400...UnixTime.isoRange.upperBound - 61 * 86_400, using: &random)
            }
            let fileStart = start()
            var created: [String] = [], paid: [String] = []
            for _ in 0..<1_500 {
                created.append(Self.anyTimeSpelling(after: fileStart, using: &random))
                paid.append(Int.random(in: 0..<5, using: &random) == 0 ? "" : Self.anyTimeSpelling(after: fileStart, using: &random))
            }
            let text = ordersHeader + created.indices.map { row($0, created[$0], paid[$0]) }.joined()
            let export = try load(["orders.csv": text], chunkSize: 1_021).export
            #expect(Array(export.orders.createdAt) == created.map { Self.seconds(Array($0.utf8), FieldParser.timeCarefully) })
            #expect(Array(export.orders.paidAt) == paid.map { $0.isEmpty ? Missing.time : Self.seconds(Array($0.utf8), FieldParser.timeCarefully) })

            let bytes = Array("0123456789:-+.,TtZz /".utf8) + [0x01, 0x7F, UInt8(ascii: "a"), UInt8(ascii: "9") + 1, UInt8(ascii: "0") - 1]
            for _ in 0..<100 {
                let nearStart = start()
                // The fast path's forms around the changed value, so that it is decoded
                // beside its neighbours in the same month.
                let values = (0..<30).map { _ in
                    String(UnixTime.iso8601(nearStart + Int64.random(in: 0..<15 * 86_400, using: &random)).dropLast())
                        + ["Z", "", "+08:00", "-05:30"].randomElement(using: &random)!
                }
                let changed = Int.random(in: 0..<values.count, using: &random)
                var value = Array(values[changed].utf8)
                if Bool.random(using: &random) {
                    value[Int.random(in: 0..<value.count, using: &random)] = bytes.randomElement(using: &random)!
                } else {
                    // Month, day, hour, minute or second at an edge of its range or past it.
                    let (at, edges) = [(5, [0, 1, 12, 13]), (8, [0, 1, 28, 29, 30, 31, 32]), (11, [0, 23, 24]), (14, [0, 59, 60]), (17, [0, 59, 60])]
                        .randomElement(using: &random)!
                    let number = edges.randomElement(using: &random)!
                    value[at] = UInt8(ascii: "0") + UInt8(number / 10)
                    value[at + 1] = UInt8(ascii: "0") + UInt8(number % 10)
                }
                let near = String(decoding: value, as: UTF8.self)
                let file = ordersHeader + values.indices.map { row($0, $0 == changed ? near : values[$0], "") }.joined()
                let problem = value.withUnsafeBytes { bytes -> ValueProblem? in
                    do throws(ValueProblem) { _ = try FieldParser.timeCarefully(bytes) } catch { return error }
                    return nil
                }
                let expected = problem.map { "orders.csv:\(changed + 2):6 (created_at): \($0): \"\(near)\"" }
                #expect(loadError(["orders.csv": file], chunkSize: 509) == expected, "\(near)")
                if expected == nil {
                    let loaded = try load(["orders.csv": file], chunkSize: 509).export.orders.createdAt
                    #expect(loaded[changed] == Self.seconds(value, FieldParser.timeCarefully), "\(near)")
                }
            }
        }
    }

    /// Vocabulary matching by packed words against a plain search of the names, for
    /// names of every length class (under 4, 4 to 7, 8 to 15, over 15 bytes).
    @Test func vocabularyAgreesWithAPlainSearch() async {
        let names = ["a", "ok", "paid", "shipped", "completed", "cancelled", "in_transit", "out_for_delivery_x", "out_for_delivery_y"]
        let vocabulary = Vocabulary(names)
        let text = Gen.element(of: ["a", "ok", "paid", "shipped", "completed", "in_transit", "out_for_delivery_", "d", "x", "y", "e", ""])
            .compactMap { $0 }.array(of: 1...3).map { $0.joined() }
        await propertyCheck(input: text) { value in
            let bytes = Array(value.utf8)
            let found: UInt8? = bytes.withUnsafeBytes { buffer in
                do throws(ValueProblem) { return try vocabulary.index(of: buffer) } catch { return nil }
            }
            #expect(found == names.firstIndex(of: value).map(UInt8.init))
        }
    }
}
