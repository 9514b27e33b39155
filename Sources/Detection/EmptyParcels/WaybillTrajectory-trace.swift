import Columnar

/// The scan columns the trajectory kernel reads, as raw buffers. Only valid inside
/// `ScanColumns.with`; shared read-only by the workers of one pass.
struct ScanColumns: @unchecked Sendable {
    let waybill: UnsafeBufferPointer<UInt32>
    let order: UnsafeBufferPointer<UInt32>
    let courier: UnsafeBufferPointer<UInt32>
    let event: UnsafeBufferPointer<UInt8>
    let at: UnsafeBufferPointer<Int64>
    let location: UnsafeBufferPointer<UInt32>
    let grams: UnsafeBufferPointer<Int32>
    /// `OrdersTable.paidAt`, indexed by order row.
    let paidAt: UnsafeBufferPointer<Int64>

    /// Calls `body` with buffers over `logistics` and `paidAt`.
    static func with<Result>(
        _ logistics: LogisticsTable, paidAt: Column<Int64>, _ body: (ScanColumns) -> Result
    ) -> Result {
        logistics.waybill.withUnsafeBufferPointer { waybill in
            logistics.order.withUnsafeBufferPointer { order in
                logistics.courier.withUnsafeBufferPointer { courier in
                    logistics.event.withUnsafeBufferPointer { event in
                        logistics.at.withUnsafeBufferPointer { at in
                            logistics.location.withUnsafeBufferPointer { location in
                                logistics.weightGrams.withUnsafeBufferPointer { grams in
                                    paidAt.withUnsafeBufferPointer { paidAt in
                                        body(ScanColumns(
                                            waybill: waybill, order: order, courier: courier, event: event, at: at,
                                            location: location, grams: grams, paidAt: paidAt))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The scans the trajectory kernel reads, by row number: the export's columns
/// (`ScanColumns`) or a partition's packed scans placed in grouped order
/// (`GroupedScans`), which the kernel then decodes as it reads them instead of their
/// being unpacked into columns first.
protocol ScanSource {
    func timeOf(_ row: Int) -> Int64
    func orderOf(_ row: Int) -> UInt32
    func courierOf(_ row: Int) -> UInt32
    func eventOf(_ row: Int) -> UInt8
    func locationOf(_ row: Int) -> UInt32
    func gramsOf(_ row: Int) -> Int32
    /// `OrdersTable.paidAt`, indexed by order row.
    var paidAt: UnsafeBufferPointer<Int64> { get }
}

extension ScanColumns: ScanSource {
    @inline(__always) func timeOf(_ row: Int) -> Int64 { at[row] }
    @inline(__always) func orderOf(_ row: Int) -> UInt32 { order[row] }
    @inline(__always) func courierOf(_ row: Int) -> UInt32 { courier[row] }
    @inline(__always) func eventOf(_ row: Int) -> UInt8 { event[row] }
    @inline(__always) func locationOf(_ row: Int) -> UInt32 { location[row] }
    @inline(__always) func gramsOf(_ row: Int) -> Int32 { grams[row] }
}

/// One partition's packed scans in grouped order, read through their layout; row `i` is
/// the `i`th scan.
struct GroupedScans: ScanSource {
    let scans: UnsafeBufferPointer<PackedScan>
    let layout: PackedScan.Layout
    let paidAt: UnsafeBufferPointer<Int64>

    @inline(__always) func timeOf(_ row: Int) -> Int64 { layout.at(scans[row]) }
    @inline(__always) func orderOf(_ row: Int) -> UInt32 { scans[row].order }
    @inline(__always) func courierOf(_ row: Int) -> UInt32 { layout.courier(scans[row]) }
    @inline(__always) func eventOf(_ row: Int) -> UInt8 { layout.event(scans[row]) }
    @inline(__always) func locationOf(_ row: Int) -> UInt32 { layout.location(scans[row]) }
    @inline(__always) func gramsOf(_ row: Int) -> Int32 { layout.grams(scans[row]) }
}

/// Trajectories of every waybill, their trace signatures, where their parcels start, and
/// the orders shipped on a waybill besides its first.
struct TracedWaybills: Sendable {
    var trajectories: [WaybillTrajectory]
    var signatures: [TraceSignature]
    var starts: [ParcelStart]
    /// For each waybill shipping several orders, its orders after `WaybillTrajectory.order`
    /// (ascending), in waybill order.
    var furtherOrders: [(order: UInt32, waybill: UInt32)]
}

extension WaybillTrajectory {
    /// The trajectory of every waybill id below `waybillCount`, computed on up to
    /// `threads` cores; the same for any thread count.
    public static func trace(
        _ logistics: LogisticsTable, paidAt: Column<Int64>, waybillCount: Int, rules: TrajectoryRules, threads: Int
    ) -> [WaybillTrajectory] {
        traceAll(logistics, paidAt: paidAt, waybillCount: waybillCount, rules: rules, threads: threads).trajectories
    }

    /// Groups the scans by waybill (partitions of waybill ids, each grouped by a counting
    /// sort over its own range) and traces each group in one pass in time order.
    static func traceAll(
        _ logistics: LogisticsTable, paidAt: Column<Int64>, waybillCount: Int, rules: TrajectoryRules, threads: Int
    ) -> TracedWaybills {
        ScanColumns.with(logistics, paidAt: paidAt) { scans in
            let partitions = WaybillScanPartitions(scans: scans, waybillCount: waybillCount, threads: threads)
            let workers = max(1, min(threads, partitions.partitionCount))
            let largest = partitions.largest
            // Workers write each waybill's trajectory and signature once, straight into the
            // arrays returned (no copy of the output; nothing reads it before they finish).
            var further: [[(order: UInt32, waybill: UInt32)]] = []
            var signatures: [TraceSignature] = [], starts: [ParcelStart] = []
            let trajectories = [WaybillTrajectory](unsafeUninitializedCapacity: waybillCount) { trajectoryBuffer, traced in
                signatures = [TraceSignature](unsafeUninitializedCapacity: waybillCount) { signatureBuffer, signed in
                    starts = [ParcelStart](unsafeUninitializedCapacity: waybillCount) { startBuffer, started in
                        HugePages.advise(trajectoryBuffer)
                        HugePages.advise(signatureBuffer)
                        HugePages.advise(startBuffer)
                        let output = TracedOutput(trajectories: trajectoryBuffer, signatures: signatureBuffer, starts: startBuffer)
                        further = ConcurrentTasks.map(count: workers, threads: workers) { worker -> [(order: UInt32, waybill: UInt32)] in
                            var grouping = PartitionGrouping(largest: largest)
                            var further: [(order: UInt32, waybill: UInt32)] = []
                            let mine = (partitions.partitionCount * worker / workers)..<(partitions.partitionCount * (worker + 1) / workers)
                            // The grouped part of this worker's copied scans is given back as it
                            // goes, for the output arrays' first writes to reuse.
                            var unreleased = partitions.offsets[mine.lowerBound]
                            for partition in mine {
                                grouping.trace(partition, of: partitions, scans: scans, rules: rules, into: output, further: &further)
                                unreleased = partitions.release(unreleased..<partitions.offsets[partition + 1])
                            }
                            return further
                        }
                        started = waybillCount
                    }
                    signed = waybillCount
                }
                traced = waybillCount
            }
            return TracedWaybills(
                trajectories: trajectories,
                signatures: signatures,
                starts: starts,
                furtherOrders: further.flatMap { $0 })
        }
    }

    /// The trajectory and parcel start of one waybill's scan `rows` (ascending on entry),
    /// which it reorders by (time, row) when they are not already in time order.
    static func trace<Scans: ScanSource>(
        _ rows: UnsafeMutableBufferPointer<UInt32>, scans: Scans, rules: TrajectoryRules
    ) -> (trajectory: WaybillTrajectory, start: ParcelStart) {
        if let traced = traceInTimeOrder(UnsafeBufferPointer(rows), scans: scans, rules: rules) { return traced }
        EntityGroups.orderByTime(rows, sortedPrefix: 1) { scans.timeOf(Int($0)) }
        return traceInTimeOrder(UnsafeBufferPointer(rows), scans: scans, rules: rules)!
    }

    /// The kernel for one waybill: one pass over its scan rows, nil as soon as a scan is
    /// earlier than the one before it (the caller then orders the rows and calls again).
    /// The trajectory's fields live in locals during the pass and location facts are
    /// folded in without branches (a missing location leaves them unchanged). The parcel's
    /// start place and first and last hubs are taken on the way (`ParcelStart`): a start
    /// or first hub is replaced only by a smaller place at the same time, the last hub by
    /// any later one or a larger place at the same time (a scan without a time, ordering
    /// first, can be the start or first hub).
    ///
    /// A scan without a time (`Missing.time`, which orders first) is a scan of its event
    /// and place all the same (terminal, transit, moved, weight, order, outlet), but its
    /// time is unknown, not early: start, signing and pickup times are the earliest known
    /// ones (the signing place is that of the signed scan giving the time), a hop needs a
    /// time at both ends, and a waybill whose scans have no time at all is not stalled.
    static func traceInTimeOrder<Scans: ScanSource>(
        _ rows: UnsafeBufferPointer<UInt32>, scans: Scans, rules: TrajectoryRules
    ) -> (trajectory: WaybillTrajectory, start: ParcelStart)? {
        var trajectory = WaybillTrajectory()
        guard let first = rows.first else { return (trajectory, ParcelStart()) }
        let absent = IdDictionary.absent
        var order = absent
        var startAt = Missing.time, signedAt = Missing.time, firstPickup = Missing.time
        var grams = Missing.count
        var origin = absent, signedLocation = absent, previousLocation = absent
        var previousAt: Int64 = 0
        var start = ParcelStart(), placeAt: Int64 = 0, firstHubAt: Int64 = 0, lastHubAt: Int64 = 0
        var lastAt = Int64.min
        var severalOrders = false
        var flags: UInt8 = 0
        for row in rows {
            let row = Int(row)
            let at = scans.timeOf(row)
            if at < lastAt { return nil }
            lastAt = at
            let named = scans.orderOf(row)
            if order == absent {
                order = named
            } else if named != absent && named != order {
                severalOrders = true
            }
            let location = scans.locationOf(row)
            switch scans.eventOf(row) {
            case ScanEvent.created.rawValue:
                if startAt == Missing.time { startAt = at }
                if location < start.place && (start.place == absent || at == placeAt) { (start.place, placeAt) = (location, at) }
            case ScanEvent.pickup.rawValue:
                if startAt == Missing.time { startAt = at }
                if firstPickup == Missing.time { firstPickup = at }
                if location < start.place && (start.place == absent || at == placeAt) { (start.place, placeAt) = (location, at) }
            case ScanEvent.transit.rawValue:
                flags |= Flags.transit.rawValue
                if location < start.firstHub && (start.firstHub == absent || at == firstHubAt) {
                    (start.firstHub, firstHubAt) = (location, at)
                }
                if location != absent && (start.lastHub == absent || at > lastHubAt || location > start.lastHub) {
                    (start.lastHub, lastHubAt) = (location, at)
                }
            case ScanEvent.signed.rawValue:
                flags |= Flags.terminal.rawValue
                if signedAt == Missing.time {
                    signedAt = at
                    signedLocation = at == Missing.time ? absent : location
                }
            case ScanEvent.returned.rawValue:
                flags |= Flags.terminal.rawValue
            default:
                break
            }
            if grams < 0 { grams = scans.gramsOf(row) }
            let located = location != absent
            if origin == absent { origin = location }
            let moved = located && location != origin
            // Only scans with a time end a hop; the ones without come first, before any that
            // could start one.
            let timed = located && at != Missing.time
            let hop = timed && previousLocation != absent && location != previousLocation
                && at &- previousAt < rules.minimumHopSeconds
            flags |= (moved ? Flags.moved.rawValue : 0) | (hop ? Flags.impossibleHop.rawValue : 0)
            previousLocation = timed ? location : previousLocation
            previousAt = timed ? at : previousAt
        }
        trajectory.courier = scans.courierOf(Int(first))
        trajectory.order = order
        trajectory.startAt = startAt
        trajectory.signedAt = signedAt
        trajectory.grams = grams
        if severalOrders { flags |= Flags.severalOrders.rawValue }
        if signedLocation != absent && signedLocation == origin {
            flags |= Flags.signedWhereIssued.rawValue
        }
        if firstPickup != Missing.time && order != absent && Int(order) < scans.paidAt.count {
            let paid = scans.paidAt[Int(order)]
            if paid != Missing.time && firstPickup < paid { flags |= Flags.pickupBeforePayment.rawValue }
        }
        if flags & Flags.terminal.rawValue == 0 && lastAt != Missing.time && lastAt < rules.stalledBefore {
            flags |= Flags.stalled.rawValue
        }
        trajectory.flags = Flags(rawValue: flags)
        return (trajectory, start)
    }

    /// The distinct orders named on `rows`, ascending (the rare waybill shipping several).
    static func distinctOrders<Scans: ScanSource>(_ rows: UnsafeBufferPointer<UInt32>, scans: Scans) -> [UInt32] {
        var named = rows.map { scans.orderOf(Int($0)) }.filter { $0 != IdDictionary.absent }
        named.sort()
        var distinct: [UInt32] = []
        for order in named where order != distinct.last { distinct.append(order) }
        return distinct
    }
}

/// One worker's scratch for grouping a partition's rows by waybill: a counter per
/// waybill id of the partition, room for its rows and for its packed scans in grouped
/// order, allocated once per worker.
struct PartitionGrouping {
    var starts: [Int]
    var grouped: [UInt32]
    let local: OwnedBuffer<PackedScan>

    init(largest: Int) {
        starts = [Int](repeating: 0, count: WaybillScanPartitions.width + 1)
        grouped = [UInt32](repeating: 0, count: largest)
        local = OwnedBuffer(count: largest)
    }

    /// Groups `partition`'s rows by waybill and writes each waybill's trajectory: an
    /// ascending export's rows are only numbered; packed scans are placed by a counting
    /// sort over the partition's ids (stable, so each group stays in row order) into this
    /// worker's scratch, which the trace then reads in sequence; moved row numbers are
    /// placed the same way and traced from the export's columns.
    mutating func trace(
        _ partition: Int, of partitions: WaybillScanPartitions, scans: ScanColumns, rules: TrajectoryRules,
        into output: TracedOutput, further: inout [(order: UInt32, waybill: UInt32)]
    ) {
        let waybills = partitions.waybills(of: partition)
        let base = waybills.lowerBound, width = waybills.count
        let rows = partitions.offsets[partition]..<partitions.offsets[partition + 1]
        let copy = local
        starts.withUnsafeMutableBufferPointer { starts in
            grouped.withUnsafeMutableBufferPointer { grouped in
                switch partitions.rows {
                case .ascending:
                    for (index, row) in rows.enumerated() { grouped[index] = UInt32(truncatingIfNeeded: row) }
                    var start = 0
                    for local in 0..<width {
                        let waybill = UInt32(truncatingIfNeeded: base &+ local)
                        var end = start
                        while end < rows.count && scans.waybill[rows.lowerBound &+ end] == waybill { end &+= 1 }
                        let group = UnsafeMutableBufferPointer(rebasing: grouped[start..<end])
                        Self.traceGroup(group, waybill: base &+ local, scans: scans, rules: rules, into: output, further: &further)
                        start = end
                    }
                case .packed(let packed, let layout):
                    let mine = UnsafeBufferPointer(rebasing: packed.values[rows])
                    Self.countGroups(mine, width: width, into: starts) { layout.waybill($0) }
                    Self.placeGrouped(mine, into: copy.values, layout: layout, starts: starts)
                    for index in 0..<rows.count { grouped[index] = UInt32(truncatingIfNeeded: index) }
                    let local = GroupedScans(
                        scans: UnsafeBufferPointer(rebasing: copy.values[..<rows.count]), layout: layout, paidAt: scans.paidAt)
                    Self.traceGroups(
                        grouped, ends: starts, base: base, width: width, scans: local, rules: rules, into: output, further: &further)
                case .numbers(let numbers):
                    let mine = UnsafeBufferPointer(rebasing: numbers.values[rows])
                    Self.countGroups(mine, width: width, into: starts) { Int(scans.waybill[Int($0)]) &- base }
                    for row in mine {
                        let local = Int(scans.waybill[Int(row)]) &- base
                        grouped[starts[local]] = row
                        starts[local] &+= 1
                    }
                    Self.traceGroups(grouped, ends: starts, base: base, width: width, scans: scans, rules: rules, into: output, further: &further)
                }
            }
        }
    }

    /// Sets `starts[local]` to the first position of waybill `local`'s group (of `width`
    /// waybills) in grouped order: counts each record's waybill, then sums them up.
    private static func countGroups<Record>(
        _ records: UnsafeBufferPointer<Record>, width: Int, into starts: UnsafeMutableBufferPointer<Int>,
        waybill: (Record) -> Int
    ) {
        for index in 0...width { starts[index] = 0 }
        for record in records { starts[waybill(record) &+ 1] &+= 1 }
        for index in 0..<width { starts[index &+ 1] &+= starts[index] }
    }

    /// Places one partition's packed scans `mine` in grouped order into `grouped`: each
    /// scan to its waybill's next slot, `starts[local]`, which moves on (group starts on
    /// entry, group ends on return).
    private static func placeGrouped(
        _ mine: UnsafeBufferPointer<PackedScan>, into grouped: UnsafeMutableBufferPointer<PackedScan>,
        layout: PackedScan.Layout, starts: UnsafeMutableBufferPointer<Int>
    ) {
        for scan in mine {
            let local = layout.waybill(scan)
            let position = starts[local]
            starts[local] = position &+ 1
            grouped[position] = scan
        }
    }

    /// Traces the groups of `grouped`: the rows of waybill `base + local` (of `width`) end
    /// at `ends[local]`, where the next one starts.
    private static func traceGroups<Scans: ScanSource>(
        _ grouped: UnsafeMutableBufferPointer<UInt32>, ends: UnsafeMutableBufferPointer<Int>, base: Int, width: Int,
        scans: Scans, rules: TrajectoryRules, into output: TracedOutput, further: inout [(order: UInt32, waybill: UInt32)]
    ) {
        var start = 0
        for local in 0..<width {
            let end = ends[local]
            let group = UnsafeMutableBufferPointer(rebasing: grouped[start..<end])
            traceGroup(group, waybill: base &+ local, scans: scans, rules: rules, into: output, further: &further)
            start = end
        }
    }

    /// Writes the trajectory, trace signature and parcel start of `waybill` from its
    /// `group` of rows and collects the further orders of a reused number.
    private static func traceGroup<Scans: ScanSource>(
        _ group: UnsafeMutableBufferPointer<UInt32>, waybill: Int, scans: Scans, rules: TrajectoryRules,
        into output: TracedOutput, further: inout [(order: UInt32, waybill: UInt32)]
    ) {
        let (trajectory, start) = WaybillTrajectory.trace(group, scans: scans, rules: rules)
        (output.trajectories.baseAddress! + waybill).initialize(to: trajectory)
        (output.starts.baseAddress! + waybill).initialize(to: start)
        (output.signatures.baseAddress! + waybill).initialize(
            to: TraceSignature(UnsafeBufferPointer(group), scans: scans, signedAt: trajectory.signedAt))
        if trajectory.flags.contains(.severalOrders) {
            for order in WaybillTrajectory.distinctOrders(UnsafeBufferPointer(group), scans: scans) where order != trajectory.order {
                further.append((order, UInt32(truncatingIfNeeded: waybill)))
            }
        }
    }
}

/// Where the workers of one trace write, each waybill once (disjoint ranges of ids):
/// its trajectory, signature and parcel start.
struct TracedOutput: @unchecked Sendable {
    let trajectories: UnsafeMutableBufferPointer<WaybillTrajectory>
    let signatures: UnsafeMutableBufferPointer<TraceSignature>
    let starts: UnsafeMutableBufferPointer<ParcelStart>
}
