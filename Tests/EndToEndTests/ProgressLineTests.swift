import Foundation
import Testing
import TestSupport

/// Progress lines of long work: on a terminal each stage and how far it is in place; in a
/// log (stderr a pipe) plain lines without terminal controls; none with `--quiet`.
@Suite struct ProgressLineTests {
    static let script = "/usr/bin/script"
    static let generate = ["generate", "--shops", "20", "--buyers", "500", "--days", "5", "--out"]

    /// `command` run under a pseudo-terminal (util-linux `script`): what the terminal shows.
    static func onATerminal(_ arguments: [String]) throws -> String {
        let command = ([CreditWatchProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["-qfec", command, "/dev/null"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script)))
    func stagesShowInPlaceOnATerminal() throws {
        let folder = try TemporaryDirectory("progress")
        let export = folder.path("export")
        let terminal = try Self.onATerminal(Self.generate + [export])
        #expect(terminal.contains("creditwatch: generating \(export): 100% of the orders"))
        #expect(terminal.contains("creditwatch: generating \(export) done in "))
        let scan = try Self.onATerminal(["scan", export, "--store", folder.path("store.sqlite")])
        #expect(scan.contains("creditwatch: loading \(export) done in "))
        #expect(scan.contains("creditwatch: detector: "))
        let quiet = try Self.onATerminal(["scan", export, "--store", folder.path("store.sqlite"), "--quiet"])
        #expect(!quiet.contains("creditwatch: loading"))
        #expect(quiet.contains("run 2: "))
    }

    @Test func plainLinesWhenStderrIsAPipe() throws {
        let folder = try TemporaryDirectory("progress-pipe")
        let export = folder.path("export")
        let generate = try CreditWatchProcess.run(Self.generate + [export])
        #expect(generate.exitCode == 0)
        #expect(generate.stderr.contains("creditwatch: generating \(export) done in "), "\(generate.stderr)")
        let scan = try CreditWatchProcess.run(["scan", export, "--store", folder.path("store.sqlite")])
        #expect(scan.exitCode == 0)
        #expect(scan.stderr.contains("creditwatch: loading \(export) done in "), "\(scan.stderr)")
        for log in [generate.stderr, scan.stderr] {
            #expect(!log.contains("\r") && !log.contains("\u{1B}"), "terminal controls in a log: \(log)")
        }
        let quiet = try CreditWatchProcess.run(["scan", export, "--store", folder.path("store.sqlite"), "--quiet"])
        #expect(quiet.exitCode == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}
