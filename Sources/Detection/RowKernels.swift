import Columnar

/// Per-row results written by concurrent workers into disjoint rows (each worker owns
/// whole groups, and groups partition the rows), read back as a plain array. The rows
/// live in memory the class owns: writing through an array's
/// `withUnsafeMutableBufferPointer` from several threads races on the array itself.
final class DisjointRows<Value: Sendable>: @unchecked Sendable {
    private let values: UnsafeMutableBufferPointer<Value>
    init(count: Int, initial: Value) {
        values = .allocate(capacity: count)
        values.initialize(repeating: initial)
    }
    func set(_ row: Int, _ value: Value) { values[row] = value }
    var result: [Value] { Array(values) }
    deinit {
        values.deinitialize()
        values.deallocate()
    }
}

/// Kernels over rows grouped by an entity that several detectors share.
public enum RowKernels {
    /// For every row, how many distinct `member`s use the row's `identity` within the
    /// row's group (0 where the identity is absent). With groups by shop, identity the
    /// device and member the buyer, it is "buyers of this shop on this device"; with
    /// groups by device it is "buyers on this device" across the whole export.
    public static func distinctMembersSharingIdentity(
        groups: EntityGroups, identity: Column<UInt32>, member: Column<UInt32>, threads: Int
    ) -> [UInt32] {
        let output = DisjointRows<UInt32>(count: identity.count, initial: 0)
        _ = ParallelRows.map(count: groups.entityCount, threads: threads) { entities -> Int in
            var keyed: [(key: UInt64, row: UInt32)] = []
            for entity in entities {
                keyed.removeAll(keepingCapacity: true)
                for row in groups.rows(of: entity) where identity[Int(row)] != IdDictionary.absent {
                    keyed.append((UInt64(identity[Int(row)]) << 32 | UInt64(member[Int(row)]), row))
                }
                if keyed.count < 2 {
                    for item in keyed { output.set(Int(item.row), 1) }
                    continue
                }
                keyed.sort { $0.key < $1.key }
                var start = 0
                while start < keyed.count {
                    let shared = keyed[start].key >> 32
                    var end = start
                    var distinct: UInt32 = 0
                    var previous: UInt64 = .max
                    while end < keyed.count && keyed[end].key >> 32 == shared {
                        if keyed[end].key != previous { distinct += 1 }
                        previous = keyed[end].key
                        end += 1
                    }
                    for index in start..<end { output.set(Int(keyed[index].row), distinct) }
                    start = end
                }
            }
            return 0
        }
        return output.result
    }

    /// For every entity of `groups`, the share of its rows for which `flag` holds;
    /// `.nan` for an entity with fewer than `minimumRows` rows.
    public static func share(groups: EntityGroups, minimumRows: Int = 1, _ flag: (Int) -> Bool) -> [Double] {
        (0..<groups.entityCount).map { entity in
            let rows = groups.rows(of: entity)
            guard rows.count >= max(1, minimumRows) else { return .nan }
            var hits = 0
            for row in rows where flag(Int(row)) { hits += 1 }
            return Double(hits) / Double(rows.count)
        }
    }
}
