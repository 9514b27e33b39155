import ArgumentParser
import Columnar
import Detection
import Foundation
import Ingest
import ListStore

/// `creditwatch scan`: the main job. Loads an export, runs every detector, and records
/// the run with its suspects and evidence in the list store in one transaction.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan an export for gaming credit and record the suspects in the list store.",
        discussion: """
            Loads EXPORT_DIR (orders.csv required; ratings, logistics, accounts optional; plain \
            CSV, .csv.lz4, or the native .cwseg files `creditwatch convert` writes), measures every signal, scores shops, buyers and courier outlets per \
            category, and records the run in the store as one transaction: a failed or killed \
            scan leaves the store exactly as it was. A run only proposes suspects for the \
            blacklist or key scrutiny; `creditwatch list` moves entries.

            Examples:
              creditwatch scan datasets/sample
              creditwatch scan exports/2026-11 --store lists.sqlite --config tuned.toml --threads 2
              creditwatch scan datasets/sample --labels      # also score against labels.csv
              creditwatch scan datasets/sample --report scan.md
            """)

    @OptionGroup var input: ExportArguments

    @Option(help: "The list store file (created when missing).")
    var store: String = Store.defaultPath

    @Option(help: "A config file with thresholds and weights (see `creditwatch config`).")
    var config: String?

    @Flag(help: "Compare the scores with the export's labels.csv: precision, recall, F1 and PR-AUC per kind and category.")
    var labels = false

    @Flag(help: "With --labels: print the comparison as JSON on stdout (the summary goes to stderr).")
    var json = false

    @Option(help: "Also write the run as a Markdown report to this file.")
    var report: String?

    @Flag(help: ArgumentHelp(ProgressLine.quietHelp))
    var quiet = false

    func validate() throws {
        guard labels || !json else { throw ValidationError("--json goes with --labels") }
    }

    func run() throws {
        let exportDirectory = input.exportDirectory, threads = input.threads
        let progress = ProgressLine(quiet: quiet)
        let startedAt = Int64(Date().timeIntervalSince1970)
        let folder = try input.folder()
        try StoreOptions.check(store, creating: true)
        if let report, let problem = PathKind.problem(file: report, creating: true) { throw CommandFailure.input("--report \(report): \(problem)") }
        let settings = try loadConfig(config)
        let truth = labels ? try LabelComparison.labels(in: folder) : nil

        progress.begin("loading \(exportDirectory)")
        let loaded = try ExportArguments.load(folder, threads: threads, progress: progress)
        let fingerprint: String
        do {
            fingerprint = try ExportFingerprint.of(exportDirectory, threads: threads)
        } catch {
            throw CommandFailure.input("\(exportDirectory)/\(error)")
        }
        let export = loaded.export

        let result = Scan.run(export, detectors: Detectors.standard, config: settings, threads: threads) {
            progress.begin("detector: \($0)")
        }

        // Everything that can be computed before the run is recorded is: the store's
        // transaction is the last step, so a run killed before it leaves the store as it was
        // and one killed after it has little left to do.
        let evaluation = truth.map { LabelComparison.report(for: result, export: export, labels: $0, config: settings) }
        progress.begin("recording the run in \(store)")
        let run = RunRecord(
            exportPath: exportDirectory, exportHash: fingerprint, configHash: settings.fingerprint,
            engineVersion: CreditWatch.configuration.version, startedAt: startedAt,
            finishedAt: Int64(Date().timeIntervalSince1970), orders: export.orders.count,
            ratings: export.ratings.count, scanEvents: export.logistics.count)
        let runID: Int64
        do {
            runID = try Store(path: store).recordRun(run, suspects: result.suspects.lazy.map(SuspectRecord.init))
        } catch {
            throw CommandFailure.store("\(error)")
        }
        progress.finish()

        let seconds = progress.elapsed
        var summary = Self.summary(result, export: export, loaded: loaded, run: runID, store: store, seconds: seconds)
        if let report {
            let text = RunReport.markdown(
                result, export: export, folder: exportDirectory, run: runID, store: store, evaluation: evaluation,
                warnings: LoadWarnings.lines(loaded.report, indent: ""), seconds: seconds)
            do {
                try text.write(toFile: report, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure.input("\(report): cannot write the report (\(error.localizedDescription))")
            }
            summary += "\nreport: \(report)"
        }
        guard let evaluation else { return print(summary) }
        if json {
            printError(summary)
            print(try evaluation.json())
        } else {
            print(summary)
            print("\nagainst labels.csv\n" + evaluation.table, terminator: "")
        }
    }

    /// What a person reads after a scan: volume and speed, load warnings, what the export
    /// leaves out (not judged), suspects per category and list, the top suspects, the
    /// blocks found, and where to look next.
    static func summary(
        _ result: ScanResult, export: Export, loaded: LoadedExport, run: Int64, store: String, seconds: Double
    ) -> String {
        let rows = loaded.report.rows
        var text = "run \(run): \(export.orders.count) orders, \(export.ratings.count) ratings, "
        text += "\(export.logistics.count) scan events in \(String(format: "%.2f", seconds)) s "
        text += "(\(Int(Double(rows) / max(seconds, 1e-9))) rows/s)\n\n"
        let warnings = LoadWarnings.lines(loaded.report)
        if !warnings.isEmpty { text += "warnings:\n" + warnings.map { $0 + "\n" }.joined() + "\n" }
        let gaps = ExportGapLines.section(export)
        if !gaps.isEmpty { text += gaps + "\n" }
        let counts = [["category", "kind", "blacklist", "key scrutiny"]]
            + SuspectCount.of(result.suspects).map { [$0.category, $0.kind, "\($0.blacklist)", "\($0.keyScrutiny)"] }
        text += result.suspects.isEmpty ? "no suspects\n" : TextTable.render(counts)
        let top = result.suspects.sorted { ($1.score, $0.entityId) < ($0.score, $1.entityId) }.prefix(10)
        if !top.isEmpty {
            var lines = [["score", "list", "category", "kind", "id", "strongest signal"]]
            for suspect in top {
                lines.append([
                    String(format: "%.3f", suspect.score), suspect.proposedList?.rawValue ?? "-",
                    suspect.category.rawValue, suspect.entityKind.rawValue, suspect.entityId,
                    suspect.evidence.first?.signal ?? "",
                ])
            }
            text += "\ntop suspects\n" + TextTable.render(lines)
        }
        if !result.findings.isEmpty {
            text += "\nfindings\n"
            for finding in result.findings.prefix(20) { text += "  \(finding.title)\n" }
        }
        text += "\nstore: \(store)\nnext:  creditwatch suspects --store \(store)\n"
        let (kind, id) = top.first.map { ($0.entityKind.rawValue, $0.entityId) } ?? ("KIND", "ID")
        text += "       creditwatch explain \(kind) \(id) --store \(store)"
        return text
    }
}

extension SuspectRecord {
    /// The store's form of a suspect the engine proposed.
    init(_ suspect: Suspect) {
        self.init(
            entityKind: suspect.entityKind.rawValue, entityID: suspect.entityId, category: suspect.category.rawValue,
            score: suspect.score, list: suspect.proposedList == .blacklist ? .blacklist : .keyScrutiny,
            evidence: suspect.evidence.map { signal in
                EvidenceRecord(
                    signal: signal.signal, description: signal.description,
                    value: signal.value.isFinite ? signal.value : nil, threshold: signal.threshold,
                    weight: signal.weight, contribution: signal.contribution, fired: signal.fired,
                    samples: signal.samples.prefix(SampleRecord.limitPerSignal).map {
                        SampleRecord(kind: $0.kind.rawValue, id: $0.id)
                    })
            })
    }
}
