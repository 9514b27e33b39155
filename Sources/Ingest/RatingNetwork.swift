import Columnar

/// A rating network in the common signed-network CSV form `source,target,rating,time`
/// (the form of the Bitcoin OTC / Alpha, Epinions and Amazon rating data sets), turned
/// into the export schema so that public rating-fraud data can be scanned.
///
/// The mapping, which `creditwatch import ratings-network --help` repeats:
/// - `source` is the rater (`buyer_id`), `target` the rated shop (`shop_id`); ids are kept
///   as written.
/// - `rating` is any number; it becomes stars by `1 + round(4 (r - min) / (max - min))`,
///   linear from the scale's `min..max` to `1..5`. The scale is the file's observed
///   minimum and maximum unless given explicitly; a file whose ratings are all equal
///   maps them to 3. A rating outside an explicit scale is an error.
/// - `time` is Unix seconds (a fraction is dropped) or ISO 8601 as in `SCHEMA.md`.
/// - A first line whose `rating` field is not a number is a header and is skipped.
///   Fields may be wrapped in double quotes; blank lines are skipped.
/// - The ratings name no order (none exists). `orders.csv` is written with its header
///   only: the schema requires the file, and an empty one tells the detectors that
///   order-based signals do not apply.
public struct RatingNetwork: Sendable {
    /// One rating of the network, its number as written.
    public struct Edge: Sendable, Equatable {
        public var source: String
        public var target: String
        public var rating: Double
        public var time: Int64
        /// The line of the file it was read from.
        public var line: Int
    }

    public var edges: [Edge]
    /// The observed smallest and largest rating.
    public var observed: ClosedRange<Double>

    /// Reads `path` (called `name` in errors) through `files`. Errors name the file, line
    /// and column.
    public static func read(
        _ path: String, name: String, files: any FileAccess = SystemFileAccess()
    ) throws(IngestError) -> RatingNetwork {
        var source = try files.open(path, name: name)
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count = try source.read(into: chunk)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return try parse(bytes, name: name)
    }

    static let columns = ["source", "target", "rating", "time"]

    /// Parses the whole file's bytes.
    static func parse(_ bytes: [UInt8], name: String) throws(IngestError) -> RatingNetwork {
        var edges: [Edge] = []
        var low = Double.infinity, high = -Double.infinity
        var line = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            line += 1
            var content = bytes[start..<end]
            start = end + 1
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            if content.allSatisfy({ $0 == UInt8(ascii: " ") }) { continue }
            let fields = content.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(unquote)
            guard fields.count == 4 else {
                throw IngestError(file: name, line: line, problem: .wrongFieldCount(expected: 4, found: fields.count))
            }
            func problem(_ column: Int, _ value: ValueProblem) -> IngestError {
                IngestError(
                    file: name, line: line, column: ColumnSite(name: columns[column], index: column + 1),
                    value: String(decoding: fields[column].prefix(IngestError.valueLimit), as: UTF8.self),
                    problem: .value(value))
            }
            guard let rating = number(fields[2]) else {
                if edges.isEmpty && line == firstContentLine(bytes) { continue }
                throw problem(2, .notNumber)
            }
            for column in 0..<2 {
                if fields[column].isEmpty { throw problem(column, .missingValue) }
                if fields[column].count > FieldParser.maxIDBytes { throw problem(column, .idTooLong) }
            }
            guard !fields[3].isEmpty else { throw problem(3, .missingValue) }
            let time: Int64
            do throws(ValueProblem) {
                time = try wholeSeconds(fields[3])
            } catch {
                throw problem(3, error)
            }
            edges.append(
                Edge(
                    source: String(decoding: fields[0], as: UTF8.self), target: String(decoding: fields[1], as: UTF8.self),
                    rating: rating, time: time, line: line))
            low = min(low, rating)
            high = max(high, rating)
        }
        return RatingNetwork(edges: edges, observed: edges.isEmpty ? 0...0 : low...high)
    }

    /// The line number of the first non-blank line (where a header may be).
    private static func firstContentLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
            } else if bytes[index] != UInt8(ascii: " ") && bytes[index] != UInt8(ascii: "\r") {
                return line
            }
            index += 1
        }
        return line
    }

    /// A field without surrounding spaces and double quotes.
    private static func unquote(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var field = field
        while field.first == UInt8(ascii: " ") { field = field.dropFirst() }
        while field.last == UInt8(ascii: " ") { field = field.dropLast() }
        if field.count >= 2 && field.first == UInt8(ascii: "\"") && field.last == UInt8(ascii: "\"") {
            field = field.dropFirst().dropLast()
        }
        return field
    }

    /// A decimal number (`-10`, `4.5`, `+1`), or nil.
    private static func number(_ field: ArraySlice<UInt8>) -> Double? {
        guard !field.isEmpty,
            field.allSatisfy({ $0 &- 48 < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") })
        else { return nil }
        return Double(String(decoding: field, as: UTF8.self))
    }

    /// A time as whole Unix seconds: ISO 8601, or Unix seconds with any fraction dropped.
    private static func wholeSeconds(_ field: ArraySlice<UInt8>) throws(ValueProblem) -> Int64 {
        var field = field
        if let dot = field.firstIndex(of: UInt8(ascii: ".")), field[field.index(after: dot)...].allSatisfy({ $0 &- 48 < 10 }) {
            field = field[..<dot]
        }
        guard !field.isEmpty else { throw .notTime }
        do {
            return try Array(field).withUnsafeBytes { try FieldParser.time($0) }
        } catch let problem as ValueProblem {
            throw problem
        } catch {
            throw .notTime
        }
    }

    /// Stars 1...5 for `rating` on `scale`: linear, rounded half away from zero.
    public static func stars(_ rating: Double, scale: ClosedRange<Double>) -> Int {
        guard scale.upperBound > scale.lowerBound else { return 3 }
        let position = (rating - scale.lowerBound) / (scale.upperBound - scale.lowerBound)
        return min(5, max(1, 1 + Int((4 * position).rounded())))
    }

    /// Checks that every rating lies on `scale`; the error names the first that does not.
    public func check(scale: ClosedRange<Double>, file name: String) throws(IngestError) {
        guard let edge = edges.first(where: { !scale.contains($0.rating) }) else { return }
        throw IngestError(
            file: name, line: edge.line, column: ColumnSite(name: "rating", index: 3), value: "\(edge.rating)",
            problem: .value(.outsideScale("\(scale.lowerBound):\(scale.upperBound)")))
    }

    /// `ratings.csv` of the export: one row per edge, stars on `scale`, no order.
    public func ratingsCSV(scale: ClosedRange<Double>) -> String {
        var text = "order_id,buyer_id,shop_id,item_id,stars,created_at,text_len,has_media\n"
        for edge in edges {
            text += ",\(Self.csvField(edge.source)),\(Self.csvField(edge.target)),,\(Self.stars(edge.rating, scale: scale)),\(edge.time),,\n"
        }
        return text
    }

    /// `orders.csv` of the export: the required header and no rows.
    public static let ordersCSV = "order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to\n"

    /// An id as an RFC 4180 field: quoted when it holds a comma, quote or line break.
    static func csvField(_ id: String) -> String {
        guard id.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return id }
        return "\"" + id.map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\""
    }
}
