import Foundation
import Testing
import TestSupport

/// The public brushing rule on a hand-made export: shop-a has a one-hour window with
/// 6 orders from 2 buyers; shop-flash has a genuine flash sale (40 orders from 40
/// buyers in an hour); shop-quiet sells normally.
@Suite struct BrushingRuleTests {
    @Test func flagsTheBrushingWindowAndNotTheFlashSale() throws {
        let folder = try TemporaryDirectory()
        let store = folder.path("store.sqlite")
        let scan = try CreditWatchProcess.run(["scan", Fixtures.path("brushing-rule"), "--store", store, "--quiet"])
        #expect(scan.exitCode == 0, "\(scan.stderr)")
        #expect(scan.stdout.contains("63 orders"))
        let suspects = scan.stdout.split(separator: "\n").filter { $0.contains("fake_orders") && $0.contains("key_scrutiny") }
        #expect(suspects.contains { $0.contains(" shop-a ") && $0.contains("shop_window_orders_per_buyer") })
        #expect(suspects.contains { $0.contains("acct-1007") })
        #expect(suspects.contains { $0.contains("acct-1013") })
        #expect(!scan.stdout.contains("shop-flash"))
        #expect(!scan.stdout.contains("shop-quiet"))
        let hint = scan.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let hintWords = hint.split(separator: " ").map(String.init)
        #expect(hintWords.prefix(2) == ["creditwatch", "explain"] && hintWords.suffix(2) == ["--store", store])
        let hinted = try CreditWatchProcess.run(Array(hintWords.dropFirst()))
        #expect(hinted.exitCode == 0, "the explain command the scan suggests runs: \(hinted.stderr)")

        let explain = try CreditWatchProcess.run(["explain", "shop", "shop-a", "--store", store])
        #expect(explain.exitCode == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("2026-11-01T08:00:00Z..2026-11-01T08:50:00Z: 6 orders from 2 buyers"))
        #expect(explain.stdout.contains("o00001"))
        let flash = try CreditWatchProcess.run(["explain", "shop", "shop-flash", "--store", store])
        #expect(flash.exitCode != 0)
    }

    @Test func missingExportIsAClearError() throws {
        let folder = try TemporaryDirectory()
        let scan = try CreditWatchProcess.run(["scan", folder.path("nowhere"), "--store", folder.path("s.sqlite")])
        #expect(scan.exitCode == 65)
        #expect(scan.stderr == "creditwatch: error: \(folder.path("nowhere")): no such export folder\n")
        #expect(scan.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.path("s.sqlite")))
    }

    @Test func labelsRequestedButMissingStopBeforeTheScan() throws {
        let folder = try TemporaryDirectory()
        let store = folder.path("s.sqlite")
        let scan = try CreditWatchProcess.run(["scan", Fixtures.path("brushing-rule"), "--store", store, "--labels"])
        #expect(scan.exitCode == 65)
        #expect(scan.stderr.contains("labels.csv: required file missing"))
        #expect(!FileManager.default.fileExists(atPath: store))
    }
}
