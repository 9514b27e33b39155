import Columnar

/// What the scans of one waybill say about the parcel behind it, in time order: how
/// many scans, whether it went through a hub, how long it took from the counter to the
/// signature, where it was signed, what it weighed and how many orders share the
/// tracking number. Empty parcels betray themselves here: nothing to weigh, nowhere to
/// go, no time in transit, and one number printed for several orders.
public struct WaybillTrajectory: Sendable, Equatable {
    /// Facts of the trajectory that are true or false.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// A `transit` scan: the parcel passed a hub.
        public static let transit = Flags(rawValue: 1 << 0)
        /// A `signed` or `returned` scan: the parcel reached an end.
        public static let terminal = Flags(rawValue: 1 << 1)
        /// The first `pickup` is earlier than the payment of the shipped order.
        public static let pickupBeforePayment = Flags(rawValue: 1 << 2)
        /// Two consecutive located scans at different locations closer in time than
        /// `TrajectoryRules.minimumHopSeconds`: a parcel cannot move that fast.
        public static let impossibleHop = Flags(rawValue: 1 << 3)
        /// Signed at the location of its first located scan: the parcel ends where
        /// its waybill was issued.
        public static let signedWhereIssued = Flags(rawValue: 1 << 4)
        /// Some located scan is at another location than the first one.
        public static let moved = Flags(rawValue: 1 << 5)
        /// No terminal scan although the last scan is older than
        /// `TrajectoryRules.stalledBefore`: the parcel never arrived anywhere.
        public static let stalled = Flags(rawValue: 1 << 6)
    }

    /// Scan events on the waybill.
    public var scans: UInt32 = 0
    /// Distinct orders shipped on the tracking number (more than one: a reused number).
    public var orders: UInt32 = 0
    /// The order of the earliest scan that names one, or `IdDictionary.absent`.
    public var order: UInt32 = IdDictionary.absent
    /// The outlet named on the earliest scan.
    public var courier: UInt32 = IdDictionary.absent
    /// The earliest `created` or `pickup` scan, `Missing.time` when there is none.
    public var startAt: Int64 = Missing.time
    /// The earliest `signed` scan, `Missing.time` when there is none.
    public var signedAt: Int64 = Missing.time
    /// The first declared weight in time order, `Missing.count` when none is declared.
    public var grams: Int32 = Missing.count
    public var flags: Flags = []

    public init() {}

    /// Seconds from the first `created` or `pickup` scan to the first `signed` scan, or
    /// nil when either is missing.
    public var secondsToSigned: Int64? {
        startAt == Missing.time || signedAt == Missing.time ? nil : signedAt - startAt
    }
}

/// The settings of the trajectory pass.
public struct TrajectoryRules: Sendable {
    /// A change of location faster than this is impossible movement. With only location
    /// codes (no coordinates) any two distinct codes count as apart, so this is the
    /// shortest plausible hop between two scan points, e.g. outlet to sorting hub.
    public var minimumHopSeconds: Int64
    /// A waybill whose last scan is older than this and that has no terminal scan is
    /// stalled (the export's end minus the days a parcel may still be under way).
    public var stalledBefore: Int64

    public init(minimumHopSeconds: Int64, stalledBefore: Int64) {
        self.minimumHopSeconds = minimumHopSeconds
        self.stalledBefore = stalledBefore
    }
}

