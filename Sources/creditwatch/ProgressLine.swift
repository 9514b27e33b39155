import Detection
import Foundation

/// The progress of long work on stderr: one line per stage with the time it took, so a
/// person watching a large scan sees where it is, and stdout stays clean for results.
final class ProgressLine {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var stage: (name: String, start: ContinuousClock.Instant)?
    private let quiet: Bool

    init(quiet: Bool) {
        self.quiet = quiet
        started = clock.now
    }

    /// Ends the current stage (printing its time) and starts `name`.
    func begin(_ name: String) {
        finish()
        stage = (name, clock.now)
        if !quiet { printError("creditwatch: \(name) ...") }
    }

    /// Ends the current stage, printing its time.
    func finish() {
        guard let stage else { return }
        if !quiet { printError("creditwatch: \(stage.name) done in \(format(clock.now - stage.start)) s") }
        self.stage = nil
    }

    /// Seconds since the work started.
    var elapsed: Double { (clock.now - started).seconds }

    private func format(_ duration: Duration) -> String {
        String(format: "%.2f", duration.seconds)
    }
}
