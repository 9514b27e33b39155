import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scan rows cut into partitions of consecutive waybill ids, in row order within each
/// partition: the first half of grouping scans by waybill. It takes two passes over
/// row slices in parallel (a count per slice and partition, with the ranges of the scan
/// columns, then a stable scatter of each scan packed into one 16-byte record,
/// `PackedScan`, so that each partition's scans lie together and its grouping reads one
/// sequence instead of all over the table, while the scatter writes one stream per
/// partition instead of one per column); no worker needs memory for the whole waybill
/// id space; each partition is later grouped by waybill on its own over its slice-local
/// range of ids. An export written waybill by waybill (ascending ids) is already
/// partitioned: one check pass finds it, and nothing is copied. An export whose columns
/// do not fit the record's widths (times over 136 years apart, ids or weights too large
/// together) has its row numbers partitioned instead, and is traced from its columns.
struct WaybillScanPartitions: @unchecked Sendable {
    /// Waybill ids per partition, as a power of two: a partition's counters (16 KB) and
    /// packed scans (about 9,000 of 4.5 a waybill, 16 bytes each: 144 KB) stay in a core's
    /// L2 cache while it is grouped and traced; 2,048 ids measured faster than 4,096 and
    /// 16,384 in time order (session 6, with 24-byte records) (fewer partitions would overflow the cache, more make the scatter write
    /// to more places at once).
    static let widthShift = 11
    static var width: Int { 1 << widthShift }

    /// Where the rows of the partitions are.
    enum Rows {
        /// In the export's own columns: the waybill ids never decrease over the rows, so
        /// every partition is already grouped by waybill.
        case ascending
        /// Moved, each scan packed by `layout`.
        case packed(OwnedBuffer<PackedScan>, layout: PackedScan.Layout)
        /// Row numbers of the export moved, for columns too wide for `PackedScan`.
        case numbers(OwnedBuffer<UInt32>)
    }

    let waybillCount: Int
    /// Positions `offsets[p] ..< offsets[p + 1]` of the export's rows (`ascending`), of
    /// the packed scans or of the row numbers are the rows of partition `p`, in row order.
    let offsets: [Int]
    let rows: Rows

    var partitionCount: Int { offsets.count - 1 }

    /// The waybill ids of partition `p`.
    func waybills(of partition: Int) -> Range<Int> {
        (partition << Self.widthShift)..<min(waybillCount, (partition + 1) << Self.widthShift)
    }

    /// The largest number of rows in one partition.
    var largest: Int {
        (0..<partitionCount).reduce(0) { max($0, offsets[$1 + 1] - offsets[$1]) }
    }

    /// Partitions the rows of `scans` (rows naming no waybill below `waybillCount` are
    /// left out) on up to `threads` cores.
    init(scans: ScanColumns, waybillCount: Int, threads: Int) {
        let waybills = scans.waybill
        self.waybillCount = waybillCount
        let shift = Self.widthShift
        let partitionCount = (waybillCount + Self.width - 1) >> shift
        if Self.isAscending(waybills) {
            offsets = Self.ascending(waybills, waybillCount: waybillCount, partitionCount: partitionCount)
            rows = .ascending
            return
        }
        let keys = SharedKeys(keys: waybills)
        let slices = ParallelRows.slices(count: waybills.count, threads: threads)
        // Per slice, rows per partition (the extra last slot counts rows left out) and
        // what its columns hold, for the record's widths.
        let counted = ConcurrentTasks.map(count: slices.count, threads: slices.count) { slice -> ([Int], ScanRanges) in
            var counts = [Int](repeating: 0, count: partitionCount + 1)
            counts.withUnsafeMutableBufferPointer { counts in
                Self.countPartitions(UnsafeBufferPointer(rebasing: keys.keys[slices[slice]]), into: counts, waybillCount: waybillCount)
            }
            return (counts, ScanRanges(scans, rows: slices[slice]))
        }
        let counts = counted.map(\.0)
        var offsets = [Int](repeating: 0, count: partitionCount + 1)
        for partition in 0..<partitionCount {
            offsets[partition + 1] = offsets[partition] + counts.reduce(0) { $0 + $1[partition] }
        }
        // Each slice writes behind the rows of the slices before it, so rows stay ascending.
        var cursors: [[Int]] = []
        var before = [Int](offsets.dropLast())
        for slice in slices.indices {
            cursors.append(before + [0])
            for partition in 0..<partitionCount { before[partition] += counts[slice][partition] }
        }
        let starts = cursors, total = offsets[partitionCount]
        self.offsets = offsets
        if let layout = PackedScan.Layout(counted.dropFirst().reduce(counted[0].1) { $0.merged($1.1) }) {
            let packed = OwnedBuffer<PackedScan>(count: total)
            _ = ConcurrentTasks.map(count: slices.count, threads: slices.count) { slice in
                var cursor = starts[slice]
                cursor.withUnsafeMutableBufferPointer { cursor in
                    Self.scatter(scans, rows: slices[slice], cursors: cursor, into: packed.values, layout: layout, waybillCount: waybillCount)
                }
            }
            rows = .packed(packed, layout: layout)
        } else {
            let numbers = OwnedBuffer<UInt32>(count: total)
            _ = ConcurrentTasks.map(count: slices.count, threads: slices.count) { slice in
                var cursor = starts[slice]
                cursor.withUnsafeMutableBufferPointer { cursor in
                    Self.scatterNumbers(keys.keys, rows: slices[slice], cursors: cursor, into: numbers.values, waybillCount: waybillCount)
                }
            }
            rows = .numbers(numbers)
        }
    }

