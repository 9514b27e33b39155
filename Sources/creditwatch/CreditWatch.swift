import ArgumentParser

/// The command-line front of the engine: parses arguments and calls the modules.
@main
struct CreditWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creditwatch",
        abstract: "Find gaming credit (fake orders, malicious ratings, empty parcels) in e-commerce exports.",
        discussion: """
            A typical first session:
              creditwatch generate --out demo/export --seed 1 --shops 200 --buyers 5000 --days 30
              creditwatch inspect demo/export
              creditwatch scan demo/export --store demo/creditwatch.sqlite
              creditwatch suspects --store demo/creditwatch.sqlite
            """,
        version: "0.1.0",
        subcommands: [
            Generate.self, Import.self, Inspect.self, Convert.self, Features.self, ScanCommand.self, Suspects.self,
            Explain.self, Runs.self, List.self, Config.self,
        ]
    )
}