/// The scan columns the trajectory kernel reads, as raw buffers. Only valid inside
/// `ScanColumns.with`; shared read-only by the workers of one pass.
struct ScanColumns: @unchecked Sendable {
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
        _ logistics: LogisticsTable, paidAt: [Int64], _ body: (ScanColumns) -> Result
    ) -> Result {
        logistics.order.withUnsafeBufferPointer { order in
            logistics.courier.withUnsafeBufferPointer { courier in
                logistics.event.withUnsafeBufferPointer { event in
                    logistics.at.withUnsafeBufferPointer { at in
                        logistics.location.withUnsafeBufferPointer { location in
                            logistics.weightGrams.withUnsafeBufferPointer { grams in
                                paidAt.withUnsafeBufferPointer { paidAt in
                                    body(ScanColumns(
                                        order: order, courier: courier, event: event, at: at, location: location,
                                        grams: grams, paidAt: paidAt))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension WaybillTrajectory {
    /// The trajectory of every waybill of `waybills` (scan rows grouped by waybill in
    /// time order), computed on up to `threads` cores; the same for any thread count.
    public static func trace(
        _ logistics: LogisticsTable, paidAt: [Int64], waybills: EntityGroups, rules: TrajectoryRules, threads: Int
    ) -> [WaybillTrajectory] {
        ScanColumns.with(logistics, paidAt: paidAt) { scans in
            ParallelRows.map(count: waybills.entityCount, threads: threads) { range -> [WaybillTrajectory] in
                var seenOrder = [UInt32](repeating: 0, count: scans.paidAt.count)
                return seenOrder.withUnsafeMutableBufferPointer { seenOrder in
                    waybills.rows.withUnsafeBufferPointer { rows in
                        waybills.offsets.withUnsafeBufferPointer { offsets in
                            range.map { waybill in
                                trace(
                                    UnsafeBufferPointer(rebasing: rows[offsets[waybill]..<offsets[waybill + 1]]),
                                    stamp: UInt32(truncatingIfNeeded: waybill &+ 1), scans: scans, rules: rules,
                                    seenOrder: seenOrder)
                            }
                        }
                    }
                }
            }.flatMap { $0 }
        }
    }

    /// The kernel for one waybill: one pass over its scan rows in time order.
    /// `seenOrder` (one slot per order row) holds `stamp` for the orders already
    /// counted on this waybill; stamps are unique per waybill, so it is never cleared.
    static func trace(
        _ rows: UnsafeBufferPointer<UInt32>, stamp: UInt32, scans: ScanColumns, rules: TrajectoryRules,
        seenOrder: UnsafeMutableBufferPointer<UInt32>
    ) -> WaybillTrajectory {
        var trajectory = WaybillTrajectory()
        guard let first = rows.first else { return trajectory }
        trajectory.scans = UInt32(rows.count)
        trajectory.courier = scans.courier[Int(first)]
        var firstPickup = Missing.time
        var origin = IdDictionary.absent
        var signedLocation = IdDictionary.absent
        var previousLocation = IdDictionary.absent
        var previousAt: Int64 = 0
        var lastAt: Int64 = 0
        for row in rows {
            let row = Int(row)
            let at = scans.at[row]
            let order = scans.order[row]
            if order != IdDictionary.absent && seenOrder[Int(order)] != stamp {
                seenOrder[Int(order)] = stamp
                trajectory.orders &+= 1
                if trajectory.order == IdDictionary.absent { trajectory.order = order }
            }
            switch scans.event[row] {
            case ScanEvent.created.rawValue:
                if trajectory.startAt == Missing.time { trajectory.startAt = at }
            case ScanEvent.pickup.rawValue:
                if trajectory.startAt == Missing.time { trajectory.startAt = at }
                if firstPickup == Missing.time { firstPickup = at }
            case ScanEvent.transit.rawValue:
                trajectory.flags.insert(.transit)
            case ScanEvent.signed.rawValue:
                trajectory.flags.insert(.terminal)
                if trajectory.signedAt == Missing.time {
                    trajectory.signedAt = at
                    signedLocation = scans.location[row]
                }
            case ScanEvent.returned.rawValue:
                trajectory.flags.insert(.terminal)
            default:
                break
            }
            if trajectory.grams < 0 { trajectory.grams = scans.grams[row] }
            let location = scans.location[row]
            if location != IdDictionary.absent {
                if origin == IdDictionary.absent {
                    origin = location
                } else if location != origin {
                    trajectory.flags.insert(.moved)
                }
                if previousLocation != IdDictionary.absent && location != previousLocation
                    && at - previousAt < rules.minimumHopSeconds
                {
                    trajectory.flags.insert(.impossibleHop)
                }
                previousLocation = location
                previousAt = at
            }
            lastAt = at
        }
        if signedLocation != IdDictionary.absent && signedLocation == origin {
            trajectory.flags.insert(.signedWhereIssued)
        }
        if firstPickup != Missing.time && trajectory.order != IdDictionary.absent {
            let paid = scans.paidAt[Int(trajectory.order)]
            if paid != Missing.time && firstPickup < paid { trajectory.flags.insert(.pickupBeforePayment) }
        }
        if !trajectory.flags.contains(.terminal) && lastAt < rules.stalledBefore {
            trajectory.flags.insert(.stalled)
        }
        return trajectory
    }
}
