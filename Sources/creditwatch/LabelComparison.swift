import Columnar
import Detection
import Evaluation
import Ingest

/// Compares a scan's scores with the export's `labels.csv`: every entity the scan gave
/// a non-zero score (not only the proposed suspects) enters the ranking, so PR-AUC
/// measures the whole ordering.
enum LabelComparison {
    static func report(for result: ScanResult, export: Export, folder: String, config: DetectionConfig) throws -> EvaluationReport {
        let labels: [Label]
        do {
            labels = try ExportReader().readLabels(in: folder)
        } catch {
            throw CommandFailure.input("\(folder)/\(error)")
        }
        var lists: [String: ProposedList] = [:]
        for suspect in result.suspects {
            lists["\(suspect.entityKind.rawValue)\t\(suspect.entityId)\t\(suspect.category.rawValue)"] = suspect.proposedList
        }
        let scored = result.scores.map { score in
            let id = export.dictionary(for: score.kind).string(score.entity)
            return ScoredEntity(
                kind: score.kind, id: id, category: score.category, score: score.score,
                list: lists["\(score.kind.rawValue)\t\(id)\t\(score.category.rawValue)"])
        }
        return EvaluationReport(
            scored: scored,
            labels: Set(labels),
            threshold: config[DetectionConfig.keyScrutinyKey])
    }
}
