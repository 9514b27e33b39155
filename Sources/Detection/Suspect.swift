import Columnar

/// The list a suspect is proposed for. A run only proposes; moving an entry onto a
/// list is a separate, audited step of the list store.
public enum ProposedList: String, Sendable, Codable, CaseIterable {
    case blacklist
    case keyScrutiny = "key_scrutiny"
}

/// One signal's part in a suspect's score, as `explain` shows it.
public struct SignalEvidence: Sendable, Codable, Hashable {
    public var signal: String
    public var description: String
    public var value: Double
    public var threshold: Double
    public var weight: Double
    public var contribution: Double
    public var samples: [EvidenceSample]

    public var fired: Bool { contribution > 0 }
}

/// An entity the engine suspects of one category of gaming credit, with its score in
/// [0, 1], the list it is proposed for, and the evidence behind the score.
public struct Suspect: Sendable, Codable, Hashable {
    public var entityKind: EntityKind
    /// The entity's id as it appears in the export.
    public var entityId: String
    public var category: FraudCategory
    public var score: Double
    public var proposedList: ProposedList?
    /// Every signal measured for the entity, fired ones first.
    public var evidence: [SignalEvidence]
}
