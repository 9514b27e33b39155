@testable import Ingest
import PropertyBased
import Testing

/// The fast paths of ingest against the careful code they bypass: the SIMD structural
/// record scanner against `CSVScanner.scanRecord`, the SWAR ISO time parser against
/// `FieldParser.timeCarefully`.
@Suite struct FastPathTests {
    @Test func specialBytesAgreesWithAPlainLoop() async {
        let bytes = Gen.element(of: Array(",\n\r\"a1 -:é".utf8) + [0, 0x80, 0xFF]).compactMap { $0 }.array(of: 64...64)
        await propertyCheck(input: bytes) { block in
            block.withUnsafeBytes { buffer in
                #expect(StructuralCursor.specialBytes(buffer.baseAddress!)
                    == StructuralCursor.specialBytesReference(buffer.baseAddress!))
            }
        }
    }

    /// Walks a whole buffer record by record as `CSVFileReader` does (fast path, else the
    /// scalar scanner and a `seek`), and checks every fast answer against the scalar one.
    @Test func structuralCursorAgreesWithTheScalarScanner() async {
        let text = Gen.element(of: Array("ab1,,,\n\n\"\r ".utf8)).compactMap { $0 }.array(of: 0...400)
        await propertyCheck(input: text, Gen.int(in: 0...400), Gen.bool) { bytes, cut, atEnd in
            let buffer = Array(bytes[..<min(cut, bytes.count)])
            buffer.withUnsafeBytes { bytes in
                var fast = FieldSpans(capacity: 16), slow = FieldSpans(capacity: 16)
                var cursor = StructuralCursor(bytes, at: 0)
                var start = 0
                while start < bytes.count {
                    var lineFeeds = 0
                    let outcome = CSVScanner.scanRecord(
                        bytes, from: start, atEnd: atEnd, fields: &slow, quotedLineFeeds: &lineFeeds)
                    if let next = cursor.scanRecord(bytes, from: start, fields: &fast) {
                        #expect(outcome == .complete(next: next))
                        #expect(fast.count == slow.count)
                        for field in 0..<min(fast.count, 16) {
                            #expect(fast.start(field) == slow.start(field) && fast.end(field) == slow.end(field))
                        }
                    }
                    guard case .complete(let next) = outcome else { break }
                    cursor.seek(bytes, to: next)
                    start = next
                }
            }
        }
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
