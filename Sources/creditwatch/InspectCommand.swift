import ArgumentParser
import Columnar
import Detection
import Foundation
import Ingest

/// `creditwatch inspect EXPORT_DIR`: loads an export and prints what is in it and how
/// fast it loaded; the first command a user runs on their own export.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load an export and print row counts, distinct entities, time range, warnings, what it leaves out (not judged) and load speed.",
        discussion: """
            Reads orders.csv (required), ratings.csv, logistics.csv and accounts.csv, each plain \
            or LZ4-frame compressed (NAME.csv.lz4), or a native export (.cwseg files written \
            by `creditwatch convert`), for which it also prints each column's stored and raw \
            size. Bad input stops with FILE:LINE:COLUMN (or FILE: table, column, block) on \
            stderr and exit code 65.

            Example:
              creditwatch inspect datasets/sample
            """)

    @OptionGroup var input: ExportArguments

    func run() throws {
        let loaded = try input.load()
        print(Self.summary(of: loaded, folder: input.exportDirectory), terminator: "")
    }

    /// The printed summary: files, id spaces, time range, warnings, what the export leaves
    /// out (not judged), speed.
    static func summary(of loaded: LoadedExport, folder: String) -> String {
        let report = loaded.report
        var text = "export \(folder)\n\n"
        var files = [["file", "rows", "read MB", "CSV MB", "seconds"]]
        for file in report.files {
            files.append([file.name, "\(file.rows)", megabytes(file.bytesRead), megabytes(file.bytesDecoded),
                          decimal(file.seconds, 3)])
        }
        text += TextTable.render(files) + "\n"
        if report.files.contains(where: { !$0.segmentColumns.isEmpty }) { text += segmentTable(report.files) + "\n" }
        var spaces = [["id space", "distinct"]]
        for (name, dictionary) in idSpaces(loaded.export.dictionaries) where dictionary.count > 0 {
            spaces.append([name, "\(dictionary.count)"])
        }
        text += TextTable.render(spaces) + "\n"
        if let times = report.orderTimes {
            text += "orders created \(UnixTime.iso8601(times.lowerBound)) to \(UnixTime.iso8601(times.upperBound))\n\n"
        }
        let warnings = LoadWarnings.lines(report)
        text += warnings.isEmpty ? "warnings: none\n" : "warnings:\n" + warnings.map { $0 + "\n" }.joined()
        let gaps = ExportGapLines.section(loaded.export)
        if !gaps.isEmpty { text += "\n" + gaps }
        text += "\nloaded \(report.rows) rows in \(decimal(report.seconds, 3)) s: "
            + "\(decimal(report.megabytesPerSecond, 1)) MB/s, \(decimal(report.rowsPerSecond / 1e6, 2)) M rows/s\n"
        return text
    }

    /// Stored and raw bytes per column of a native export, with the compression ratio.
    private static func segmentTable(_ files: [FileLoad]) -> String {
        var rows = [["file", "column", "type", "blocks", "stored MB", "raw MB", "ratio"]]
        var stored = 0, raw = 0
        for file in files {
            for column in file.segmentColumns {
                rows.append([file.name, column.name, column.type.description, "\(column.blocks.count)",
                             megabytes(column.storedBytes), megabytes(column.rawBytes), ratio(column.rawBytes, column.storedBytes)])
                stored += column.storedBytes
                raw += column.rawBytes
            }
        }
        rows.append(["total", "", "", "", megabytes(stored), megabytes(raw), ratio(raw, stored)])
        return TextTable.render(rows)
    }

    private static func ratio(_ raw: Int, _ stored: Int) -> String { stored > 0 ? decimal(Double(raw) / Double(stored), 2) + "x" : "-" }

    private static func idSpaces(_ d: Dictionaries) -> [(String, IdDictionary)] {
        [("orders", d.orders), ("accounts", d.accounts), ("items", d.items), ("addresses", d.addresses),
         ("devices", d.devices), ("ips", d.ips), ("payments", d.payments), ("couriers", d.couriers),
         ("waybills", d.waybills), ("locations", d.locations), ("regions", d.regions),
         ("credit codes", d.creditCodes)]
    }

    private static func megabytes(_ bytes: Int) -> String { decimal(Double(bytes) / 1e6, 2) }

    private static func decimal(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
