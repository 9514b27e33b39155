/// What one waybill counts towards in the shares of its shops, buyers and outlet, one
/// bit each: the marks `MarkCounts` adds up, gathered in one pass over the waybills so
/// that counting reads one byte per row instead of the tells, the verdict and each mark
/// from arrays of their own. `.shipped` is set on every waybill: its lane counts the rows.
struct WaybillMarks: OptionSet, Sendable {
    let rawValue: UInt8

    static let shipped = WaybillMarks(rawValue: 1 << 0)
    /// Looks empty (`ParcelTells.looksEmpty`).
    static let empty = WaybillMarks(rawValue: 1 << 1)
    static let signedAtCounter = WaybillMarks(rawValue: 1 << 2)
    static let reusedNumber = WaybillMarks(rawValue: 1 << 3)
    static let weightless = WaybillMarks(rawValue: 1 << 4)
    /// A tell no genuine parcel shows (`ParcelTells.conclusive`).
    static let conclusive = WaybillMarks(rawValue: 1 << 5)
    /// Bought for a fake order: looks empty, starts remote, or begins its route at another
    /// area's hub where its outlet and its shop both have more such waybills than chance gives.
    static let bought = WaybillMarks(rawValue: 1 << 6)
    /// Starts away from its shop's goods at an outlet with a remote clientele (`ParcelOrigins.remoteStart`).
    static let remoteStart = WaybillMarks(rawValue: 1 << 7)

    /// The marks of a waybill with `tells` that looks `empty`, is `bought` and starts remote or not.
    init(_ tells: ParcelTells, empty: Bool, bought: Bool, remoteStart: Bool) {
        var marks: WaybillMarks = .shipped
        if empty { marks.insert(.empty) }
        if tells.contains(.signedAtCounter) { marks.insert(.signedAtCounter) }
        if tells.contains(.reusedNumber) { marks.insert(.reusedNumber) }
        if tells.contains(.weightless) { marks.insert(.weightless) }
        if !tells.isDisjoint(with: .conclusive) { marks.insert(.conclusive) }
        if bought { marks.insert(.bought) }
        if remoteStart { marks.insert(.remoteStart) }
        self = marks
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }
}

/// Per entity, how many rows name it and how many of those ship on a waybill with each
/// mark (`WaybillMarks`) that a signal counts: dense counters filled in one pass over the rows.
struct MarkCounts {
    var total: [UInt32]
    var empty: [UInt32]
    var signedAtCounter: [UInt32]
    var reusedNumber: [UInt32]
    var weightless: [UInt32]
    var conclusive: [UInt32]
    var bought: [UInt32]
    var remoteStart: [UInt32]

    /// Counts the rows of `entityOf` (entities at or above `entityCount` left out); row
    /// `r` ships on waybill `waybillOf[r]`, or on waybill `r` when `waybillOf` is nil
    /// (rows on a waybill outside `marks` left out). An entity's eight counts lie side by
    /// side while counting (`count`), then are split into the named arrays.
    init(entityOf: [UInt32], waybillOf: [UInt32]?, entityCount: Int, marks: [WaybillMarks]) {
        var counts = [SIMD8<UInt32>](repeating: .zero, count: entityCount)
        counts.withUnsafeMutableBufferPointer { counts in
            entityOf.withUnsafeBufferPointer { entityOf in
                marks.withUnsafeBufferPointer { marks in
                    marks.withMemoryRebound(to: UInt8.self) { marks in
                        if let waybillOf {
                            waybillOf.withUnsafeBufferPointer { waybillOf in
                                Self.count(entityOf, waybillOf: waybillOf, marks: marks, into: counts)
                            }
                        } else {
                            Self.count(entityOf, waybillOf: nil, marks: marks, into: counts)
                        }
                    }
                }
            }
        }
        func lane(_ mark: WaybillMarks) -> [UInt32] {
            let lane = mark.rawValue.trailingZeroBitCount
            return [UInt32](unsafeUninitializedCapacity: counts.count) { values, written in
                for entity in counts.indices { values[entity] = counts[entity][lane] }
                written = counts.count
            }
        }
        total = lane(.shipped)
        empty = lane(.empty)
        signedAtCounter = lane(.signedAtCounter)
        reusedNumber = lane(.reusedNumber)
        weightless = lane(.weightless)
        conclusive = lane(.conclusive)
        bought = lane(.bought)
        remoteStart = lane(.remoteStart)
    }

    /// The counting kernel: for each row whose entity is below `counts.count` and whose
    /// waybill (`waybillOf[row]`, or `row` when nil) is below `marks.count`, adds each bit
    /// of the waybill's mark byte to its lane of the entity's counts (bit `b` to lane `b`):
    /// one vector add per row of the byte's row of `laneIncrements` (8 KB, in L1).
    static func count(
        _ entityOf: UnsafeBufferPointer<UInt32>, waybillOf: UnsafeBufferPointer<UInt32>?, marks: UnsafeBufferPointer<UInt8>,
        into counts: UnsafeMutableBufferPointer<SIMD8<UInt32>>
    ) {
        laneIncrements.withUnsafeBufferPointer { increments in
            @inline(__always) func add(_ entity: UInt32, _ waybill: Int) {
                guard Int(entity) < counts.count, waybill < marks.count else { return }
                counts[Int(entity)] &+= increments[Int(marks[waybill])]
            }
            if let waybillOf {
                for row in entityOf.indices { add(entityOf[row], Int(waybillOf[row])) }
            } else {
                for row in entityOf.indices { add(entityOf[row], row) }
            }
        }
    }

    /// Per mark byte, its eight bits as lanes of 0 or 1 (bit `b` in lane `b`).
    static let laneIncrements: [SIMD8<UInt32>] = (0..<256).map { byte in
        SIMD8<UInt32>(repeating: UInt32(byte)) &>> SIMD8(0, 1, 2, 3, 4, 5, 6, 7) & 1
    }

    /// Per entity below `entityCount`, how many rows of `entityOf` ship on a `marked`
    /// waybill: row `r` on waybill `waybillOf[r]` (absent: none), or on waybill `r` when
    /// `waybillOf` is nil: for a per-waybill mark that `init` does not count (a client waybill).
    static func marked(_ marked: [Bool], entityOf: [UInt32], waybillOf: [UInt32]?, entityCount: Int) -> [UInt32] {
        var counts = [UInt32](repeating: 0, count: entityCount)
        for (row, entity) in entityOf.enumerated() where Int(entity) < entityCount {
            let waybill = waybillOf.map { Int($0[row]) } ?? row
            if waybill < marked.count && marked[waybill] { counts[Int(entity)] &+= 1 }
        }
        return counts
    }

    /// Per entity, `hits` over `totals`; `.nan` below `minimumRows` total rows.
    static func shares(_ hits: [UInt32], of totals: [UInt32], minimumRows: Int) -> [Double] {
        zip(hits, totals).map { hits, total in
            total >= max(1, minimumRows) ? Double(hits) / Double(total) : .nan
        }
    }
}
