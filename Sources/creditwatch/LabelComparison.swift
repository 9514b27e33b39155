import Columnar
import Detection
import Evaluation
import Ingest

/// Compares a scan's scores with the export's `labels.csv`: every entity the scan gave
/// a non-zero score (not only the proposed suspects) enters the ranking, so PR-AUC
/// measures the whole ordering.
enum LabelComparison {
    /// The export's `labels.csv`, read before the scan so that a missing or bad file
    /// stops the command before it does any work.
    static func labels(in folder: ExportFolder) throws -> [Label] {
        do {
            return try ExportReader().readLabels(in: folder.path)
        } catch {
            throw CommandFailure.input("\(folder.path)/\(error)")
        }
    }

    static func report(for result: ScanResult, export: Export, labels: [Label], config: DetectionConfig) -> EvaluationReport {
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
