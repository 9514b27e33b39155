import Columnar
import Detection
import Evaluation
import Foundation

/// A scan written up for a person as Markdown: what was read, what was found per
/// category and list, the findings to read as a whole (ring blocks, attacks), and for
/// the strongest suspects the signals behind their scores with sample ids to check.
enum RunReport {
    static func markdown(
        _ result: ScanResult, export: Export, folder: String, run: Int64, store: String,
        evaluation: EvaluationReport?, warnings: [String], seconds: Double
    ) -> String {
        var text = "# CreditWatch scan of `\(folder)`\n\n"
        text += "Run \(run) in `\(store)`: \(export.orders.count) orders, \(export.ratings.count) ratings, "
        text += "\(export.logistics.count) scan events, \(String(format: "%.1f", seconds)) s.\n\n"
        text += "A run proposes; it never changes a list. Put a suspect on a list with "
        text += "`creditwatch list add KIND ID --category C --list L --store \(store)`.\n\n"
        if !warnings.isEmpty {
            text += "## Warnings from the load\n\n```\n" + warnings.map { $0 + "\n" }.joined() + "```\n\n"
        }
        let gaps = ExportGaps.lines(export)
        if !gaps.isEmpty {
            text += "## Not judged: what the export leaves out\n\n" + gaps.map { "- \($0)\n" }.joined() + "\n"
        }

        text += "## Suspects per category\n\n| category | kind | blacklist | key scrutiny |\n|---|---|---:|---:|\n"
        let counts = SuspectCount.of(result.suspects)
        for count in counts {
            text += "| \(count.category) | \(count.kind) | \(count.blacklist) | \(count.keyScrutiny) |\n"
        }
        if counts.isEmpty { text += "| none | | | |\n" }

        if let evaluation {
            text += "\n## Against labels.csv\n\n```\n\(evaluation.table)```\n"
        }
        if !result.findings.isEmpty {
            text += "\n## Findings\n\n"
            for finding in result.findings.prefix(30) {
                text += "- **\(finding.title)**: \(finding.members.prefix(12).joined(separator: ", "))"
                text += finding.members.count > 12 ? ", ...\n" : "\n"
            }
        }
        text += "\n## Strongest suspects\n"
        for category in FraudCategory.allCases {
            let top = result.suspects.filter { $0.category == category }
                .sorted { ($1.score, $0.entityId) < ($0.score, $1.entityId) }.prefix(10)
            guard !top.isEmpty else { continue }
            text += "\n### \(category.rawValue)\n"
            for suspect in top {
                text += "\n**\(suspect.entityKind.rawValue) \(suspect.entityId)**: score "
                text += "\(String(format: "%.3f", suspect.score)), proposed for \(suspect.proposedList?.rawValue ?? "no list")\n\n"
                for signal in suspect.evidence where signal.fired {
                    text += "- `\(signal.signal)` = \(String(format: "%.3g", signal.value)) "
                    text += "(threshold \(String(format: "%.3g", signal.threshold)), adds \(String(format: "%.2f", signal.contribution))): "
                    text += signal.description
                    if !signal.samples.isEmpty {
                        text += "; e.g. " + signal.samples.prefix(5).map { "\($0.kind.rawValue) \($0.id)" }.joined(separator: ", ")
                    }
                    text += "\n"
                }
            }
        }
        text += "\nEvery signal of one entity: `creditwatch explain KIND ID --store \(store)`.\n"
        return text
    }
}
