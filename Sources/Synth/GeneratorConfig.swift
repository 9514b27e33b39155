/// Which gaming credit a generated export contains, on top of the honest world.
/// `docs/DATASETS.md` describes each profile.
public enum FraudProfile: String, CaseIterable, Sendable {
    /// Brushing rings (some shipping empty parcels) and rating attacks together.
    case mixed
    /// Brushing rings only, shipped with real parcels.
    case brushing
    /// Rating attacks only.
    case ratings
    /// Brushing rings that all ship empty parcels from complicit courier outlets.
    case parcels
    /// The honest world alone.
    case none
    /// The honest world with many genuinely bad shops (late, refunded, real 1-star ratings).
    case badShop = "bad-shop"
    /// The honest world with shops selling mostly light items, delivered fast in the same city.
    case lightParcels = "light-parcels"

    var hasBrushing: Bool { self == .mixed || self == .brushing || self == .parcels }
    var hasAttacks: Bool { self == .mixed || self == .ratings }
    /// Share of brushing rings that buy empty-parcel waybills.
    var emptyParcelShare: Double { self == .parcels ? 1 : self == .mixed ? 0.4 : 0 }
    /// Share of shops whose service is genuinely bad.
    var badShopShare: Double { self == .badShop ? 0.08 : 0.02 }
    /// Share of shops selling light items (documents, cosmetics samples, accessories).
    var lightShopShare: Double { self == .lightParcels ? 0.7 : 0.15 }
}

/// What `generate` is asked for: the size of the world, its time span, the fraud
/// profile and how hard the fraud hides.
public struct GeneratorConfig: Sendable {
    public var seed: UInt64
    public var shops: Int
    public var buyers: Int
    public var days: Int
    /// Honest orders to place; nil means `buyers * days / 10`.
    public var orders: Int?
    public var fraud: FraudProfile
    /// 0 (fraud as it is done without care) to 3 (fraud that imitates honest behaviour).
    public var camouflage: Int
    public var compress: Bool
    /// Mix timestamp spellings (ISO `Z`, `+08:00`, spaced, Unix seconds) and money spellings.
    public var mixedFormats: Bool
    /// Orders per partition; partitions are generated in parallel and written in order.
    public var partitionOrders: Int

    public init(
        seed: UInt64, shops: Int, buyers: Int, days: Int, orders: Int? = nil,
        fraud: FraudProfile = .mixed, camouflage: Int = 1, compress: Bool = false,
        mixedFormats: Bool = true, partitionOrders: Int = 150_000
    ) {
        self.seed = seed
        self.shops = shops
        self.buyers = buyers
        self.days = days
        self.orders = orders
        self.fraud = fraud
        self.camouflage = camouflage
        self.compress = compress
        self.mixedFormats = mixedFormats
        self.partitionOrders = partitionOrders
    }

    var honestOrders: Int { orders ?? max(1, buyers * days / 10) }

    /// The first day of the export: 2026-10-01T00:00:00Z.
    static let start: Int64 = 1_790_812_800
    var end: Int64 { GeneratorConfig.start + Int64(days) * 86400 }
}

/// How camouflage levels 0...3 move each behaviour of the fraud, one table per knob,
/// so that `docs/DATASETS.md` and the code say the same thing.
struct Camouflage: Sendable {
    let level: Int

    private func at(_ values: [Double]) -> Double { values[min(max(level, 0), 3)] }

    /// Probability that a ring order uses the ring's shared device / ip / payment / address
    /// rather than the member's own.
    var sharedIdentifier: Double { at([0.9, 0.6, 0.35, 0.2]) }
    /// Weight of ring members' honest shopping elsewhere, relative to ordinary buyers.
    var honestActivity: Double { at([0, 0.4, 1, 1.5]) }
    /// Share of ring accounts registered just before their first use.
    var freshAccounts: Double { at([0.6, 0.35, 0.15, 0.05]) }
    /// Length in minutes of one coordinated window.
    var windowMinutes: Double { at([45, 240, 1440, 4320]) }
    /// Probability that a fake order copies the shop's real item and amount mix.
    var mimicAmounts: Double { at([0, 0.5, 0.9, 1]) }
    /// Median hours from signing to confirmation of a fake order.
    var confirmHours: Double { at([0.2, 2, 10, 24]) }
    /// Probability that a fake order's rating has honest-looking text and stars.
    var honestLookingRating: Double { at([0, 0.25, 0.6, 0.85]) }
    /// Fake orders as a share of the client shop's honest orders.
    var fakeShare: Double { at([0.45, 0.35, 0.25, 0.2]) }
    /// Probability that an empty parcel declares a forged, plausible weight.
    var forgedWeight: Double { at([0, 0.6, 0.9, 1]) }
    /// Probability that an empty parcel gets one faked transit scan.
    var fakedTransit: Double { at([0, 0.3, 0.8, 1]) }
    /// Median hours from waybill creation to signing of an empty parcel.
    var emptyParcelHours: Double { at([2, 6, 14, 24]) }
    /// Probability that an empty parcel reuses a tracking number already used.
    var reusedTracking: Double { at([0.4, 0.25, 0.12, 0.06]) }
    /// Days over which a rating attack is spread.
    var attackDays: Double { at([0.25, 2, 7, 18]) }
    /// Probability that an attacker places a real cheap order before rating.
    var attackerOrders: Double { at([0.15, 0.6, 0.9, 1]) }
}
