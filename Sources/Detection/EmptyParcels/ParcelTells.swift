import Columnar

/// The physical tells of an empty parcel that one waybill shows. Each follows from what
/// a parcel with nothing inside cannot do: weigh what its item weighs, travel, spend
/// time in transit, or carry its own tracking number. A genuine light parcel (a
/// document) or a fast same-city delivery shows one tell at most, so a waybill looks
/// empty only with several of them, or with a tell no genuine parcel shows at all.
public struct ParcelTells: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A declared weight under its item's learned baseline. A missing weight is missing
    /// data, not a tell: outlets skip the scale for letters and same-city drop-offs, and
    /// on an independent generator's export counting it made honest same-city parcels
    /// look empty.
    public static let weightless = ParcelTells(rawValue: 1 << 0)
    /// Signed where the waybill was issued (or, without locations, signed with no
    /// transit scan): the parcel went nowhere.
    public static let wentNowhere = ParcelTells(rawValue: 1 << 1)
    /// Signed sooner after creation or pickup than a parcel travels.
    public static let fast = ParcelTells(rawValue: 1 << 2)
    /// A change of location faster than any parcel moves.
    public static let impossibleHop = ParcelTells(rawValue: 1 << 3)
    /// Never signed or returned long before the export ends.
    public static let stalled = ParcelTells(rawValue: 1 << 4)
    /// One tracking number on several orders: printed for more than one parcel. One
    /// buyer's orders from one shop to one address in one parcel are combined shipping,
    /// not a reused number (`CombinedShipments` takes the tell back).
    public static let reusedNumber = ParcelTells(rawValue: 1 << 5)
    /// Picked up before the order was paid: shipped before anything was sold.
    public static let pickupBeforePayment = ParcelTells(rawValue: 1 << 6)

    /// Signed at the outlet counter that issued it, as nearly all the parcels its shop
    /// sends from that outlet are while the shop's other parcels travel: a shop's buyers
    /// cannot all collect at the sender's counter (`IssuingCounters`). It sharpens
    /// `.wentNowhere` rather than adding a tell of its own: a genuine same-city shop whose
    /// buyers collect at its outlet shows it too, so it feeds its own signals only and
    /// never makes a waybill look empty.
    public static let signedAtCounter = ParcelTells(rawValue: 1 << 7)

    /// Its scans from pickup on (each place, and each time counted back from signing) are
    /// another recipient's waybill's: a tracking history copied from a real parcel to make
    /// an empty one look shipped (`CopiedTraces`). Two parcels to different buyers are not
    /// scanned at the same places at the same moments before their signatures.
    public static let copiedTrace = ParcelTells(rawValue: 1 << 8)

    /// Tells that no genuine parcel shows, enough on their own.
    public static let conclusive: ParcelTells = [.reusedNumber, .pickupBeforePayment, .copiedTrace]

    /// Whether a waybill with these tells looks empty: a conclusive tell, or at least
    /// `minimumTells` of the others (`.signedAtCounter` not counted: see there), where
    /// `.wentNowhere` and `.fast` together count once, with `.impossibleHop` if it is
    /// there too. A same-city courier's parcel is signed within hours and, its couriers
    /// scanning with the outlet's own code, where it was issued: both tells describe one
    /// local delivery, not two signs of an empty parcel (counted twice, they listed every
    /// flower shop and same-city company of an independent generator's exports). When
    /// such a parcel, out for delivery under the city's code, is collected at the counter
    /// minutes later, the change of code is no journey either: the city's code and the
    /// counter's are two names for one place (counted apart, the hop put two same-city
    /// companies of that generator at key scrutiny, camouflage 3).
    public func looksEmpty(minimumTells: Int) -> Bool {
        let physical = subtracting(Self.conclusive).subtracting(.signedAtCounter)
        let localDelivery: ParcelTells = [.wentNowhere, .fast, .impossibleHop]
        let counted = physical.isSuperset(of: [.wentNowhere, .fast])
            ? physical.subtracting(localDelivery).rawValue.nonzeroBitCount + 1 : physical.rawValue.nonzeroBitCount
        return !isDisjoint(with: Self.conclusive) || counted >= minimumTells
    }
}

extension ParcelTells {
    /// The tells of one waybill; `underweight` from `ParcelWeightBaseline.underweight`.
    /// Inlined into the detector's pass over every waybill (a call per waybill cost more
    /// than the tells).
    @inline(__always)
    public init(_ trajectory: WaybillTrajectory, underweight: Bool, fastSeconds: Int64) {
        self = []
        let flags = trajectory.flags
        if underweight { insert(.weightless) }
        if flags.contains(.signedWhereIssued)
            || (trajectory.signedAt != Missing.time && !flags.contains(.transit) && !flags.contains(.moved))
        {
            insert(.wentNowhere)
        }
        if let seconds = trajectory.secondsToSigned, seconds < fastSeconds { insert(.fast) }
        if flags.contains(.impossibleHop) { insert(.impossibleHop) }
        if flags.contains(.stalled) { insert(.stalled) }
        if flags.contains(.severalOrders) { insert(.reusedNumber) }
        if flags.contains(.pickupBeforePayment) { insert(.pickupBeforePayment) }
    }
}
