import ArgumentParser
import Foundation

/// Rows of text shown as an aligned table for people or as CSV for programs; the
/// columns and their order are the stable part of a command's output.
struct TextTable {
    /// A column's title and whether its values line up on the right (numbers).
    struct Column {
        var title: String
        var numeric = false
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    /// Columns padded to their widest value, two spaces apart, numbers right-aligned.
    func aligned() -> String {
        let lines = [columns.map(\.title)] + rows
        let widths = columns.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - line[column].count)
                if columns[column].numeric { return padding + line[column] }
                return column == line.count - 1 ? line[column] : line[column] + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV with a header line of lower-case titles.
    func csv() -> String {
        ([columns.map { $0.title.lowercased() }] + rows).map { line in
            line.map { value in
                value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                    ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
            }.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }
}

/// How a listing command prints its result.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case table, csv, json
}

/// Stable JSON for programs: sorted snake_case keys, indented.
func json(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

/// A score or a measured value as people read it: up to four significant digits, "n/a"
/// where there is none.
func decimal(_ value: Double?) -> String {
    guard let value else { return "n/a" }
    return String(format: "%.4g", value)
}

/// A score with three decimals, so that a column of scores lines up.
func score(_ value: Double) -> String { String(format: "%.3f", value) }

extension TextTable {
    /// Aligned text of `lines`, whose first line is the header; a column whose first
    /// value is a number lines up on the right.
    static func render(_ lines: [[String]]) -> String {
        guard let header = lines.first else { return "" }
        var table = TextTable(header.indices.map { column in
            Column(title: header[column], numeric: lines.count > 1 && Double(lines[1][column]) != nil)
        })
        table.rows = Array(lines.dropFirst())
        return table.aligned()
    }
}