    /// Gives the whole memory pages of the moved rows at `positions` back to the kernel:
    /// scans already grouped, which nothing reads again. The trace's output arrays,
    /// faulted in while the copy is read, then take those pages (recently written, cheap
    /// to clear) instead of fresh ones, which on this kind of virtual machine cost tens of
    /// times more the first time they are touched. Returns the first position whose bytes
    /// are not all released, where the next call should start.
    func release(_ positions: Range<Int>) -> Int {
        switch rows {
        case .ascending: positions.upperBound
        case .packed(let packed, _): Self.release(positions, of: packed.values)
        case .numbers(let numbers): Self.release(positions, of: numbers.values)
        }
    }

    private static func release<Element>(_ positions: Range<Int>, of buffer: UnsafeMutableBufferPointer<Element>) -> Int {
        let stride = MemoryLayout<Element>.stride
        let bytes = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[
            (positions.lowerBound &* stride)..<(positions.upperBound &* stride)])
        guard let end = HugePages.release(bytes) else { return positions.lowerBound }
        return (end - Int(bitPattern: buffer.baseAddress)) / stride
    }

    /// Whether `keys` never decrease: an export written waybill by waybill. Compares
    /// eight keys with their successors at a time, then the rest one by one; stops at
    /// the end of the first block of `checkBlock` keys holding a descent, so rows logged in
    /// time order are told apart after a few keys instead of a pass over the column.
    static func isAscending(_ keys: UnsafeBufferPointer<UInt32>) -> Bool {
        guard keys.count > 1, let base = keys.baseAddress else { return true }
        let raw = UnsafeRawPointer(base), stride = MemoryLayout<UInt32>.stride
        var descents = SIMDMask<SIMD8<Int32>>(repeating: false)
        var index = 0
        while index &+ 9 <= keys.count {
            let these = raw.loadUnaligned(fromByteOffset: index &* stride, as: SIMD8<UInt32>.self)
            let next = raw.loadUnaligned(fromByteOffset: (index &+ 1) &* stride, as: SIMD8<UInt32>.self)
            descents = descents .| (next .< these)
            index &+= 8
            if index & (checkBlock &- 1) == 0 && any(descents) { return false }
        }
        if any(descents) { return false }
        while index &+ 1 < keys.count {
            if keys[index &+ 1] < keys[index] { return false }
            index &+= 1
        }
        return true
    }

    /// Keys compared between two looks for a descent in `isAscending` (a power of two).
    static let checkBlock = 1 << 10

    /// The partitions of ascending `keys` without moving a row: each partition is the run
    /// of rows from the first key in its id range (found by binary search), and the rows
    /// naming no waybill below `waybillCount` are the tail.
    static func ascending(
        _ keys: UnsafeBufferPointer<UInt32>, waybillCount: Int, partitionCount: Int
    ) -> [Int] {
        (0...partitionCount).map { partition in
            let key = min(waybillCount, partition << widthShift)
            return keys.lowerBound { Int($0) < key }
        }
    }

    /// Adds each key's partition to `counts` (keys not below `waybillCount` to the last slot).
    static func countPartitions(_ keys: UnsafeBufferPointer<UInt32>, into counts: UnsafeMutableBufferPointer<Int>, waybillCount: Int) {
        let outside = counts.count &- 1
        for key in keys {
            let partition = Int(key) < waybillCount ? Int(key) >> widthShift : outside
            counts[partition] &+= 1
        }
    }

    /// Packs each scan of `range` whose waybill is below `waybillCount` into `packed` at
    /// its partition's cursor.
    static func scatter(
        _ scans: ScanColumns, rows range: Range<Int>, cursors: UnsafeMutableBufferPointer<Int>,
        into packed: UnsafeMutableBufferPointer<PackedScan>, layout: PackedScan.Layout, waybillCount: Int
    ) {
        let local = width &- 1
        // The columns' addresses in locals, read once rather than at each row.
        let waybills = scans.waybill, times = scans.at, orders = scans.order, couriers = scans.courier
        let locations = scans.location, grams = scans.grams, events = scans.event
        for row in range {
            let key = Int(waybills[row])
            guard key < waybillCount else { continue }
            let partition = key >> widthShift
            let position = cursors[partition]
            cursors[partition] = position &+ 1
            packed[position] = layout.pack(
                at: times[row], order: orders[row], courier: couriers[row], location: locations[row], grams: grams[row],
                waybill: key & local, event: events[row])
        }
    }

    /// Writes the number of each row of `range` whose waybill is below `waybillCount` into
    /// `numbers` at its partition's cursor.
    static func scatterNumbers(
        _ waybills: UnsafeBufferPointer<UInt32>, rows range: Range<Int>, cursors: UnsafeMutableBufferPointer<Int>,
        into numbers: UnsafeMutableBufferPointer<UInt32>, waybillCount: Int
    ) {
        for row in range {
            let key = Int(waybills[row])
            guard key < waybillCount else { continue }
            let partition = key >> widthShift
            numbers[cursors[partition]] = UInt32(truncatingIfNeeded: row)
            cursors[partition] &+= 1
        }
    }
}

