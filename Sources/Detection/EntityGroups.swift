import Columnar

/// The rows of a table grouped by an entity column (compressed sparse rows): for each
/// entity, the row numbers that name it, optionally ordered by a time column. Built
/// once in linear time by a counting sort, it is how detectors walk "each shop's orders
/// in time order" or "each waybill's scans" without hashing or object graphs.
public struct EntityGroups: Sendable {
    /// `rows[offsets[e] ..< offsets[e + 1]]` are the rows of entity `e`.
    public let offsets: [Int]
    public let rows: [UInt32]

    /// Groups `0..<keys.count` by `keys` (rows whose key is `IdDictionary.absent` are
    /// left out); within a group rows keep file order, or `times` order when given
    /// (ties by row number).
    public init(keys: [UInt32], entityCount: Int, orderedBy times: [Int64]? = nil) {
        var offsets = [Int](repeating: 0, count: entityCount + 1)
        for key in keys where key != IdDictionary.absent {
            offsets[Int(key) + 1] &+= 1
        }
        for entity in 0..<entityCount {
            offsets[entity + 1] &+= offsets[entity]
        }
        var cursor = offsets
        var rows = [UInt32](repeating: 0, count: offsets[entityCount])
        for (row, key) in keys.enumerated() where key != IdDictionary.absent {
            rows[cursor[Int(key)]] = UInt32(row)
            cursor[Int(key)] &+= 1
        }
        if let times {
            for entity in 0..<entityCount {
                let group = offsets[entity]..<offsets[entity + 1]
                if group.count < 2 { continue }
                var sorted = true
                for index in group.dropFirst() where times[Int(rows[index - 1])] > times[Int(rows[index])] {
                    sorted = false
                    break
                }
                if !sorted {
                    rows[group].sort { times[Int($0)] < times[Int($1)] || (times[Int($0)] == times[Int($1)] && $0 < $1) }
                }
            }
        }
        self.offsets = offsets
        self.rows = rows
    }

    public var entityCount: Int { offsets.count - 1 }

    /// The rows of `entity`.
    public func rows(of entity: Int) -> ArraySlice<UInt32> {
        rows[offsets[entity]..<offsets[entity + 1]]
    }

    /// The number of rows of `entity`.
    public func count(of entity: Int) -> Int { offsets[entity + 1] - offsets[entity] }
}
