import Columnar
import Detection

/// What the export leaves out and the scan therefore does not judge (`ExportGaps`), as
/// `scan`'s summary and `inspect` print it.
enum ExportGapLines {
    /// A "not judged:" heading and one indented line per gap; empty when the export gives
    /// everything the signals read.
    static func section(_ export: Export) -> String {
        let gaps = ExportGaps.lines(export)
        return gaps.isEmpty ? "" : "not judged:\n" + gaps.map { "  \($0)\n" }.joined()
    }
}
