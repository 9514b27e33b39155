import Columnar

/// What loading an export did: per file rows, bytes and time, the counted warnings, and
/// the time range of the orders. Distinct entities per id space are in the export's
/// dictionaries. `creditwatch inspect` prints it; benchmarks measure with it.
public struct LoadReport: Sendable {
    /// The files read, in reading order (orders first).
    public var files: [FileLoad] = []
    /// Wall-clock seconds for the whole load.
    public var seconds: Double = 0
    /// Earliest and latest `created_at` of the orders; nil when there are none.
    public var orderTimes: ClosedRange<Int64>?

    public init() {}

    public var rows: Int { files.reduce(0) { $0 + $1.rows } }
    public var bytesDecoded: Int { files.reduce(0) { $0 + $1.bytesDecoded } }
    /// Uncompressed CSV megabytes (10^6 bytes) per second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytesDecoded) / 1e6 / seconds : 0 }
    public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
}

/// How one file of an export was read.
public struct FileLoad: Sendable {
    /// The file's name in the folder (`orders.csv` or `orders.csv.lz4`).
    public var name: String
    public var rows: Int
    /// Bytes taken from disk (compressed bytes for `.lz4`).
    public var bytesRead: Int
    /// CSV bytes after decompression.
    public var bytesDecoded: Int
    public var seconds: Double
    /// Ratings or scan events naming an order that is not in the export (kept, with
    /// `IdDictionary.absent` as their order row).
    public var unknownOrders: WarningTally
    /// For a native (`.cwseg`) file, its columns with stored and raw sizes; empty for CSV.
    public var segmentColumns: [SegmentColumn] = []
}

/// A counted warning with the first few occurrences as examples (file:line:column and
/// value), so a report stays short however often it happens.
public struct WarningTally: Sendable, Equatable {
    public static let exampleLimit = 3

    public private(set) var count = 0
    public private(set) var examples: [String] = []

    public init() {}

    mutating func add(_ example: @autoclosure () -> String) {
        count += 1
        if examples.count < Self.exampleLimit { examples.append(example()) }
    }
}
