import Columnar
import Testing
import TestSupport

@testable import Detection

@Suite struct WaybillTrajectoryTests {
    /// A random scan table: waybills of 1 to 8 scans (many of one), some shipping
    /// several orders, rows shuffled out of time order (or, `grouped`, written waybill by
    /// waybill, each waybill's scans still out of time order), missing orders, locations,
    /// weights and times, and a few equal times.
    static func randomScans(seed: Int, grouped: Bool = false) -> (LogisticsTable, paidAt: [Int64], waybillCount: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let waybillCount = Int(random.next() % 40) + 1, orderCount = 30, locationCount = 4
        var table = LogisticsTable()
        for waybill in 0..<waybillCount {
            let scans = random.next() % 3 == 0 ? 1 : Int(random.next() % 8) + 1
            let orders = (0..<(random.next() % 4 == 0 ? 2 : 1)).map { _ in UInt32(random.next() % UInt64(orderCount)) }
            for _ in 0..<scans {
                table.waybill.append(UInt32(waybill))
                table.order.append(random.next() % 10 == 0 ? IdDictionary.absent : orders[Int(random.next() % UInt64(orders.count))])
                table.courier.append(UInt32(waybill % 3))
                table.event.append(UInt8(random.next() % 6))
                table.at.append(random.next() % 8 == 0 ? Missing.time : Int64(random.next() % 40) * 300)
                table.location.append(random.next() % 5 == 0 ? IdDictionary.absent : UInt32(random.next() % UInt64(locationCount)))
                table.weightGrams.append(random.next() % 3 == 0 ? Int32(random.next() % 900) : Missing.count)
            }
        }
        let order = (0..<table.count).shuffled(using: &random)
        let shuffled = table.reordered(grouped ? Array(0..<table.count) : order)
        let paidAt = (0..<orderCount).map { _ in random.next() % 6 == 0 ? Missing.time : Int64(random.next() % 40) * 300 }
        return (shuffled, paidAt, waybillCount)
    }

    /// Plain reference: the waybill's rows sorted by (time, row), each feature computed
    /// on its own by the definition in `WaybillTrajectory`. A scan without a time sorts
    /// first and counts for its event and place, never for a time: start, signing and
    /// pickup are the first such scans with a time, a hop needs times at both ends, and
    /// stalled needs the last scan's time.
    static func reference(_ table: LogisticsTable, paidAt: [Int64], waybill: Int, rules: TrajectoryRules) -> WaybillTrajectory {
        reference(table, paidAt: paidAt, rows: (0..<table.count).filter { table.waybill[$0] == UInt32(waybill) }, rules: rules)
    }

    /// The reference over the waybill's `rows`, in any order.
    static func reference(_ table: LogisticsTable, paidAt: [Int64], rows: [Int], rules: TrajectoryRules) -> WaybillTrajectory {
        let rows = rows.sorted { (table.at[$0], $0) < (table.at[$1], $1) }
        var expected = WaybillTrajectory()
        guard !rows.isEmpty else { return expected }
        func events(_ wanted: ScanEvent...) -> [Int] { rows.filter { wanted.map(\.rawValue).contains(table.event[$0]) } }
        func timed(_ rows: [Int]) -> [Int] { rows.filter { table.at[$0] != Missing.time } }
        expected.courier = table.courier[rows[0]]
        let named = rows.map { table.order[$0] }.filter { $0 != IdDictionary.absent }
        if Set(named).count > 1 { expected.flags.insert(.severalOrders) }
        expected.order = named.first ?? IdDictionary.absent
        expected.startAt = timed(events(.created, .pickup)).first.map { table.at[$0] } ?? Missing.time
        let signed = timed(events(.signed)).first
        expected.signedAt = signed.map { table.at[$0] } ?? Missing.time
        expected.grams = rows.map { table.weightGrams[$0] }.first { $0 >= 0 } ?? Missing.count
        if !events(.transit).isEmpty { expected.flags.insert(.transit) }
        let terminal = !events(.signed, .returned).isEmpty
        if terminal { expected.flags.insert(.terminal) }
        if let pickup = timed(events(.pickup)).first, expected.order != IdDictionary.absent,
            paidAt[Int(expected.order)] != Missing.time, table.at[pickup] < paidAt[Int(expected.order)]
        {
            expected.flags.insert(.pickupBeforePayment)
        }
        let located = rows.filter { table.location[$0] != IdDictionary.absent }
        if Set(located.map { table.location[$0] }).count > 1 { expected.flags.insert(.moved) }
        for (a, b) in zip(timed(located), timed(located).dropFirst())
        where table.location[a] != table.location[b] && table.at[b] &- table.at[a] < rules.minimumHopSeconds {
            expected.flags.insert(.impossibleHop)
        }
        if let signed, let first = located.first, table.location[signed] != IdDictionary.absent,
            table.location[signed] == table.location[first]
        {
            expected.flags.insert(.signedWhereIssued)
        }
        if !terminal && table.at[rows.last!] != Missing.time && table.at[rows.last!] < rules.stalledBefore {
            expected.flags.insert(.stalled)
        }
        return expected
    }

