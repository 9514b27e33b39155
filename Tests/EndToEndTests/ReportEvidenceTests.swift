import Foundation
import Testing
import TestSupport

/// The report a person reads: the tracking numbers given as examples behind an
/// empty-parcel signal name each waybill once, though several orders (shipped together,
/// or on a copied tracking number) may share one.
@Suite struct ReportEvidenceTests {
    @Test func waybillExamplesNameEachWaybillOnce() throws {
        let folder = try TemporaryDirectory("report-evidence")
        let export = folder.path("export")
        let generate = try CreditWatchProcess.run([
            "generate", "--out", export, "--seed", "42", "--shops", "100", "--buyers", "5000", "--days", "20", "--quiet",
        ])
        #expect(generate.exitCode == 0, "\(generate.stderr)")
        let report = folder.path("report.md")
        let scan = try CreditWatchProcess.run(["scan", export, "--store", folder.path("store.sqlite"), "--report", report, "--quiet"])
        #expect(scan.exitCode == 0, "\(scan.stderr)")
        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        let examples = lines.compactMap { line -> [String]? in
            guard let start = line.range(of: "e.g. waybill ") else { return nil }
            let list = line[start.lowerBound...].dropFirst("e.g. ".count).prefix { $0 != ";" }
            return list.split(separator: ", ").map(String.init)
        }
        #expect(examples.count >= 5, "the export should give waybill examples to check")
        for list in examples {
            #expect(Set(list).count == list.count, "a waybill named twice: \(list)")
        }
    }
}