/// What the scan columns of some rows hold at most (and, for times, at least): the
/// widths `PackedScan.Layout` gives its fields. Ids and weights are kept plus one
/// (wrapping), so that a missing one (`IdDictionary.absent`, `Missing.count`) is 0; each
/// is the bitwise or of its column, whose highest bit is the width's.
struct ScanRanges {
    /// The earliest time less one, over the scans with a time (`Int64.max`: none;
    /// `Missing.time` less one wraps to it, so the minimum skips missing times).
    var beforeEarliest = Int64.max
    /// The latest time (`Missing.time`: no scan has one).
    var latest = Missing.time
    var events: UInt8 = 0
    var locations: UInt32 = 0
    var couriers: UInt32 = 0
    var grams: UInt32 = 0

    /// The ranges of `scans` over `rows`: one pass per column, which the compiler vectorises.
    init(_ scans: ScanColumns, rows: Range<Int>) {
        for at in scans.at[rows] {
            beforeEarliest = min(beforeEarliest, at &- 1)
            latest = max(latest, at)
        }
        for event in scans.event[rows] { events |= event }
        for location in scans.location[rows] { locations |= location &+ 1 }
        for courier in scans.courier[rows] { couriers |= courier &+ 1 }
        for grams in scans.grams[rows] { self.grams |= UInt32(bitPattern: grams) &+ 1 }
    }

    private init() {}

    /// The ranges of both row sets.
    func merged(_ other: ScanRanges) -> ScanRanges {
        var merged = ScanRanges()
        merged.beforeEarliest = min(beforeEarliest, other.beforeEarliest)
        merged.latest = max(latest, other.latest)
        merged.events = events | other.events
        merged.locations = locations | other.locations
        merged.couriers = couriers | other.couriers
        merged.grams = grams | other.grams
        return merged
    }
}

/// One scan in a single 16-byte record (the columns' 29 bytes less the waybill's high
/// bits and the unused high bits of the rest): what the partitioning scatter writes, so
/// that each partition is one stream of writes and of reads instead of seven, and the
/// fresh pages of the copy (whose clearing is a large part of grouping rows logged in
/// time order) are as few as can be. The time is kept in 32 bits counted from the
/// export's earliest, the order as it is, and the waybill within its partition, event,
/// location, outlet and weight in one 64-bit word, each as wide as the export's largest
/// value needs (`Layout`).
struct PackedScan {
    /// The time in seconds after `Layout.timeBase`, 0 for a missing time.
    let at: UInt32
    let order: UInt32
    /// From the lowest bit: the waybill id within its partition
    /// (`WaybillScanPartitions.widthShift` bits), the event, the location plus one, the
    /// outlet plus one and the weight plus one, at `Layout`'s shifts.
    let fields: UInt64

