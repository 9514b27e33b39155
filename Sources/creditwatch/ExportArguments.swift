import ArgumentParser
import Columnar
import Foundation
import Ingest

/// The export folder and core count of the commands that load an export and work on it
/// (`convert`, `features`, `inspect`, `scan`), and the load itself with its error turned into
/// exit code 65.
struct ExportArguments: ParsableArguments {
    @Argument(help: "The export folder (CSV, CSV.lz4 or native .cwseg).")
    var exportDirectory: String

    @Option(help: "Cores to use, all of this machine's by default.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// The export, loaded on `threads` cores; with `progress`, a long CSV read shows how
    /// far it is.
    func load(progress: ProgressLine? = nil) throws -> LoadedExport {
        try Self.load(exportDirectory, threads: threads, progress: progress)
    }

    /// The export in `folder` (only `columns`, when given; `tablesRead` as in
    /// `ExportReader.load`), loaded on `threads` cores; an error names the file under
    /// `folder` (exit code 65).
    static func load(
        _ folder: String, threads: Int, progress: ProgressLine? = nil, columns: ExportColumns? = nil,
        tablesRead: (@Sendable (Export, [String]) -> Void)? = nil
    ) throws -> LoadedExport {
        try requireFolder(folder)
        BulkHeap.prepare()
        let files = CountedFiles()
        var reader = ExportReader(files: files)
        reader.threads = threads
        do {
            guard let progress else { return try reader.load(folder, columns: columns, tablesRead: tablesRead) }
            return try progress.showing(files, of: tableFileBytes(in: folder)) {
                try reader.load(folder, columns: columns, tablesRead: tablesRead)
            }
        } catch {
            throw CommandFailure.input("\(folder)/\(error)")
        }
    }

    /// Fails (exit code 65) unless `folder` is a folder: a mistyped path is named as such,
    /// not as the first file missing from it.
    static func requireFolder(_ folder: String) throws {
        switch PathKind(folder) {
        case .folder: return
        case .missing: throw CommandFailure.input("\(folder): no such export folder")
        case .file: throw CommandFailure.input("\(folder): not a folder (an export is a folder of CSV or .cwseg files)")
        }
    }

    /// The size of the export's table files (CSV or CSV.lz4) in `folder`: what a load reads.
    private static func tableFileBytes(in folder: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter(ExportTable.fileNames.contains).reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(folder)/\(name)")[.size]) as? Int
            return total + (size ?? 0)
        }
    }
}