    @Test(arguments: 0..<60, [false, true]) func kernelMatchesReference(seed: Int, grouped: Bool) {
        let (table, paidAt, waybillCount) = Self.randomScans(seed: seed, grouped: grouped)
        let rules = TrajectoryRules(minimumHopSeconds: 900, stalledBefore: 6000)
        for threads in [1, 2] {
            let traced = WaybillTrajectory.trace(table, paidAt: Column(paidAt), waybillCount: waybillCount + 1, rules: rules, threads: threads)
            #expect(traced.count == waybillCount + 1)
            for waybill in 0...waybillCount {
                #expect(traced[waybill] == Self.reference(table, paidAt: paidAt, waybill: waybill, rules: rules),
                        "waybill \(waybill), seed \(seed), grouped \(grouped), threads \(threads)")
            }
        }
    }

    /// Every pass of the detector reads one trajectory per waybill: they stay 32 bytes.
    @Test func aTrajectoryIs32Bytes() {
        #expect(MemoryLayout<WaybillTrajectory>.stride == 32)
    }

    @Test func singleScanWaybill() {
        var table = LogisticsTable()
        table.waybill = [0]; table.order = [0]; table.courier = [2]; table.event = [ScanEvent.signed.rawValue]
        table.at = [500]; table.location = [7]; table.weightGrams = [Missing.count]
        let trajectory = WaybillTrajectory.trace(
            table, paidAt: [100], waybillCount: 1, rules: TrajectoryRules(minimumHopSeconds: 600, stalledBefore: 0),
            threads: 1)[0]
        #expect(!trajectory.flags.contains(.severalOrders) && trajectory.courier == 2)
        #expect(trajectory.secondsToSigned == nil)
        #expect(trajectory.flags == [.terminal, .signedWhereIssued])
    }

    /// Waybill ids spread over several partitions, rows of long waybills (over the
    /// insertion-sort length) in reverse time order, rows naming no known waybill, and
    /// enough rows for two row slices: every trajectory still matches the reference, and
    /// each shipped order beyond a waybill's first is reported once. Seeds 4-7 write the
    /// rows waybill by waybill (the export is already grouped), seeds 8-11 too except two
    /// rows of partition 1 swapped (only that partition needs grouping).
    /// Times too far apart for a packed scan (`PackedScan.Layout`: the rows are then
    /// partitioned by number), and a missing time.
    static let extremeTimes: [Int64] = [1 << 60, -(1 << 60), 1 << 45, 1 << 32, -(1 << 32), Missing.time]

    @Test(arguments: 0..<12) func partitionsAndLongWaybills(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 77)
        let waybillCount = 3 * WaybillScanPartitions.width + 17, orderCount = 5_000
        var table = LogisticsTable()
        var used: [Int] = []
        while table.count < 2 * ParallelRows.minimumRowsPerSlice + 1_000 {
            let waybill = Int(random.next() % UInt64(waybillCount + 3))
            used.append(waybill)
            let scans = random.next() % 50 == 0 ? 40 + Int(random.next() % 30) : Int(random.next() % 6) + 1
            let orders = (0..<(random.next() % 8 == 0 ? 3 : 1)).map { _ in UInt32(random.next() % UInt64(orderCount)) }
            for scan in 0..<scans {
                table.waybill.append(UInt32(waybill))
                table.order.append(orders[scan % orders.count])
                table.courier.append(UInt32(waybill % 5))
                table.event.append(UInt8(random.next() % 6))
                let extreme = seed % 4 == 3 && random.next() % 10 == 0
                table.at.append(
                    extreme ? Self.extremeTimes[Int(random.next() % UInt64(Self.extremeTimes.count))]
                        : seed % 2 == 0 ? Int64(scans - scan) * 500 : Int64(random.next() % 20) * 700)
                table.location.append(UInt32(random.next() % 3))
                table.weightGrams.append(random.next() % 4 == 0 ? Int32(random.next() % 900) : Missing.count)
            }
        }
        if seed >= 4 { table = Self.stablySorted(table) }
        if seed >= 8 {
            let partition1 = (0..<table.count).filter { Int(table.waybill[$0]) >> WaybillScanPartitions.widthShift == 1 }
            let last = partition1.last { table.waybill[$0] != table.waybill[partition1[0]] }!
            Self.swapRows(&table, partition1[0], last)
        }
        let paidAt = (0..<orderCount).map { _ in Int64(random.next() % 40) * 300 }
        let rules = TrajectoryRules(minimumHopSeconds: 900, stalledBefore: 6000)
        var expectedFurther: [(order: UInt32, waybill: UInt32)] = []
        var byWaybill = [[Int]](repeating: [], count: waybillCount)
        for row in 0..<table.count where Int(table.waybill[row]) < waybillCount { byWaybill[Int(table.waybill[row])].append(row) }
        for waybill in 0..<waybillCount where !byWaybill[waybill].isEmpty {
            let first = byWaybill[waybill].sorted { (table.at[$0], $0) < (table.at[$1], $1) }.map { table.order[$0] }.first!
            for order in Set(byWaybill[waybill].map { table.order[$0] }).sorted() where order != first {
                expectedFurther.append((order, UInt32(waybill)))
            }
        }
        for threads in [1, 2] {
            let traced = WaybillTrajectory.traceAll(table, paidAt: Column(paidAt), waybillCount: waybillCount, rules: rules, threads: threads)
            #expect(traced.trajectories.count == waybillCount)
            for waybill in Set(used).sorted() where waybill < waybillCount {
                #expect(traced.trajectories[waybill] == Self.reference(table, paidAt: paidAt, rows: byWaybill[waybill], rules: rules),
                        "waybill \(waybill), seed \(seed), threads \(threads)")
            }
            for waybill in Set(0..<waybillCount).subtracting(used) {
                #expect(traced.trajectories[waybill] == WaybillTrajectory(), "waybill \(waybill) has no scans")
            }
            #expect(traced.furtherOrders.map(\.order) == expectedFurther.map(\.order))
            #expect(traced.furtherOrders.map(\.waybill) == expectedFurther.map(\.waybill))
        }
    }

    /// A copy of several huge pages, whose grouped part the workers give back as they go
    /// (`WaybillScanPartitions.release`): at 1 and 2 threads every trajectory, signature
    /// and further order equals those of the same rows written waybill by waybill, which
    /// are traced in place. A page given back too early would read as zeros.
    @Test func releasedCopyMatchesRowsInPlace() {
        var random = SeededRandom(seed: 5)
        let waybillCount = 60 * WaybillScanPartitions.width, orderCount = 50_000
        var table = LogisticsTable()
        for waybill in 0..<waybillCount {
            let orders = (0..<(random.next() % 16 == 0 ? 2 : 1)).map { _ in UInt32(random.next() % UInt64(orderCount)) }
            for scan in 0..<(Int(random.next() % 8) + 1) {
                table.waybill.append(UInt32(waybill))
                table.order.append(orders[scan % orders.count])
                table.courier.append(UInt32(waybill % 7))
                table.event.append(UInt8(random.next() % 6))
                table.at.append(random.next() % 50 == 0 ? Missing.time : Int64(random.next() % 100_000))
                table.location.append(UInt32(random.next() % 9))
                table.weightGrams.append(random.next() % 4 == 0 ? Int32(random.next() % 900) : Missing.count)
            }
        }
        let inTimeOrder = table.reordered((0..<table.count).sorted { (table.at[$0], $0) < (table.at[$1], $1) })
        #expect(table.count * MemoryLayout<PackedScan>.stride > 4 * HugePages.bytes)
        let paidAt = (0..<orderCount).map { _ in Int64(random.next() % 100_000) }
        let rules = TrajectoryRules(minimumHopSeconds: 900, stalledBefore: 50_000)
        let inPlace = WaybillTrajectory.traceAll(table, paidAt: Column(paidAt), waybillCount: waybillCount, rules: rules, threads: 1)
        for threads in [1, 2] {
            let copied = WaybillTrajectory.traceAll(inTimeOrder, paidAt: Column(paidAt), waybillCount: waybillCount, rules: rules, threads: threads)
            // The first difference, not whole arrays (their description is slow to build).
            #expect(copied.trajectories.indices.first { copied.trajectories[$0] != inPlace.trajectories[$0] } == nil, "threads \(threads)")
            #expect(copied.signatures.indices.first { copied.signatures[$0] != inPlace.signatures[$0] } == nil, "threads \(threads)")
            #expect(copied.trajectories.count == waybillCount && copied.signatures.count == waybillCount)
            #expect(copied.furtherOrders.map(\.order) == inPlace.furtherOrders.map(\.order))
            #expect(copied.furtherOrders.map(\.waybill) == inPlace.furtherOrders.map(\.waybill))
        }
    }

    /// A packed scan gives back every field of its row: times at both ends of the 32-bit
    /// range its layout counts from the export's earliest, a missing time, orders over the
    /// whole 32 bits, ids and weights up to the widest that fit (64 bits in all with the
    /// waybill and the event), missing ones; through the partitions' own copy too. One
    /// second more between the times, or one bit more for an outlet, and the columns get no
    /// layout: their row numbers are partitioned instead. The record stays 16 bytes.
    @Test func packedScanKeepsEveryField() {
        let earliest: Int64 = -1_000, latest = earliest + Int64(UInt32.max) - 2
        let times: [Int64] = [Missing.time, earliest, earliest + 1, -1, 0, 1_790_812_800, latest - 1, latest]
        var table = LogisticsTable()
        for (index, at) in times.enumerated() {
            // Waybills descending, so that the partitions pack every row, in row order.
            table.waybill.append(UInt32(times.count - index))
            table.order.append(index % 2 == 0 ? IdDictionary.absent : UInt32.max - 1 - UInt32(index))
            table.courier.append(index % 3 == 0 ? IdDictionary.absent : (1 << 14) - 2 - UInt32(index))
            table.event.append(UInt8(index % 6))
            table.at.append(at)
            table.location.append(index % 4 == 1 ? IdDictionary.absent : UInt32(index) << 11)
            table.weightGrams.append(index % 3 == 1 ? Missing.count : Int32(index) << 19)
        }
        func layout(_ table: LogisticsTable) -> PackedScan.Layout? {
            ScanColumns.with(table, paidAt: []) { PackedScan.Layout(ScanRanges($0, rows: 0..<table.count)) }
        }
        let packing = layout(table)!
        #expect(packing.gramsShift + 22 == 64)
        ScanColumns.with(table, paidAt: []) { scans in
            let partitions = WaybillScanPartitions(scans: scans, waybillCount: times.count + 1, threads: 1)
            guard case .packed(let copy, let copied) = partitions.rows else {
                Issue.record("not packed")
                return
            }
            for row in times.indices {
                let waybill = WaybillScanPartitions.width - 1 - row
                for (packed, layout) in [(copy.values[row], copied), (packing.pack(
                    at: scans.at[row], order: scans.order[row], courier: scans.courier[row], location: scans.location[row],
                    grams: scans.grams[row], waybill: waybill, event: scans.event[row]), packing)] {
                    #expect(layout.at(packed) == times[row], "time \(times[row])")
                    #expect(packed.order == table.order[row])
                    #expect(layout.courier(packed) == table.courier[row])
                    #expect(layout.event(packed) == table.event[row])
                    #expect(layout.location(packed) == table.location[row])
                    #expect(layout.grams(packed) == table.weightGrams[row])
                }
                #expect(packing.waybill(packing.pack(
                    at: 0, order: 0, courier: 0, location: 0, grams: 0, waybill: waybill, event: 0)) == waybill)
                #expect(copied.waybill(copy.values[row]) == Int(table.waybill[row]))
            }
        }
        var later = table, wider = table
        later.at[times.count - 1] += 1
        wider.courier[1] = (1 << 14) - 1
        for tooWide in [later, wider] {
            #expect(layout(tooWide) == nil)
            ScanColumns.with(tooWide, paidAt: []) { scans in
                let partitions = WaybillScanPartitions(scans: scans, waybillCount: times.count + 1, threads: 1)
                guard case .numbers(let numbers) = partitions.rows else {
                    Issue.record("not numbered")
                    return
                }
                #expect(Array(numbers.values) == Array(0..<UInt32(times.count)))
            }
        }
        #expect(MemoryLayout<PackedScan>.stride == 16)
    }

    /// The vectorised ranges of the scan columns against plain ones over random columns
    /// of every length up to 70 (missing times and ids, negative weights, times at both
    /// ends of the 64 bits), and their merge against the ranges of both parts together.
    @Test func scanRangesMatchReference() {
        var random = SeededRandom(seed: 41)
        for count in 0...70 {
            var table = LogisticsTable()
            for _ in 0..<count {
                table.waybill.append(0)
                table.order.append(0)
                table.courier.append(random.next() % 5 == 0 ? IdDictionary.absent : UInt32(random.next() % 5_000))
                table.event.append(UInt8(random.next() % 256))
                let times: [Int64] = [Missing.time, .min + 1, .max, Int64(bitPattern: random.next()), Int64(random.next() % 1_000)]
                table.at.append(times[Int(random.next() % UInt64(times.count))])
                table.location.append(random.next() % 4 == 0 ? IdDictionary.absent : UInt32(truncatingIfNeeded: random.next() >> 40))
                table.weightGrams.append(random.next() % 3 == 0 ? Missing.count : Int32(truncatingIfNeeded: random.next() >> 44) - 2)
            }
            let timed = table.at.filter { $0 != Missing.time }
            ScanColumns.with(table, paidAt: []) { scans in
                let half = count / 2
                let whole = ScanRanges(scans, rows: 0..<count)
                let merged = ScanRanges(scans, rows: 0..<half).merged(ScanRanges(scans, rows: half..<count))
                for ranges in [whole, merged] {
                    #expect(ranges.beforeEarliest == (timed.min().map { $0 - 1 } ?? .max), "count \(count)")
                    #expect(ranges.latest == (timed.max() ?? Missing.time))
                    #expect(ranges.events == table.event.reduce(0) { $0 | $1 })
                    #expect(ranges.locations == table.location.reduce(0) { $0 | ($1 == IdDictionary.absent ? 0 : $1 + 1) })
                    #expect(ranges.couriers == table.courier.reduce(0) { $0 | ($1 == IdDictionary.absent ? 0 : $1 + 1) })
                    #expect(ranges.grams == table.weightGrams.reduce(0) { $0 | UInt32(bitPattern: $1 == Missing.count ? 0 : $1 + 1) })
                }
            }
        }
    }

    /// The eight-at-a-time check against a plain one over every pair: ascending keys of
    /// every length up to 40, and each with one descent at every position; and keys over
    /// three blocks of the early stop (`checkBlock`), a descent on either side of each
    /// block's end.
    @Test func ascendingCheckMatchesReference() {
        var random = SeededRandom(seed: 21)
        let block = WaybillScanPartitions.checkBlock
        let long = [block - 1, block, block + 1, 2 * block, 2 * block + 5, 3 * block + 11]
        for count in Array(0...40) + [3 * block + 12] {
            var keys = [UInt32](repeating: 1, count: count)
            for index in 1..<max(1, count) { keys[index] = keys[index - 1] + UInt32(random.next() % 3) }
            var variants = [keys]
            for index in count > 40 ? long : Array(1..<max(1, count)) {
                var descending = keys
                descending[index] = keys[index - 1] - 1
                variants.append(descending)
            }
            for (number, variant) in variants.enumerated() {
                #expect(number == 0 || !zip(variant, variant.dropFirst()).allSatisfy { $0 <= $1 })
                let expected = zip(variant, variant.dropFirst()).allSatisfy { $0 <= $1 }
                #expect(variant.withUnsafeBufferPointer { WaybillScanPartitions.isAscending($0) } == expected, "\(variant)")
            }
        }
    }

    /// `table`'s rows ordered by waybill, each waybill's rows kept in their order.
    static func stablySorted(_ table: LogisticsTable) -> LogisticsTable {
        table.reordered((0..<table.count).sorted(by: { (table.waybill[$0], $0) < (table.waybill[$1], $1) }))
    }

    /// Swaps rows `a` and `b` of `table` in every column.
    static func swapRows(_ table: inout LogisticsTable, _ a: Int, _ b: Int) {
        table.waybill.swapAt(a, b)
        table.order.swapAt(a, b)
        table.courier.swapAt(a, b)
        table.event.swapAt(a, b)
        table.at.swapAt(a, b)
        table.location.swapAt(a, b)
        table.weightGrams.swapAt(a, b)
    }
}
