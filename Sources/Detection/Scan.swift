import Columnar

/// Everything one scan found: the proposed suspects with evidence, every non-zero
/// score (for evaluation), the findings to read as a whole, and where the time went.
public struct ScanResult: Sendable {
    public var suspects: [Suspect]
    public var scores: [EntityScore]
    public var findings: [Finding]
    /// Seconds spent in each detector, in run order.
    public var detectorSeconds: [(detector: String, seconds: Double)]
}

/// Runs detectors over an export and scores what they measured. A plain function of
/// its inputs: the same export and config give the same result for any thread count.
public enum Scan {
    /// Runs `detectors` on `export`. `progress` receives one line per detector started.
    public static func run(
        _ export: Export, detectors: [any Detector], config: DetectionConfig, threads: Int,
        progress: (String) -> Void = { _ in }
    ) -> ScanResult {
        var columns: [SignalColumn] = []
        var findings: [Finding] = []
        var timings: [(String, Double)] = []
        let clock = ContinuousClock()
        let memo = ScanMemo(export)
        for detector in detectors {
            progress(detector.name)
            let start = clock.now
            let output = detector.measure(export, config: config, threads: max(1, threads), memo: memo)
            timings.append((detector.name, (clock.now - start).seconds))
            columns += output.signals
            findings += output.findings
        }
        let (scores, suspects) = Scorer.score(columns, export: export, config: config)
        return ScanResult(suspects: suspects, scores: scores, findings: findings, detectorSeconds: timings)
    }
}
