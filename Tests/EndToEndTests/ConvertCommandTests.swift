import Foundation
import Testing
import TestSupport

/// `convert` then `inspect` and `scan` on the native export give what they give on CSV.
@Suite struct ConvertCommandTests {
    @Test func nativeExportScansLikeTheCSV() throws {
        let folder = try TemporaryDirectory()
        let native = folder.path("native")
        let convert = try CreditWatchProcess.run(["convert", Fixtures.path("brushing-rule"), "--out", native, "--threads", "2"])
        #expect(convert.exitCode == 0, "\(convert.stderr)")
        #expect(convert.stdout.contains("63 rows"))
        #expect(convert.stderr.contains("creditwatch: loading \(Fixtures.path("brushing-rule")) done in "))
        #expect(convert.stderr.contains("creditwatch: writing \(native) done in "))
        let quiet = try CreditWatchProcess.run(["convert", Fixtures.path("brushing-rule"), "--out", folder.path("quiet"), "--quiet"])
        #expect(quiet.exitCode == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        let inspect = try CreditWatchProcess.run(["inspect", native])
        #expect(inspect.exitCode == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("orders.cwseg        created_at"))
        #expect(inspect.stdout.contains("ratio"))
        let csvScan = try CreditWatchProcess.run(["scan", Fixtures.path("brushing-rule"), "--store", folder.path("a.sqlite"), "--quiet"])
        let nativeScan = try CreditWatchProcess.run(["scan", native, "--store", folder.path("b.sqlite"), "--quiet"])
        #expect(nativeScan.exitCode == 0, "\(nativeScan.stderr)")
        let suspects = { (text: String) in text.split(separator: "\n").filter { $0.contains("fake_orders") }.map { $0.split(separator: " ").filter { !$0.isEmpty } } }
        #expect(suspects(nativeScan.stdout).count == suspects(csvScan.stdout).count)
        #expect(suspects(nativeScan.stdout).count > 0)
    }

    @Test func corruptNativeFileExitsWith65() throws {
        let folder = try TemporaryDirectory()
        let native = folder.path("native")
        _ = try CreditWatchProcess.run(["convert", Fixtures.path("brushing-rule"), "--out", native])
        let path = native + "/orders.cwseg"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.removeLast(5)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let inspect = try CreditWatchProcess.run(["inspect", native])
        #expect(inspect.exitCode == 65)
        #expect(inspect.stderr.contains("orders.cwseg: table orders"))
    }
    /// `features` writes the same files from the CSV and from the native export (which
    /// it reads only in part), for any thread count.
    @Test func featuresAgreeOnCSVAndNativeForAnyThreadCount() throws {
        let folder = try TemporaryDirectory()
        let native = folder.path("native")
        _ = try CreditWatchProcess.run(["convert", Fixtures.path("brushing-rule"), "--out", native])
        var outputs: [[String]] = []
        for (source, threads) in [(Fixtures.path("brushing-rule"), 1), (native, 1), (native, 2), (Fixtures.path("brushing-rule"), 3)] {
            let out = folder.path("features-\(outputs.count)")
            let run = try CreditWatchProcess.run(["features", source, "--out", out, "--threads", "\(threads)"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            outputs.append(try ["shops", "waybills", "raters"].map { try String(contentsOfFile: "\(out)/\($0).csv", encoding: .utf8) })
        }
        #expect(outputs[0][0].split(separator: "\n").count > 1)
        for output in outputs.dropFirst() { #expect(output == outputs[0]) }
    }
}
