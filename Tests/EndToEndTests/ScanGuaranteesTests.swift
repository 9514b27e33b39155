import Foundation
import ListStore
import Testing
import TestSupport

/// The guarantees of `scan` as a user sees them: a killed scan leaves the store exactly
/// as it was, and the same export gives the same suspects whatever the thread count.
@Suite(.serialized) struct ScanGuaranteesTests {
    /// A small generated export, and a config that proposes nearly every scored entity
    /// so that a run writes thousands of suspects and the write phase takes a while.
    static func export(in folder: TemporaryDirectory) throws -> (export: String, config: String) {
        let export = folder.path("export")
        let generate = try CreditWatchProcess.run([
            "generate", "--out", export, "--seed", "5", "--shops", "60", "--buyers", "3000", "--days", "20",
        ])
        #expect(generate.exitCode == 0, "\(generate.stderr)")
        let config = try folder.write("all.toml", "[lists]\nkey_scrutiny = 0.000001\n")
        return (export, config)
    }

    /// Everything a store holds about its runs and their suspects, with evidence.
    static func snapshot(_ path: String) throws -> [String] {
        let store = try Store(path: path, mode: .existing)
        return try store.runs().flatMap { run -> [String] in
            let suspects = try store.suspects(SuspectQuery(run: run.id, includesEvidence: true)).suspects
            return ["\(run)"] + suspects.map { "\($0)" }
        }
    }

    @Test func killedScansLeaveTheStoreAsItWas() throws {
        let folder = try TemporaryDirectory()
        let (export, config) = try Self.export(in: folder)
        let store = folder.path("store.sqlite")
        let clock = ContinuousClock()
        let started = clock.now
        let first = try CreditWatchProcess.run(["scan", export, "--store", store, "--config", config, "--quiet"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let fullRun = (clock.now - started)
        var before = try Self.snapshot(store)
        #expect(before.count > 200, "the run should write many suspects")
        let runLines = before.count

        var generator = SystemRandomNumberGenerator()
        var killedMidRun = 0
        // Halved whenever a scan outran its kill, so that a machine busier during the
        // first run than during the later ones still sees kills in the middle of a run.
        var delayScale = 1.0
        for _ in 0..<8 {
            let process = try CreditWatchProcess.start(["scan", export, "--store", store, "--config", config, "--quiet"])
            let fraction = delayScale * Double.random(in: 0.2...1.1, using: &generator)
            Thread.sleep(forTimeInterval: fraction * Double(fullRun.components.seconds) + fraction * Double(fullRun.components.attoseconds) / 1e18)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let after = try Self.snapshot(store)
            if after == before {
                #expect(process.terminationReason == .uncaughtSignal, "a scan that exited normally recorded no run")
                killedMidRun += 1
            } else {
                // The run committed before the kill landed (or the scan finished): the store
                // holds exactly one more complete run, as many suspects as the first.
                #expect(Array(after.prefix(before.count)) == before, "a scan changed an earlier run")
                #expect(after.count == before.count + runLines, "a killed scan left a partial run")
                before = after
                delayScale /= 2
            }
        }
        #expect(killedMidRun > 0)
    }

    @Test func sameSuspectsForAnyThreadCount() throws {
        let folder = try TemporaryDirectory()
        let (export, config) = try Self.export(in: folder)
        var outputs: [String] = []
        for threads in ["1", "2"] {
            let store = folder.path("store-\(threads).sqlite")
            let scan = try CreditWatchProcess.run([
                "scan", export, "--store", store, "--config", config, "--threads", threads, "--quiet",
            ])
            #expect(scan.exitCode == 0, "\(scan.stderr)")
            let suspects = try CreditWatchProcess.run(["suspects", "--store", store, "--format", "csv"])
            #expect(suspects.exitCode == 0)
            #expect(suspects.stdout.split(separator: "\n").count > 200)
            outputs.append(suspects.stdout)
        }
        #expect(outputs[0] == outputs[1])
    }
}
