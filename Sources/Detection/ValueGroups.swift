import Columnar

/// A value of each row grouped by a key of the row, by a counting sort that moves the
/// values themselves into group order (`EntityGroups` moves row numbers). A pass over a
/// group then reads its values in sequence, where row numbers would send it to scattered
/// places of each column it needs: over millions of rows, a cache miss per value.
struct ValueGroups<Value> {
    /// `values[offsets[g] ..< offsets[g + 1]]` are the values of group `g`.
    let offsets: [Int]
    /// The values of rows with a key, by group, each group in row order.
    let values: [Value]

    /// Groups rows `0..<rows` by `key(row)` (rows whose key is `groups` or more, such as
    /// `IdDictionary.absent`, are left out), keeping `value(row)` of each; `key` is read
    /// twice per row (a count, then a placement), so it must give the same key both times.
    @inline(__always)
    init(rows: Int, groups: Int, key: (Int) -> UInt32, value: (Int) -> Value) {
        var offsets = [Int](repeating: 0, count: groups + 1)
        offsets.withUnsafeMutableBufferPointer { offsets in
            for row in 0..<rows {
                let group = Int(key(row))
                if group < groups { offsets[group &+ 1] &+= 1 }
            }
            for group in 0..<groups { offsets[group &+ 1] &+= offsets[group] }
        }
        var cursor = offsets
        let total = offsets[groups]
        values = [Value](unsafeUninitializedCapacity: total) { values, placed in
            cursor.withUnsafeMutableBufferPointer { cursor in
                for row in 0..<rows {
                    let group = Int(key(row))
                    guard group < groups else { continue }
                    (values.baseAddress! + cursor[group]).initialize(to: value(row))
                    cursor[group] &+= 1
                }
            }
            placed = total
        }
        self.offsets = offsets
    }

    /// The values of `group`, in row order.
    func values(of group: Int) -> ArraySlice<Value> { values[offsets[group]..<offsets[group + 1]] }
}
