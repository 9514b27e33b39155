import ArgumentParser
import Foundation
import Ingest

/// The export folder and core count of the commands that load an export and work on it
/// (`convert`, `features`), and the load itself with its error turned into exit code 65.
struct ExportArguments: ParsableArguments {
    @Argument(help: "The export folder (CSV, CSV.lz4 or native .cwseg).")
    var exportDirectory: String

    @Option(help: "Cores to use (default: all).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// The export, loaded on `threads` cores.
    func load() throws -> LoadedExport {
        var reader = ExportReader()
        reader.threads = threads
        do {
            return try reader.load(exportDirectory)
        } catch {
            throw CommandFailure.input("\(exportDirectory)/\(error)")
        }
    }
}
