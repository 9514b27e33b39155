import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scan rows cut into partitions of consecutive waybill ids, in row order within each
/// partition: the first half of grouping scans by waybill. It takes two passes over
/// row slices in parallel (a count per slice and partition, then a stable scatter of
/// each scan packed into one record, `PackedScan`, so that each partition's scans lie
/// together and its grouping reads one sequence instead of all over the table, while
/// the scatter writes one stream per partition instead of one per column); no worker
/// needs memory for the whole waybill id space; each partition is later grouped by
/// waybill on its own over its slice-local range of ids. An export written waybill by
/// waybill (ascending ids) is already partitioned: one check pass finds it, and
/// nothing is copied.
struct WaybillScanPartitions: @unchecked Sendable {
    /// Waybill ids per partition, as a power of two: a partition's counters (16 KB) and
    /// unpacked scans (about 9,000 of 4.5 a waybill: 270 KB) stay in a core's L2 cache
    /// while it is grouped and traced; 2,048 ids measured faster than 4,096 and 16,384 in
    /// time order (fewer partitions would overflow the cache, more make the scatter write
    /// to more places at once).
    static let widthShift = 11
    static var width: Int { 1 << widthShift }

    let waybillCount: Int
    /// Rows `offsets[p] ..< offsets[p + 1]` of the export's columns (when `ascending`) or
    /// of `packed` are the rows of partition `p`, in row order.
    let offsets: [Int]
    /// The scans in partition order when they had to be moved (nil: the export's own).
    let packed: OwnedBuffer<PackedScan>?
    /// The times of the packed scans whose time lies outside `PackedScan`'s 40 bits, by
    /// position in `packed` (none in any real export: 2^39 seconds are 17,000 years).
    let outsideTimes: [Int: Int64]
    /// Whether the waybill ids never decrease over the rows, so every partition is
    /// already grouped by waybill.
    let ascending: Bool

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
        ascending = Self.isAscending(waybills)
        if ascending {
            offsets = Self.ascending(waybills, waybillCount: waybillCount, partitionCount: partitionCount)
            packed = nil
            outsideTimes = [:]
            return
        }
        let keys = SharedKeys(keys: waybills)
        let slices = ParallelRows.slices(count: waybills.count, threads: threads)
        // Per slice, rows per partition; the extra last slot counts rows left out.
        let counts = ConcurrentTasks.map(count: slices.count, threads: slices.count) { slice -> [Int] in
            var counts = [Int](repeating: 0, count: partitionCount + 1)
            counts.withUnsafeMutableBufferPointer { counts in
                Self.countPartitions(UnsafeBufferPointer(rebasing: keys.keys[slices[slice]]), into: counts, waybillCount: waybillCount)
            }
            return counts
        }
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
        let packed = OwnedBuffer<PackedScan>(count: offsets[partitionCount])
        let starts = cursors
        let outside = ConcurrentTasks.map(count: slices.count, threads: slices.count) { slice -> [(Int, Int64)] in
            var cursor = starts[slice]
            var outside: [(Int, Int64)] = []
            cursor.withUnsafeMutableBufferPointer { cursor in
                Self.scatter(
                    scans, rows: slices[slice], cursors: cursor, into: packed.values, waybillCount: waybillCount,
                    outsideTimes: &outside)
            }
            return outside
        }
        self.offsets = offsets
        self.packed = packed
        outsideTimes = Dictionary(outside.flatMap { $0 }, uniquingKeysWith: { first, _ in first })
    }

    /// The time of the packed scan at `position` of `packed`.
    @inline(__always)
    func time(of scan: PackedScan, at position: Int) -> Int64 {
        scan.at ?? outsideTimes[position]!
    }

    /// Gives the whole memory pages of `packed` inside `records` back to the kernel: scans
    /// already grouped, which nothing reads again. The trace's output arrays, faulted in
    /// while the copy is read, then take those pages (recently written, cheap to clear)
    /// instead of fresh ones, which on this kind of virtual machine cost tens of times more
    /// the first time they are touched. Returns the first position whose bytes are not
    /// all released, where the next call should start.
    func release(_ records: Range<Int>) -> Int {
        guard let packed else { return records.upperBound }
        let stride = MemoryLayout<PackedScan>.stride
        let bytes = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(packed.values)[
            (records.lowerBound &* stride)..<(records.upperBound &* stride)])
        guard let end = HugePages.release(bytes) else { return records.lowerBound }
        return (end - Int(bitPattern: packed.values.baseAddress)) / stride
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
    /// its partition's cursor; the position and time of each scan whose time does not fit
    /// the record go to `outsideTimes`.
    static func scatter(
        _ scans: ScanColumns, rows range: Range<Int>, cursors: UnsafeMutableBufferPointer<Int>,
        into packed: UnsafeMutableBufferPointer<PackedScan>, waybillCount: Int, outsideTimes: inout [(Int, Int64)]
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
            let at = times[row]
            packed[position] = PackedScan(
                at: at, order: orders[row], courier: couriers[row], location: locations[row], grams: grams[row],
                waybill: UInt16(truncatingIfNeeded: key & local), event: events[row])
            if !PackedScan.fits(at) && at != Missing.time { outsideTimes.append((position, at)) }
        }
    }
}

