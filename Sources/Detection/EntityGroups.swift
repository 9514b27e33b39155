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
    public init(keys: Column<UInt32>, entityCount: Int, orderedBy times: Column<Int64>? = nil) {
        var offsets = [Int](repeating: 0, count: entityCount + 1)
        var rows: [UInt32] = []
        keys.withUnsafeBufferPointer { keys in
            offsets.withUnsafeMutableBufferPointer { offsets in
                for key in keys where key != IdDictionary.absent {
                    offsets[Int(key) &+ 1] &+= 1
                }
                for entity in 0..<entityCount {
                    offsets[entity &+ 1] &+= offsets[entity]
                }
            }
            var cursor = offsets
            rows = [UInt32](repeating: 0, count: offsets[entityCount])
            cursor.withUnsafeMutableBufferPointer { cursor in
                rows.withUnsafeMutableBufferPointer { rows in
                    for row in 0..<keys.count where keys[row] != IdDictionary.absent {
                        let key = Int(keys[row])
                        rows[cursor[key]] = UInt32(truncatingIfNeeded: row)
                        cursor[key] &+= 1
                    }
                }
            }
        }
        if let times {
            offsets.withUnsafeBufferPointer { offsets in
                times.withUnsafeBufferPointer { times in
                    rows.withUnsafeMutableBufferPointer { rows in
                        Self.orderGroups(rows, offsets: offsets, by: times)
                    }
                }
            }
        }
        self.offsets = offsets
        self.rows = rows
    }

    /// Groups the rows of a column built on the way (not a table's).
    public init(keys: [UInt32], entityCount: Int) {
        self.init(keys: Column(keys), entityCount: entityCount)
    }

    /// Orders each group of `rows` (in row order on entry) by `times`, ties by row:
    /// groups already in order are only checked, the others put right by `orderByTime`
    /// (an insertion from the first row out of order on, or a sort of the whole group
    /// beyond 32 rows).
    static func orderGroups(
        _ rows: UnsafeMutableBufferPointer<UInt32>, offsets: UnsafeBufferPointer<Int>, by times: UnsafeBufferPointer<Int64>
    ) {
        for entity in 0..<(offsets.count &- 1) {
            let start = offsets[entity], end = offsets[entity &+ 1]
            if end &- start < 2 { continue }
            var previous = times[Int(rows[start])]
            var firstOut = end
            for index in (start &+ 1)..<end {
                let time = times[Int(rows[index])]
                if time < previous {
                    firstOut = index
                    break
                }
                previous = time
            }
            if firstOut == end { continue }
            Self.orderByTime(UnsafeMutableBufferPointer(rebasing: rows[start..<end]), sortedPrefix: firstOut &- start) {
                times[Int($0)]
            }
        }
    }

    /// Orders `rows` (ascending on entry, the first `sortedPrefix` of them already in
    /// order) by `time` of each row, ties by row: a stable insertion sort for a short group
    /// (stable keeps ties in row order), a sort by (time, row) for a long one. Groups by
    /// time and a waybill's scans whose times are out of order (`WaybillTrajectory.trace`)
    /// are both put right by it.
    @inline(__always)
    static func orderByTime(_ rows: UnsafeMutableBufferPointer<UInt32>, sortedPrefix: Int, time: (UInt32) -> Int64) {
        guard rows.count > 1 else { return }
        if rows.count <= 32 {
            for index in max(1, sortedPrefix)..<rows.count {
                let row = rows[index], rowTime = time(row)
                var slot = index
                while slot > 0 && time(rows[slot &- 1]) > rowTime {
                    rows[slot] = rows[slot &- 1]
                    slot &-= 1
                }
                rows[slot] = row
            }
        } else {
            var rows = rows
            rows.sort { (a: UInt32, b: UInt32) -> Bool in
                let timeA = time(a), timeB = time(b)
                return timeA < timeB || (timeA == timeB && a < b)
            }
        }
    }

    public var entityCount: Int { offsets.count - 1 }

    /// The rows of `entity`.
    public func rows(of entity: Int) -> ArraySlice<UInt32> {
        rows[offsets[entity]..<offsets[entity + 1]]
    }

    /// The number of rows of `entity`.
    public func count(of entity: Int) -> Int { offsets[entity + 1] - offsets[entity] }
}
