import Foundation

/// A generated CSV file read back by a deliberately simple, independent parser (the
/// generator never quotes, so splitting on commas is exact): header and rows as strings.
struct ExportFile {
    let header: [String]
    let rows: [[String]]

    init(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        if lines.last == [""] { lines.removeLast() }
        header = lines.first ?? []
        rows = Array(lines.dropFirst())
    }

    /// The values of column `name` (which must exist) for every row.
    func column(_ name: String) -> [String] {
        guard let index = header.firstIndex(of: name) else { return [] }
        return rows.map { $0[index] }
    }

    func value(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
}

/// Whether `text` is a timestamp in one of the spellings SCHEMA.md allows.
func isTimestamp(_ text: String) -> Bool {
    if !text.isEmpty && text.allSatisfy(\.isNumber) { return true }
    let bytes = Array(text.utf8)
    guard bytes.count >= 19 else { return false }
    let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
    guard digitPositions.allSatisfy({ bytes[$0] >= 48 && bytes[$0] <= 57 }) else { return false }
    guard bytes[4] == 45, bytes[7] == 45, bytes[13] == 58, bytes[16] == 58, bytes[10] == 84 || bytes[10] == 32 else { return false }
    let zone = String(decoding: bytes[19...], as: UTF8.self)
    return zone == "" || zone == "Z" || zone == "+08:00"
}

/// Whether `text` is money as SCHEMA.md spells it: digits, optionally 1 or 2 fraction digits.
func isMoney(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isNumber) else { return false }
    if parts.count == 1 { return true }
    return parts.count == 2 && (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber)
}
