import Foundation
import Testing
import TestSupport

@Suite struct GenerateCommandTests {
    @Test func writesTheExportAndSaysWhatItWrote() throws {
        let folder = try TemporaryDirectory("generate")
        let out = folder.path("export")
        let result = try CreditWatchProcess.run([
            "generate", "--out", out, "--seed", "3", "--shops", "30", "--buyers", "1200", "--days", "20",
            "--fraud", "brushing", "--camouflage", "2",
        ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("orders"))
        for name in ["orders", "ratings", "logistics", "accounts", "labels"] {
            #expect(FileManager.default.fileExists(atPath: out + "/\(name).csv"), "no \(name).csv")
        }
    }

    @Test func rejectsAnUnknownCamouflageLevel() throws {
        let folder = try TemporaryDirectory("generate")
        let result = try CreditWatchProcess.run([
            "generate", "--out", folder.path("x"), "--shops", "3", "--buyers", "10", "--days", "2", "--camouflage", "5",
        ])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("--camouflage"))
    }
}
