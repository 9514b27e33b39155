import ArgumentParser
import Columnar
import ListStore

/// `creditwatch runs`: every scan recorded in the store.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the runs recorded in the store, oldest first.",
        discussion: """
            Example:
              creditwatch runs --store demo/creditwatch.sqlite
            """)

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let runs = try storeOptions.open().runs()
        guard !runs.isEmpty else {
            print("no runs in \(storeOptions.store)")
            return
        }
        var table = TextTable([
            .init(title: "RUN", numeric: true), .init(title: "STARTED"), .init(title: "SECONDS", numeric: true),
            .init(title: "ORDERS", numeric: true), .init(title: "RATINGS", numeric: true),
            .init(title: "SCAN_EVENTS", numeric: true), .init(title: "BLACKLIST", numeric: true),
            .init(title: "KEY_SCRUTINY", numeric: true), .init(title: "ENGINE"), .init(title: "CONFIG"),
            .init(title: "EXPORT"),
        ])
        table.rows = runs.map { run in
            [
                "\(run.id ?? 0)", UnixTime.iso8601(run.startedAt), "\(run.finishedAt - run.startedAt)", "\(run.orders)",
                "\(run.ratings)", "\(run.scanEvents)", "\(run.blacklistSuspects)", "\(run.keyScrutinySuspects)",
                run.engineVersion, run.configHash, "\(run.exportPath) (\(run.exportHash))",
            ]
        }
        print(table.aligned(), terminator: "")
    }
}
