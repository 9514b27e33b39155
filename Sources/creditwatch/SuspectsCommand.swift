import ArgumentParser
import Columnar
import ListStore

/// `creditwatch suspects`: the suspects of a run, highest score first.
struct Suspects: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the suspects of the latest run (or of --run), highest score first.",
        discussion: """
            Ties in score are ordered by entity kind and id. json includes each suspect's evidence.

            Example: the blacklist proposals for fake orders, as CSV:
              creditwatch suspects --store demo/creditwatch.sqlite --category fake_orders --list blacklist --format csv
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("run"), help: "The run to read (default: the latest).")
    var runID: Int64?

    @Option(help: "Only this category.")
    var category: FraudCategory?

    @Option(help: "Only suspects proposed for this list.")
    var list: ListName?

    @Option(help: "Only suspects scoring at least this much (0...1).")
    var minScore: Double?

    @Option(help: "At most this many suspects.")
    var limit: Int?

    @Option(help: "How to print: an aligned table, or csv or json for programs.")
    var format = OutputFormat.table

    func validate() throws {
        if let minScore, !(0...1).contains(minScore) { throw ValidationError("--min-score must be between 0 and 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let query = SuspectQuery(
            run: runID, category: category?.rawValue, list: list, minScore: minScore, limit: limit,
            includesEvidence: format == .json)
        let (run, suspects) = try storeOptions.open().suspects(query)
        switch format {
        case .json:
            print(try json(SuspectListing(run: run, suspects: suspects)), terminator: "")
        case .csv, .table:
            var table = TextTable([
                .init(title: "RUN", numeric: true), .init(title: "SCORE", numeric: true), .init(title: "KIND"),
                .init(title: "ID"), .init(title: "CATEGORY"), .init(title: "LIST"),
            ])
            table.rows = suspects.map { suspect in
                [
                    "\(run.id ?? 0)", format == .csv ? "\(suspect.score)" : score(suspect.score), suspect.entityKind,
                    suspect.entityID, suspect.category, suspect.list.rawValue,
                ]
            }
            if format == .csv {
                print(table.csv(), terminator: "")
            } else {
                print("run \(run.id ?? 0) of \(run.exportPath), finished \(UnixTime.iso8601(run.finishedAt)): \(suspects.count) suspects")
                if !suspects.isEmpty { print(table.aligned(), terminator: "") }
            }
        }
    }
}

/// The JSON shape of `suspects --format json`.
private struct SuspectListing: Encodable {
    var run: RunRecord
    var suspects: [SuspectRecord]
}
