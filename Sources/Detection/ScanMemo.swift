import Columnar
import Synchronization

/// What several detectors of one scan compute from the same export, computed once: on
/// first use, then handed to each detector that asks. `Scan.run` makes one per scan. A
/// value is kept with the config it was computed under and computed anew under another,
/// so a detector reads the same value with a shared memo as with its own.
public final class ScanMemo: Sendable {
    /// The ratings' backing and tickets (`RatingFacts.purchases`): four malicious-ratings
    /// detectors read them, and each worked them out on its own before.
    typealias Purchases = (backing: [RatingBacking], tickets: (rating: [Bool], shopShare: [Double]))

    private let export: Export
    private let purchases = Mutex<(config: DetectionConfig, value: Purchases)?>(nil)

    /// A memo of `export`, empty until a detector asks.
    public init(_ export: Export) {
        self.export = export
    }

    /// `RatingFacts.purchases` of the export under `config`.
    func purchases(config: DetectionConfig, threads: Int) -> Purchases {
        purchases.withLock { cached in
            if let cached, cached.config == config { return cached.value }
            let value = RatingFacts.purchases(export, config: config, threads: threads)
            cached = (config, value)
            return value
        }
    }
}
