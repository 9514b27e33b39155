import Columnar

/// What the scans of one waybill say about the parcel behind it, in time order: whether
/// it went through a hub, how long it took from the counter to the signature, where it
/// was signed, what it weighed and whether several orders share the tracking number.
/// Empty parcels betray themselves here: nothing to weigh, nowhere to go, no time in
/// transit, and one number printed for several orders. Every pass of the detector reads
/// these records (one per waybill), so they are kept to 32 bytes.
public struct WaybillTrajectory: Sendable, Equatable {
    /// Facts of the trajectory that are true or false.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// A `transit` scan: the parcel passed a hub.
        public static let transit = Flags(rawValue: 1 << 0)
        /// A `signed` or `returned` scan: the parcel reached an end.
        public static let terminal = Flags(rawValue: 1 << 1)
        /// The first `pickup` with a time is earlier than the payment of the shipped order.
        public static let pickupBeforePayment = Flags(rawValue: 1 << 2)
        /// Two consecutive located scans with times, at different locations closer in time
        /// than `TrajectoryRules.minimumHopSeconds`: a parcel cannot move that fast.
        public static let impossibleHop = Flags(rawValue: 1 << 3)
        /// Signed at the location of its first located scan: the parcel ends where
        /// its waybill was issued.
        public static let signedWhereIssued = Flags(rawValue: 1 << 4)
        /// Some located scan is at another location than the first one.
        public static let moved = Flags(rawValue: 1 << 5)
        /// No terminal scan although the last scan has a time older than
        /// `TrajectoryRules.stalledBefore`: the parcel never arrived anywhere.
        public static let stalled = Flags(rawValue: 1 << 6)
        /// The scans name more than one distinct order: the tracking number ships several
        /// (a reused number, or combined shipping).
        public static let severalOrders = Flags(rawValue: 1 << 7)
    }

    /// The order of the earliest scan that names one, or `IdDictionary.absent`.
    public var order: UInt32 = IdDictionary.absent
    /// The outlet named on the earliest scan.
    public var courier: UInt32 = IdDictionary.absent
    /// The earliest known time of a `created` or `pickup` scan, `Missing.time` when none
    /// has one (a scan without a time is unknown, not early).
    public var startAt: Int64 = Missing.time
    /// The earliest known time of a `signed` scan, `Missing.time` when none has one.
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

/// Where a waybill's parcel starts and which hubs it passes first and last (location
/// ids, `IdDictionary.absent` when the waybill has no such located scan): what
/// `ParcelOrigins` compares, found by the trajectory pass, which already walks each
/// waybill's scans in time order. Ties in time go to the smaller place first, the larger
/// last, so the record does not depend on the row order of the export.
struct ParcelStart: Sendable, Equatable {
    /// The place of the earliest located `created` or `pickup` scan.
    var place = IdDictionary.absent
    /// The place of the earliest located `transit` scan (the origin's sorting hub).
    var firstHub = IdDictionary.absent
    /// The place of the latest located `transit` scan (the destination's hub).
    var lastHub = IdDictionary.absent
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