/// One scan in a single 24-byte record (the columns' 29 bytes less the waybill's high
/// bits and the time's top 24): what the partitioning scatter writes, so that each
/// partition is one stream of writes and of reads instead of seven, and the fresh pages of
/// the copy (whose clearing is a large part of grouping rows logged in time order) are as
/// few as can be. The time is kept in 40 bits (a 32-bit and an 8-bit half, so the record
/// needs no 8-byte alignment), which covers 17,000 years around 1970 in seconds; a
/// missing time has its own value, and a time outside the range is kept apart
/// (`WaybillScanPartitions.outsideTimes`).
struct PackedScan {
    let atLow: UInt32
    let order: UInt32
    let courier: UInt32
    let location: UInt32
    let grams: Int32
    /// The waybill id within its partition (below `WaybillScanPartitions.width`).
    let waybill: UInt16
    let event: UInt8
    let atHigh: Int8

    /// The 40-bit value of `Missing.time`.
    static let missingTime: Int64 = (1 << 39) - 1
    /// The 40-bit value of a time outside the range.
    static let outsideTime: Int64 = -(1 << 39)

    /// Whether the 40 bits keep `at` as itself: strictly between the two reserved values
    /// (one unsigned compare).
    @inline(__always)
    static func fits(_ at: Int64) -> Bool {
        UInt64(bitPattern: at &- (outsideTime &+ 1)) < UInt64(bitPattern: missingTime &- outsideTime &- 1)
    }

    /// A scan of these fields, whose waybill is `waybill` within its partition.
    @inline(__always)
    init(at: Int64, order: UInt32, courier: UInt32, location: UInt32, grams: Int32, waybill: UInt16, event: UInt8) {
        let stored = Self.fits(at) ? at : at == Missing.time ? Self.missingTime : Self.outsideTime
        atLow = UInt32(truncatingIfNeeded: stored)
        atHigh = Int8(truncatingIfNeeded: stored >> 32)
        self.order = order
        self.courier = courier
        self.location = location
        self.grams = grams
        self.waybill = waybill
        self.event = event
    }

    /// The scan's time, nil when it lies outside the 40 bits.
    @inline(__always)
    var at: Int64? {
        let stored = Int64(atHigh) << 32 | Int64(atLow)
        if Self.fits(stored) { return stored }
        return stored == Self.missingTime ? Missing.time : nil
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

/// Memory for large scratch buffers. On Linux, a buffer of several megabytes asks the
/// kernel for transparent huge pages: each fresh 2 MB is then one page fault instead of
/// 512, and a scatter over many places of it misses the TLB less. Freed with `free`.
enum HugePages {
    static let bytes = 2 << 20

    static func allocate(bytes count: Int) -> UnsafeMutableRawPointer {
        #if os(Linux)
        if count >= 2 * bytes {
            let rounded = (count + bytes - 1) / bytes * bytes
            let memory = aligned_alloc(bytes, rounded)!
            _ = madvise(memory, rounded, MADV_HUGEPAGE)
            return memory
        }
        #endif
        return malloc(count)!
    }

    /// Returns the whole 2 MB pages inside `buffer` to the kernel (their contents are lost:
    /// memory nothing reads again), so that the process's next page faults reuse them.
    /// Returns the address after the last page given back, nil when none was.
    static func release(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let pages = wholePages(buffer.baseAddress, byteCount: buffer.count) else { return nil }
        #if os(Linux)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, MADV_DONTNEED)
        #endif
        return pages.upperBound
    }

    /// Asks for huge pages under the whole 2 MB pages inside `buffer`, memory that is not
    /// written yet (an array's fresh storage, which `allocate` did not provide): its
    /// first writes then fault once per 2 MB instead of once per 4 KB.
    static func advise<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
        #if os(Linux)
        guard let pages = wholePages(buffer.baseAddress, byteCount: buffer.count * MemoryLayout<Element>.stride) else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, MADV_HUGEPAGE)
        #endif
    }

    /// The addresses of the whole 2 MB pages inside the `byteCount` bytes at `base`, nil
    /// when there are none.
    private static func wholePages(_ base: UnsafeRawPointer?, byteCount: Int) -> Range<Int>? {
        guard let base else { return nil }
        let start = (Int(bitPattern: base) + bytes - 1) / bytes * bytes
        let end = (Int(bitPattern: base) + byteCount) / bytes * bytes
        return end > start ? start..<end : nil
    }
}
