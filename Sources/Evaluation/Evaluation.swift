import Columnar
import Detection
import Foundation

/// One suspect as the evaluator sees it: the entity, the category, the detector's score
/// and the list it was proposed for, if any. Plain values, so any run or file can feed it.
public struct ScoredEntity: Sendable, Hashable {
    public var kind: EntityKind
    public var id: String
    public var category: FraudCategory
    public var score: Double
    public var list: ProposedList?

    public init(kind: EntityKind, id: String, category: FraudCategory, score: Double, list: ProposedList? = nil) {
        self.kind = kind
        self.id = id
        self.category = category
        self.score = score
        self.list = list
    }
}

/// Precision, recall, F1 and average precision of one (entity kind, category).
///
/// Conventions for empty cases (so that every value is defined):
/// - precision is 1 when nothing is predicted positive (no false claim was made);
/// - recall is 1 when there is no labelled positive (nothing was missed);
/// - F1 is 0 when precision + recall is 0;
/// - average precision is 1 with no positives and no score above 0, and 0 with no
///   positives but some entity scored above 0.
public struct Metrics: Codable, Sendable, Equatable {
    public var kind: EntityKind
    public var category: FraudCategory
    public var positives: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var averagePrecision: Double
}

/// The evaluation of one run against labels: the threshold and one row of metrics per
/// (entity kind, category) present in the suspects or the labels, sorted.
public struct EvaluationReport: Codable, Sendable, Equatable {
    public var threshold: Double
    public var rows: [Metrics]

    /// Compares `scored` with `labels`. An entity is predicted positive when it was proposed
    /// for a list or its score is at least `threshold`. An entity scored several times for
    /// the same category keeps its highest score (and any list).
    public init(scored: [ScoredEntity], labels: Set<Label>, threshold: Double) {
        self.threshold = threshold
        var best: [Label: ScoredEntity] = [:]
        for entity in scored {
            let key = Label(kind: entity.kind, id: entity.id, category: entity.category)
            if var known = best[key] {
                known.score = max(known.score, entity.score)
                known.list = known.list ?? entity.list
                best[key] = known
            } else {
                best[key] = entity
            }
        }
        var groups = Set<Pair>()
        for key in best.keys { groups.insert(Pair(kind: key.kind, category: key.category)) }
        for label in labels { groups.insert(Pair(kind: label.kind, category: label.category)) }
        rows = groups.sorted().map { group in
            let positives = labels.filter { $0.kind == group.kind && $0.category == group.category }
            let entities = best.values.filter { $0.kind == group.kind && $0.category == group.category }
            return EvaluationReport.metrics(group, entities: entities, positives: positives, threshold: threshold)
        }
    }

    struct Pair: Hashable, Comparable {
        var kind: EntityKind
        var category: FraudCategory
        static func < (a: Pair, b: Pair) -> Bool { (a.kind, a.category) < (b.kind, b.category) }
    }

    static func metrics(_ group: Pair, entities: [ScoredEntity], positives: Set<Label>, threshold: Double) -> Metrics {
        func isPositive(_ entity: ScoredEntity) -> Bool {
            positives.contains(Label(kind: entity.kind, id: entity.id, category: entity.category))
        }
        let predicted = entities.filter { $0.list != nil || $0.score >= threshold }
        let truePositives = predicted.filter(isPositive).count
        let falsePositives = predicted.count - truePositives
        let falseNegatives = positives.count - truePositives
        let precision = predicted.isEmpty ? 1 : Double(truePositives) / Double(predicted.count)
        let recall = positives.isEmpty ? 1 : Double(truePositives) / Double(positives.count)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        let ranked = entities.filter { $0.score > 0 }.map { (score: $0.score, positive: isPositive($0)) }
        return Metrics(
            kind: group.kind, category: group.category, positives: positives.count, truePositives: truePositives,
            falsePositives: falsePositives, falseNegatives: falseNegatives, precision: precision, recall: recall,
            f1: f1, averagePrecision: averagePrecision(ranked, positives: positives.count))
    }

    /// Average precision (the area under the precision-recall curve as a step sum) of a
    /// ranking by descending score. Entities with equal scores form one group: the whole
    /// group is taken at once, and the recall it adds is weighted by the precision after
    /// it. Entities scored 0 or not at all are never retrieved: they count only in the
    /// number of positives.
    static func averagePrecision(_ ranked: [(score: Double, positive: Bool)], positives: Int) -> Double {
        guard positives > 0 else { return ranked.isEmpty ? 1 : 0 }
        let sorted = ranked.sorted { $0.score > $1.score }
        var sum = 0.0, taken = 0, found = 0, index = 0
        while index < sorted.count {
            var groupFound = 0, groupEnd = index
            while groupEnd < sorted.count && sorted[groupEnd].score == sorted[index].score {
                if sorted[groupEnd].positive { groupFound += 1 }
                groupEnd += 1
            }
            taken += groupEnd - index
            found += groupFound
            sum += Double(groupFound) / Double(positives) * Double(found) / Double(taken)
            index = groupEnd
        }
        return sum
    }

    /// The report as an aligned text table, one line per (entity kind, category).
    public var table: String {
        let header = ["kind", "category", "labels", "tp", "fp", "fn", "precision", "recall", "f1", "pr_auc"]
        let lines = rows.map { row in
            [row.kind.rawValue, row.category.rawValue, String(row.positives), String(row.truePositives),
             String(row.falsePositives), String(row.falseNegatives), fixed(row.precision), fixed(row.recall),
             fixed(row.f1), fixed(row.averagePrecision)]
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max()! }
        func render(_ cells: [String]) -> String {
            cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                return column < 2 ? cells[column] + padding : padding + cells[column]
            }.joined(separator: "  ")
        }
        let title = "threshold \(fixed(threshold))"
        return ([title, render(header)] + lines.map(render)).joined(separator: "\n") + "\n"
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

private func fixed(_ value: Double) -> String { String(format: "%.3f", value) }
