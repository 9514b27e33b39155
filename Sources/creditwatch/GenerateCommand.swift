import ArgumentParser
import Foundation
import Synth

extension FraudProfile: ExpressibleByArgument {}

/// `creditwatch generate`: writes a synthetic export with ground-truth labels.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic export (orders, ratings, logistics, accounts) with labels.csv.",
        discussion: """
            Deterministic for a seed: the same options give byte-identical files. Profiles and \
            camouflage levels are described in docs/DATASETS.md.

            Examples:
              creditwatch generate --out demo/export --shops 300 --buyers 20000 --days 60
              creditwatch generate --out big --seed 7 --shops 20000 --buyers 2000000 --days 90 --orders 10000000 --compress
              creditwatch generate --out ratings --fraud ratings --camouflage 3 --shops 200 --buyers 5000 --days 30
            """)

    @Option(help: "Folder to write the export into (created if missing).")
    var out: String

    @Option(help: "Random seed: the same seed gives byte-identical files.")
    var seed: UInt64 = 1

    @Option(help: "Number of shops.")
    var shops: Int

    @Option(help: "Number of buyer accounts.")
    var buyers: Int

    @Option(help: "Number of days covered, from 2026-10-01.")
    var days: Int

    @Option(help: "Honest orders to place (default: buyers * days / 10).")
    var orders: Int?

    @Option(help: "Fraud profile (docs/DATASETS.md).")
    var fraud: FraudProfile = .mixed

    @Option(help: "How hard the fraud hides, 0 (not at all) to 3.")
    var camouflage: Int = 1

    @Flag(help: "Write LZ4-frame files (NAME.csv.lz4).")
    var compress = false

    @Flag(help: ArgumentHelp(ProgressLine.quietHelp))
    var quiet = false

    func validate() throws {
        guard shops >= 1, buyers >= 1, days >= 1 else { throw ValidationError("--shops, --buyers and --days must be at least 1") }
        guard (0...3).contains(camouflage) else { throw ValidationError("--camouflage must be 0, 1, 2 or 3") }
        if let orders, orders < 1 { throw ValidationError("--orders must be at least 1") }
    }

    func run() throws {
        BulkHeap.prepare()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let config = GeneratorConfig(
            seed: seed, shops: shops, buyers: buyers, days: days, orders: orders, fraud: fraud,
            camouflage: camouflage, compress: compress)
        let progress = ProgressLine(quiet: quiet)
        progress.begin("generating \(out)")
        let summary = try Generator.generate(config, into: out) { progress.update("\(Int($0 * 100))% of the orders") }
        progress.finish()
        print("wrote \(out): \(summary.orders) orders, \(summary.ratings) ratings, \(summary.scans) scans, \(summary.accounts) accounts, \(summary.labels.count) labels")
    }
}
