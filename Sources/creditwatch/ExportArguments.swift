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

    /// The export folder, checked (exit code 65 unless it is a folder).
    func folder() throws -> ExportFolder { try ExportFolder(exportDirectory) }

    /// The export, loaded on `threads` cores; with `progress`, a long CSV read shows how
    /// far it is.
    func load(progress: ProgressLine? = nil) throws -> LoadedExport {
        try Self.load(folder(), threads: threads, progress: progress)
    }

    /// The export in `folder` (only `columns`, when given; `tablesRead` and `scansRead` as
    /// in `ExportReader.load`), loaded on `threads` cores; an error names the file under
    /// `folder` (exit code 65).
    static func load(
        _ checked: ExportFolder, threads: Int, progress: ProgressLine? = nil, columns: ExportColumns? = nil,
        tablesRead: (@Sendable (Export, [String]) -> Void)? = nil, scansRead: (@Sendable (BatchDelivery<LogisticsTable>) -> Void)? = nil
    ) throws -> LoadedExport {
        let folder = checked.path
        BulkHeap.prepare()
        let files = CountedFiles()
        var reader = ExportReader(files: files)
        reader.threads = threads
        do {
            guard let progress else { return try reader.load(folder, columns: columns, tablesRead: tablesRead, scansRead: scansRead) }
            return try progress.showing(files, of: tableFileBytes(in: folder)) {
                try reader.load(folder, columns: columns, tablesRead: tablesRead, scansRead: scansRead)
            }
        } catch {
            throw CommandFailure.input("\(folder)/\(error)")
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

/// An export folder found to be one by a single probe, so that a command checks it before
/// its other arguments (`scan`: before the store) and then loads the export and reads its
/// labels without asking again.
struct ExportFolder {
    let path: String

    /// Fails (exit code 65) unless `path` is a folder: a mistyped path is named as such,
    /// not as the first file missing from it.
    init(_ path: String) throws {
        switch PathKind(path) {
        case .folder: self.path = path
        case .missing: throw CommandFailure.input("\(path): no such export folder")
        case .file: throw CommandFailure.input("\(path): not a folder (an export is a folder of CSV or .cwseg files)")
        }
    }
}
