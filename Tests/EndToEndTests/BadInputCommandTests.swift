import Foundation
import Testing
import TestSupport

/// Bad input as a new user meets it: each case fails with a non-zero exit code and one
/// line naming where the problem is (file, line and column, or block), before any long
/// work when the problem is in the command line.
@Suite struct BadInputCommandTests {
    static let header = "order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to\n"

    /// A CSV field problem: the record, and the message after `orders.csv:`.
    @Test(arguments: [
        ("o1,b1,s1,i1,1.00,2026-13-45T99:00,paid,a1", "2:6 (created_at): not a time (ISO 8601 or Unix seconds): \"2026-13-45T99:00\""),
        ("o1,b1,s1,i1,1.00,2026-11-01T08:15:00Z,lost,a1", "2:7 (status): not one of paid, shipped, completed, refunded, cancelled: \"lost\""),
        ("o1,b\"1,s1,i1,1.00,2026-11-01T08:15:00Z,paid,a1", "2:2 (buyer_id): quote inside an unquoted field"),
        ("o1,\"b1\"x,s1,i1,1.00,2026-11-01T08:15:00Z,paid,a1", "2:2 (buyer_id): text after a closing quote"),
        ("o1,b1,s1,i1,12.345,2026-11-01T08:15:00Z,paid,a1", "2:5 (amount): not a money amount: \"12.345\""),
    ])
    func aBadFieldIsNamed(record: String, message: String) throws {
        let export = try TemporaryDirectory("bad-field")
        try export.write("orders.csv", Self.header + record + "\n")
        let result = try CreditWatchProcess.run(["inspect", export.path])
        #expect(result.exitCode == 65)
        #expect(result.stdout == "")
        #expect(result.stderr == "creditwatch: error: \(export.path)/orders.csv:\(message)\n")
    }

    @Test func aMissingColumnNamesTheHeaderLine() throws {
        let export = try TemporaryDirectory("bad-header")
        try export.write("orders.csv", "order_id,buyer_id,shop_id,item_id,amount,created_at,ship_to\no1,b1,s1,i1,1,1793520900,a1\n")
        let result = try CreditWatchProcess.run(["inspect", export.path])
        #expect(result.exitCode == 65)
        #expect(result.stderr == "creditwatch: error: \(export.path)/orders.csv:1: missing required column \"status\"\n")
    }

    @Test func aMissingOrMistypedFolderIsNamed() throws {
        let folder = try TemporaryDirectory("bad-folder")
        let file = try folder.write("orders.csv", Self.header)
        for arguments in [["inspect", folder.path("none")], ["scan", folder.path("none"), "--labels", "--store", folder.path("s")]] {
            let result = try CreditWatchProcess.run(arguments)
            #expect(result.exitCode == 65)
            #expect(result.stderr == "creditwatch: error: \(folder.path("none")): no such export folder\n")
        }
        let result = try CreditWatchProcess.run(["inspect", file])
        #expect(result.exitCode == 65)
        #expect(result.stderr == "creditwatch: error: \(file): not a folder (an export is a folder of CSV or .cwseg files)\n")
    }

    /// A store or report path that cannot be written fails before the export is loaded.
    @Test func anUnwritableStoreOrReportFailsBeforeTheScan() throws {
        let folder = try TemporaryDirectory("bad-store")
        try folder.write("export/orders.csv", Self.header + "o1,b1,s1,i1,1,1793520900,paid,a1\n")
        let export = folder.path("export")
        let cases: [([String], Int32, String)] = [
            (["--store", folder.path], 74, "--store \(folder.path): is a folder, not a file"),
            (["--store", folder.path("no/store.sqlite")], 74, "--store \(folder.path("no/store.sqlite")): no folder \(folder.path("no")) to write it in"),
            (["--report", folder.path("no/report.md")], 65, "--report \(folder.path("no/report.md")): no folder \(folder.path("no")) to write it in"),
        ]
        for (options, code, message) in cases {
            let result = try CreditWatchProcess.run(["scan", export, "--store", folder.path("store.sqlite")] + options)
            #expect(result.exitCode == code)
            #expect(result.stderr == "creditwatch: error: \(message)\n")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("store.sqlite")))
        let runs = try CreditWatchProcess.run(["runs", "--store", folder.path])
        #expect(runs.exitCode == 74)
        #expect(runs.stderr == "creditwatch: error: --store \(folder.path): is a folder, not a file\n")
    }

    @Test func aFlippedByteInANativeBlockNamesTheBlock() throws {
        let folder = try TemporaryDirectory("bad-native")
        let native = folder.path("native")
        let convert = try CreditWatchProcess.run(["convert", Fixtures.path("brushing-rule"), "--out", native, "--quiet"])
        #expect(convert.exitCode == 0)
        let path = native + "/orders.cwseg"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[64] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try CreditWatchProcess.run(["inspect", native])
        #expect(result.exitCode == 65)
        #expect(result.stderr.hasPrefix("creditwatch: error: \(native)/orders.cwseg: table orders, column "))
        #expect(result.stderr.contains(", block 0: checksum mismatch"))
    }
}