    /// Where a packed scan keeps each field, from the ranges of the export's columns:
    /// every value of those columns comes back exact.
    struct Layout: Sendable, Equatable {
        /// The earliest time less one: a scan's time is this plus its `at`.
        let timeBase: Int64
        let eventMask: UInt64
        let locationShift: UInt64, locationMask: UInt64
        let courierShift: UInt64, courierMask: UInt64
        let gramsShift: UInt64, gramsMask: UInt64

        static let eventShift = UInt64(WaybillScanPartitions.widthShift)

        /// The layout for columns in `ranges`; nil when they do not fit: times more than
        /// 2^32 - 2 seconds (136 years) apart, or event, location, outlet and weight
        /// needing more than the 53 bits left.
        init?(_ ranges: ScanRanges) {
            if ranges.latest == Missing.time {
                timeBase = 0
            } else {
                // latest >= earliest = beforeEarliest + 1, so the difference is exact unsigned.
                guard UInt64(bitPattern: ranges.latest &- ranges.beforeEarliest) < UInt64(UInt32.max) else { return nil }
                timeBase = ranges.beforeEarliest
            }
            func width<Value: FixedWidthInteger>(_ value: Value) -> UInt64 { UInt64(Value.bitWidth - value.leadingZeroBitCount) }
            func mask(_ width: UInt64) -> UInt64 { width == 0 ? 0 : ~0 >> (64 - width) }
            let events = width(ranges.events), locations = width(ranges.locations)
            let couriers = width(ranges.couriers), grams = width(ranges.grams)
            guard Self.eventShift + events + locations + couriers + grams <= 64 else { return nil }
            eventMask = mask(events)
            locationShift = Self.eventShift + events
            locationMask = mask(locations)
            courierShift = locationShift + locations
            courierMask = mask(couriers)
            gramsShift = courierShift + couriers
            gramsMask = mask(grams)
        }

        /// A scan of these fields, whose waybill is `waybill` within its partition.
        @inline(__always)
        func pack(at: Int64, order: UInt32, courier: UInt32, location: UInt32, grams: Int32, waybill: Int, event: UInt8) -> PackedScan {
            // A field of no width is 0 for every scan, so its shift (64 for the last) is
            // never needed: the masking shift may wrap.
            let fields = UInt64(truncatingIfNeeded: waybill) | UInt64(event) &<< Self.eventShift
                | UInt64(location &+ 1) &<< locationShift | UInt64(courier &+ 1) &<< courierShift
                | UInt64(UInt32(bitPattern: grams) &+ 1) &<< gramsShift
            return PackedScan(
                at: at == Missing.time ? 0 : UInt32(truncatingIfNeeded: at &- timeBase), order: order, fields: fields)
        }

        @inline(__always) func at(_ scan: PackedScan) -> Int64 { scan.at == 0 ? Missing.time : timeBase &+ Int64(scan.at) }
        @inline(__always) func waybill(_ scan: PackedScan) -> Int { Int(truncatingIfNeeded: scan.fields) & (WaybillScanPartitions.width &- 1) }
        @inline(__always) func event(_ scan: PackedScan) -> UInt8 { UInt8(truncatingIfNeeded: scan.fields &>> Self.eventShift & eventMask) }
        @inline(__always) func location(_ scan: PackedScan) -> UInt32 { Self.id(scan.fields &>> locationShift & locationMask) }
        @inline(__always) func courier(_ scan: PackedScan) -> UInt32 { Self.id(scan.fields &>> courierShift & courierMask) }
        @inline(__always) func grams(_ scan: PackedScan) -> Int32 { Int32(bitPattern: Self.id(scan.fields &>> gramsShift & gramsMask)) }

        /// A value kept plus one.
        @inline(__always) private static func id(_ field: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: field) &- 1 }
    }
}

/// A key column shared read-only by the workers of one pass.
struct SharedKeys: @unchecked Sendable {
    let keys: UnsafeBufferPointer<UInt32>
}

/// Memory this object owns, so that concurrent workers may write disjoint ranges of it
/// (never through an array's `withUnsafeMutableBufferPointer`).
final class OwnedBuffer<Element>: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Element>
    /// Uninitialized memory for `count` trivial values, each written once before it is read.
    init(count: Int) {
        values = UnsafeMutableBufferPointer(
            start: HugePages.allocate(bytes: max(1, count) * MemoryLayout<Element>.stride).bindMemory(to: Element.self, capacity: max(1, count)),
            count: max(1, count))
    }
    deinit { free(values.baseAddress) }
}
