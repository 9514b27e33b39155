@testable import Ingest
import PropertyBased
import Testing

/// The hot loops of `CSVScanner` against plain reference twins.
@Suite struct CSVScannerTests {
    /// Reference: RFC 4180 encoding of one record, quoting a field when it needs it (or
    /// when `quoteAll`).
    static func encode(_ fields: [String], quoteAll: Bool, lineEnd: String) -> String {
        fields.map { field in
            let special = field.utf8.contains { [0x2C, 0x22, 0x0A, 0x0D].contains($0) }
            return special || quoteAll ? "\"" + field.replacingOccurrences("\"", "\"\"") + "\"" : field
        }.joined(separator: ",") + lineEnd
    }

    /// Scans one record from `bytes` and returns its values (unquoted) and the outcome.
    static func scan(_ bytes: [UInt8], atEnd: Bool) -> (CSVScanner.Outcome, [String]) {
        var copy = bytes
        return copy.withUnsafeMutableBytes { buffer in
            var fields = FieldSpans(capacity: 64)
            var lineFeeds = 0
            let outcome = CSVScanner.scanRecord(
                UnsafeRawBufferPointer(buffer), from: 0, atEnd: atEnd, fields: &fields, quotedLineFeeds: &lineFeeds)
            var values: [String] = []
            guard case .complete = outcome else { return (outcome, values) }
            for field in 0..<fields.count {
                var span = fields.start(field)..<fields.end(field)
                if !span.isEmpty && buffer[span.lowerBound] == CSVScanner.quote {
                    span = CSVScanner.unquote(buffer, start: span.lowerBound, end: span.upperBound)
                }
                values.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span]), as: UTF8.self))
            }
            return (outcome, values)
        }
    }

    static let fieldText = Gen.element(of: Array("ab1,\"\n\r é")).compactMap { $0 }.string(of: 0...6)

    @Test func scansEveryEncodedRecordBackAndNeedsMoreForEveryCut() async {
        await propertyCheck(input: Self.fieldText.array(of: 1...6), Gen.bool, Gen.bool) { fields, quoteAll, crlf in
            let record = Array(Self.encode(fields, quoteAll: quoteAll, lineEnd: crlf ? "\r\n" : "\n").utf8)
            let (outcome, values) = Self.scan(record + Array("next".utf8), atEnd: false)
            #expect(outcome == .complete(next: record.count))
            #expect(values == fields)
            for cut in 0..<record.count where cut < record.count - (crlf ? 2 : 1) {
                #expect(Self.scan(Array(record[..<cut]), atEnd: false).0 == .needMore)
            }
        }
    }

    @Test func isASCIIAgreesWithAPlainLoop() async {
        await propertyCheck(input: Gen<UInt8>.value(in: 0...255).array(of: 0...100), Gen.bool) { bytes, ascii in
            let input = ascii ? bytes.map { $0 & 0x7F } : bytes
            let vectorised = input.withUnsafeBytes { CSVScanner.isASCII($0) }
            #expect(vectorised == input.allSatisfy { $0 < 0x80 })
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
