/// The two lists of the store. A run proposes one of them for each suspect; a list
/// entry is on one of them.
public enum ListName: String, Sendable, Hashable, Codable, CaseIterable {
    case blacklist
    case keyScrutiny = "key_scrutiny"
}

/// An entity a run suspects of one category of gaming credit: its score in [0, 1], the
/// list proposed for it, and the evidence behind the score. Entity kinds and categories
/// are the engine's names (`shop`, `fake_orders`); the store keeps them as text so that
/// it never depends on the engine's vocabulary.
public struct SuspectRecord: Sendable, Hashable, Codable {
    /// The store's id of the suspect; nil until its run is recorded.
    public var id: Int64?
    /// The run that found the suspect; nil until recorded.
    public var runID: Int64?
    public var entityKind: String
    /// The entity's id as it appears in the export.
    public var entityID: String
    public var category: String
    public var score: Double
    public var list: ListName
    /// Every signal measured for the entity, in the order the engine gave them.
    public var evidence: [EvidenceRecord]
    /// Samples that back the suspect as a whole rather than one signal.
    public var samples: [SampleRecord]

    public init(
        id: Int64? = nil, runID: Int64? = nil, entityKind: String, entityID: String,
        category: String, score: Double, list: ListName,
        evidence: [EvidenceRecord] = [], samples: [SampleRecord] = []
    ) {
        self.id = id
        self.runID = runID
        self.entityKind = entityKind
        self.entityID = entityID
        self.category = category
        self.score = score
        self.list = list
        self.evidence = evidence
        self.samples = samples
    }
}

/// One signal's part in a suspect's score: what was measured, against which threshold,
/// how much it weighs and added, and a bounded sample of the rows behind it, so that a
/// person can check the claim in the platform.
public struct EvidenceRecord: Sendable, Hashable, Codable {
    /// The signal's stable snake_case name.
    public var signal: String
    /// One line: what the signal measures and why fraud moves it.
    public var description: String
    /// The measured value; nil where the signal does not apply to the entity.
    public var value: Double?
    public var threshold: Double
    public var weight: Double
    public var contribution: Double
    public var fired: Bool
    /// At most `SampleRecord.limitPerSignal` samples.
    public var samples: [SampleRecord]

    public init(
        signal: String, description: String, value: Double?, threshold: Double,
        weight: Double, contribution: Double, fired: Bool, samples: [SampleRecord] = []
    ) {
        self.signal = signal
        self.description = description
        self.value = value
        self.threshold = threshold
        self.weight = weight
        self.contribution = contribution
        self.fired = fired
        self.samples = samples
    }
}

/// The id of one row behind a signal, kept as evidence: an order, rating or waybill a
/// person can look up in the platform, or a window the detector found.
public struct SampleRecord: Sendable, Hashable, Codable {
    /// The most samples the store keeps for one signal of one suspect.
    public static let limitPerSignal = 20

    /// What the id names: `order`, `rating`, `waybill`, `window`, or another kind the
    /// engine defines.
    public var kind: String
    public var id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }
}
