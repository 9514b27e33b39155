import Columnar

/// A named, documented measurement of one kind of entity (for example the share of a
/// shop's orders placed from devices shared with other buyers). A detector computes
/// signals; the scorer turns the fired ones into a score. The description is what the
/// report and `explain` print, so it says what is measured and why fraud moves it.
public struct SignalDefinition: Sendable, Hashable {
    /// Stable snake_case name, used in the config file, the store and reports.
    public var name: String
    public var entityKind: EntityKind
    public var category: FraudCategory
    /// One line: what the value measures and why fraud raises it.
    public var description: String
    /// The value at or above which the signal fires.
    public var threshold: Double
    /// The value at which the signal's contribution reaches its full weight.
    public var saturation: Double
    /// The largest contribution the signal can make to a score, in (0, 1].
    public var weight: Double

    public init(
        name: String, entityKind: EntityKind, category: FraudCategory, description: String,
        threshold: Double, saturation: Double, weight: Double
    ) {
        self.name = name
        self.entityKind = entityKind
        self.category = category
        self.description = description
        self.threshold = threshold
        self.saturation = saturation
        self.weight = weight
    }

    /// How much `value` adds to a score: nothing below the threshold; from the threshold
    /// on, the weight scaled by how far the value has gone towards saturation (half the
    /// weight at the threshold, the full weight at saturation).
    public func contribution(of value: Double) -> Double {
        guard value.isFinite, value >= threshold else { return 0 }
        let span = saturation - threshold
        let progress = span > 0 ? min(1, (value - threshold) / span) : 1
        return weight * (0.5 + 0.5 * progress)
    }
}

/// A reference to a row behind a signal, kept as evidence: the order, rating or waybill
/// a person can look up in the platform, or a window or block the detector found.
public struct EvidenceSample: Sendable, Hashable, Codable {
    /// What the id names.
    public enum Kind: String, Sendable, Codable {
        case order, rating, waybill, window, block, entity
    }

    public var kind: Kind
    public var id: String

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }
}

/// The values of one signal for every entity of its kind, indexed by the entity's
/// dense id; `.nan` where the signal does not apply (for example a shop with no
/// ratings). Evidence samples are kept only for entities where the signal fires.
public struct SignalColumn: Sendable {
    /// The most evidence samples kept per entity and signal.
    public static let sampleLimit = 20

    public var definition: SignalDefinition
    public var values: [Double]
    public var samples: [UInt32: [EvidenceSample]]

    public init(definition: SignalDefinition, values: [Double], samples: [UInt32: [EvidenceSample]] = [:]) {
        self.definition = definition
        self.values = values
        self.samples = samples
    }

    /// Whether the signal fires for `entity`.
    public func fires(_ entity: Int) -> Bool {
        entity < values.count && values[entity] >= definition.threshold
    }
}
