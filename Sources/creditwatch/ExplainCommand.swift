import ArgumentParser
import Columnar
import ListStore

/// `creditwatch explain`: why the engine suspects one entity.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every signal behind one entity's suspicion, with the sampled evidence ids.",
        discussion: """
            For each category the entity is suspected of: the score, the proposed list, and
            every signal with its value, threshold, weight, contribution, whether it fired,
            what it measures, and the ids of the orders, ratings or waybills behind it.

            Example (a shop `creditwatch scan datasets/sample` proposes):
              creditwatch explain shop s4f51f7
            """)

    @Argument(help: "The entity's kind.")
    var kind: EntityKind

    @Argument(help: "The entity's id as it appears in the export.")
    var id: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only this category.")
    var category: FraudCategory?

    @Option(name: .customLong("run"), help: "The run to read (default: the latest).")
    var runID: Int64?

    func run() throws {
        let (run, suspects) = try storeOptions.open().suspects(
            entityKind: kind.rawValue, entityID: id, category: category?.rawValue, run: runID)
        let runName = "run \(run.id ?? 0) (\(run.exportPath), finished \(UnixTime.iso8601(run.finishedAt)))"
        guard !suspects.isEmpty else {
            throw CommandFailure.input("\(kind.rawValue) \(id) is not a suspect\(category.map { " of \($0.rawValue)" } ?? "") in \(runName)")
        }
        print("\(kind.rawValue) \(id) in \(runName)")
        for suspect in suspects {
            print("\n\(suspect.category): score \(score(suspect.score)), proposed for \(suspect.list.rawValue)")
            var table = TextTable([
                .init(title: "SIGNAL"), .init(title: "FIRED"), .init(title: "VALUE", numeric: true),
                .init(title: "THRESHOLD", numeric: true), .init(title: "WEIGHT", numeric: true),
                .init(title: "CONTRIBUTION", numeric: true), .init(title: "WHAT IT MEASURES"),
            ])
            table.rows = suspect.evidence.map { signal in
                [
                    signal.signal, signal.fired ? "yes" : "no", decimal(signal.value), decimal(signal.threshold),
                    decimal(signal.weight), decimal(signal.contribution), signal.description,
                ]
            }
            print(table.aligned().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            for signal in suspect.evidence where !signal.samples.isEmpty {
                print("  evidence of \(signal.signal): \(samples(signal.samples))")
            }
            if !suspect.samples.isEmpty {
                print("  evidence of the suspect: \(samples(suspect.samples))")
            }
        }
    }

    /// `order O1, O2; window W` : ids grouped by kind, in the order they were kept.
    private func samples(_ samples: [SampleRecord]) -> String {
        var kinds: [String] = []
        var ids: [String: [String]] = [:]
        for sample in samples {
            if ids[sample.kind] == nil { kinds.append(sample.kind) }
            ids[sample.kind, default: []].append(sample.id)
        }
        return kinds.map { "\($0) \(ids[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
    }
}
