import ArgumentParser
import Columnar
import Detection
import Foundation
import Ingest
import Synchronization

/// `creditwatch features EXPORT_DIR --out DIR`: per-entity features (shops, waybills,
/// raters) as CSV, the same ones `make bench-compare` computes in DuckDB and Polars, so a platform
/// can check the engine against its own SQL and time both.
struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write per-shop, per-waybill and per-rater features as CSV (shops.csv, waybills.csv, raters.csv).",
        discussion: """
            shops.csv: shop_id, orders, distinct_buyers, max_window_rate (most orders per distinct \
            buyer in the one-hour windows starting at each of its orders), shared_device_share \
            (share of its orders from a device used by 3 or more of its buyers). waybills.csv: \
            tracking_no, scans, first_to_signed_s (empty when never signed), has_transit. \
            raters.csv: buyer_id, ratings, without_order_share. Timings (wall and CPU seconds of the load \
            and of the features) go to stderr; from CSV, shop and rater features are computed as soon as \
            orders and ratings are read (on two cores or more, while logistics is still being read), so \
            their time falls in the load's. The export, CSV or native, is read only in the columns the \
            features need (CSV records are still framed and checked whole).

            Example:
              creditwatch features demo/export --out demo/features --threads 2
            """)

    @OptionGroup var input: ExportArguments

    @Option(help: "The folder to write the three CSV files into.")
    var out: String

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now, startedCPU = CPUTime.process
        let early = Mutex<OrderFeatures?>(nil)
        let scans = Mutex(EntityFeatures.WaybillAccumulator())
        let threads = input.threads
        let export = try ExportArguments.load(
            input.folder(), threads: threads, columns: EntityFeatures.neededColumns,
            tablesRead: { tables, names in
                guard names.contains("orders"), names.contains("ratings") else { return }
                let features = OrderFeatures(tables, threads: threads)
                early.withLock { $0 = features }
            },
            scansRead: { delivery in
                scans.withLock { accumulator in
                    switch delivery {
                    case .rows(let batch): accumulator.update(batch)
                    case .renumbered(let waybills): accumulator.renumber(waybills)
                    }
                }
            }
        ).export
        let loaded = clock.now, loadedCPU = CPUTime.process
        let d = export.dictionaries
        let (shops, raters) = (early.withLock { $0 } ?? OrderFeatures(export, threads: threads)).features
        // From CSV the scans were folded as they were read; a native load keeps them.
        var folded = EntityFeatures.WaybillAccumulator()
        scans.withLock { swap(&$0, &folded) }
        let waybills = export.logistics.count == 0
            ? folded.finalize(waybillCount: d.waybills.count)
            : EntityFeatures.waybills(export.logistics, waybillCount: d.waybills.count, threads: threads)
        let computed = clock.now, computedCPU = CPUTime.process

        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try FeatureFile.write("\(out)/shops.csv", header: "shop_id,orders,distinct_buyers,max_window_rate,shared_device_share") { file in
                for (shop, features) in shops.enumerated() {
                    guard let f = features else { continue }
                    try file.line("\(d.accounts.string(UInt32(shop))),\(f.orders),\(f.distinctBuyers),\(f.busiestWindowRate),\(f.sharedDeviceShare)")
                }
            }
            try FeatureFile.write("\(out)/waybills.csv", header: "tracking_no,scans,first_to_signed_s,has_transit") { file in
                for (waybill, f) in waybills.enumerated() {
                    try file.line("\(d.waybills.string(UInt32(waybill))),\(f.scans),\(f.firstToSignedSeconds.map(String.init) ?? ""),\(f.hasTransit ? 1 : 0)")
                }
            }
            try FeatureFile.write("\(out)/raters.csv", header: "buyer_id,ratings,without_order_share") { file in
                for (rater, features) in raters.enumerated() {
                    guard let f = features else { continue }
                    try file.line("\(d.accounts.string(UInt32(rater))),\(f.ratings),\(f.withoutOrderShare)")
                }
            }
        } catch {
            throw CommandFailure.input("cannot write \(out): \(error.localizedDescription)")
        }
        printError(
            "load_seconds=\((loaded - started).seconds) features_seconds=\((computed - loaded).seconds) "
                + "load_cpu_seconds=\(loadedCPU - startedCPU) features_cpu_seconds=\(computedCPU - loadedCPU)")
    }
}

/// The shop and rater features: all they read is orders and ratings (and the accounts
/// space), so `features` computes them on the core that read those two files, while
/// the other cores still read logistics.
private struct OrderFeatures: Sendable {
    let features: (shops: [EntityFeatures.Shop?], raters: [EntityFeatures.Rater?])

    init(_ export: Export, threads: Int) {
        let accounts = export.dictionaries.accounts.count
        features = (EntityFeatures.shops(export.orders, accountCount: accounts, threads: threads),
                    EntityFeatures.raters(export.ratings, accountCount: accounts))
    }
}

/// One feature CSV, written to its file a megabyte at a time from one reused text, so
/// that a million waybills' lines never sit in memory at once.
private struct FeatureFile {
    private let handle: FileHandle
    private var text = ""
    private static let flushBytes = 1 << 20

    private init(handle: FileHandle) { self.handle = handle }

    /// Creates (or empties) the file at `path`, writes `header` and then the lines `body` adds.
    static func write(_ path: String, header: String, _ body: (inout FeatureFile) throws -> Void) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteNoPermission) }
        var file = FeatureFile(handle: try FileHandle(forWritingTo: URL(fileURLWithPath: path)))
        defer { try? file.handle.close() }
        try file.line(header)
        try body(&file)
        try file.flush()
    }

    /// Adds `line` and a line feed.
    mutating func line(_ line: String) throws {
        text += line
        text += "\n"
        if text.utf8.count >= Self.flushBytes { try flush() }
    }

    private mutating func flush() throws {
        try handle.write(contentsOf: Data(text.utf8))
        text.removeAll(keepingCapacity: true)
    }
}
