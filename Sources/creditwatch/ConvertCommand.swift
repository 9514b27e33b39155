import ArgumentParser
import Columnar
import Foundation
import Ingest

/// `creditwatch convert EXPORT_DIR --out DIR`: writes an export in the native columnar
/// format (`.cwseg`, docs/FORMAT.md), which loads many times faster than CSV and takes a
/// fraction of the space; every command reads it wherever it reads CSV.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an export as native .cwseg files (LZ4-compressed columns with checksums).",
        discussion: """
            Loads EXPORT_DIR (CSV, CSV.lz4 or native) and writes dictionaries.cwseg, \
            orders.cwseg and, when they have rows, ratings.cwseg, logistics.cwseg and \
            accounts.cwseg into --out (created when missing; existing .cwseg files there are \
            replaced). labels.csv is copied when present.

            Example:
              creditwatch convert datasets/sample --out demo/sample-native
              creditwatch inspect demo/sample-native
            """)

    @OptionGroup var input: ExportArguments

    @Option(help: "The folder to write the native export into.")
    var out: String

    @Flag(help: ArgumentHelp(ProgressLine.quietHelp))
    var quiet = false

    func run() throws {
        let progress = ProgressLine(quiet: quiet)
        progress.begin("loading \(input.exportDirectory)")
        let loaded = try input.load(progress: progress)
        progress.begin("writing \(out)")
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: out, withIntermediateDirectories: true)
            for (name, bytes) in ExportSegments.encode(loaded.export, threads: input.threads) {
                try Data(bytes).write(to: URL(fileURLWithPath: "\(out)/\(name)"), options: .atomic)
            }
            let labels = "\(input.exportDirectory)/labels.csv"
            if manager.fileExists(atPath: labels) {
                try? manager.removeItem(atPath: "\(out)/labels.csv")
                try manager.copyItem(atPath: labels, toPath: "\(out)/labels.csv")
            }
        } catch {
            throw CommandFailure.input("cannot write \(out): \(error.localizedDescription)")
        }
        progress.finish()
        let csvBytes = loaded.report.files.reduce(0) { $0 + $1.bytesRead }
        let nativeBytes = ((try? manager.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasSuffix(".cwseg") }
            .reduce(0) { $0 + (((try? manager.attributesOfItem(atPath: "\(out)/\($1)"))?[.size] as? Int) ?? 0) }
        print("wrote \(out): \(loaded.report.rows) rows, \(nativeBytes) bytes from \(csvBytes) bytes "
            + "(\(String(format: "%.2f", Double(csvBytes) / Double(max(nativeBytes, 1))))x smaller)")
    }
}
