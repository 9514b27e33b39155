import Columnar

/// One entity's score in one category. Scores of every entity with a non-zero score are
/// kept (not only the proposed suspects) so that evaluation can rank them all.
public struct EntityScore: Sendable, Hashable {
    public var kind: EntityKind
    public var entity: UInt32
    public var category: FraudCategory
    public var score: Double
}

/// Combines the signals of each (entity kind, category) into a score in [0, 1].
///
/// The combination is a noisy-OR: `1 - Π(1 - contribution)`. Each fired signal is an
/// independent piece of evidence; one signal alone can reach at most its weight, so a
/// blacklist score needs several signals that agree (a genuine light parcel or a
/// genuine flash sale fires one, not all).
public enum Scorer {
    /// Scores every entity of every signal group and returns the non-zero scores, and
    /// the suspects (with evidence) whose score reaches a list threshold.
    public static func score(
        _ columns: [SignalColumn], export: Export, config: DetectionConfig
    ) -> (scores: [EntityScore], suspects: [Suspect]) {
        var groups: [GroupKey: [SignalColumn]] = [:]
        for column in columns {
            groups[GroupKey(kind: column.definition.entityKind, category: column.definition.category), default: []]
                .append(column)
        }
        var scores: [EntityScore] = []
        var suspects: [Suspect] = []
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let entityCount = group.map(\.values.count).max() ?? 0
            let names = export.dictionary(for: key.kind)
            for entity in 0..<entityCount {
                var remaining = 1.0
                for column in group where entity < column.values.count {
                    remaining *= 1 - column.definition.contribution(of: column.values[entity])
                }
                let score = 1 - remaining
                guard score > 0 else { continue }
                scores.append(EntityScore(kind: key.kind, entity: UInt32(entity), category: key.category, score: score))
                guard let list = config.proposedList(for: score) else { continue }
                suspects.append(
                    Suspect(
                        entityKind: key.kind, entityId: names.string(UInt32(entity)), category: key.category,
                        score: score, proposedList: list,
                        evidence: evidence(of: entity, in: group)))
            }
        }
        suspects.sort {
            ($0.category, $1.score, $0.entityKind, $0.entityId) < ($1.category, $0.score, $1.entityKind, $1.entityId)
        }
        return (scores, suspects)
    }

    /// Every signal measured for `entity`, fired ones first by contribution.
    static func evidence(of entity: Int, in group: [SignalColumn]) -> [SignalEvidence] {
        var evidence: [SignalEvidence] = []
        for column in group where entity < column.values.count && !column.values[entity].isNaN {
            let definition = column.definition
            let value = column.values[entity]
            evidence.append(
                SignalEvidence(
                    signal: definition.name, description: definition.description, value: value,
                    threshold: definition.threshold, weight: definition.weight,
                    contribution: definition.contribution(of: value),
                    samples: column.samples[UInt32(entity)] ?? []))
        }
        return evidence.sorted { ($1.contribution, $0.signal) < ($0.contribution, $1.signal) }
    }

    private struct GroupKey: Hashable, Comparable {
        var kind: EntityKind
        var category: FraudCategory
        static func < (a: GroupKey, b: GroupKey) -> Bool { (a.category, a.kind) < (b.category, b.kind) }
    }
}
