/// Rows of cells as aligned text for people: every command's tables look the same.
enum TextTable {
    /// Aligns columns; the first row is the header. Text columns are left-aligned and
    /// numeric ones right-aligned, decided by the first data row.
    static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        let numeric = header.indices.map { column in
            rows.count > 1 && Double(rows[1][column].replacingOccurrences(of: "%", with: "")) != nil
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return numeric[column] ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
