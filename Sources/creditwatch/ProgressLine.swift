import Detection
import Foundation
import Synchronization

/// The progress of long work on stderr when stderr is a terminal: one line per stage
/// with the time it took, and within a long stage how far it is, in place, so a person
/// watching a large scan sees where it is. Quiet when stderr is a file or a pipe (a log,
/// a script, CI keep only results and errors), and stdout stays clean for results.
final class ProgressLine {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var stage: (name: String, start: ContinuousClock.Instant)?
    private let quiet: Bool
    /// Whether an `update` line is on the terminal, to be cleared before the next line.
    private var updated = false

    /// Quiet when `quiet` (the command's `--quiet`) or when stderr is not a terminal.
    init(quiet: Bool) {
        self.quiet = quiet || isatty(2) != 1
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
        if updated { printError("\r\u{1B}[K", terminator: "") }
        updated = false
        if !quiet { printError("creditwatch: \(stage.name) done in \(format(clock.now - stage.start)) s") }
        self.stage = nil
    }

    /// Shows how far the current stage is (`detail`) in place of what the last update showed.
    func update(_ detail: String) {
        guard !quiet, let stage else { return }
        printError("\r\u{1B}[Kcreditwatch: \(stage.name): \(detail)", terminator: "")
        updated = true
    }

    /// Runs `work` (a read through `files` of about `total` bytes) while showing in place,
    /// once a second after the first, how far it is. Nothing is shown when quiet or for a
    /// short read.
    func showing<T>(_ files: CountedFiles, of total: Int, _ work: () throws -> T) rethrows -> T {
        guard !quiet, total > 0, let stage else { return try work() }
        let watch = ReadWatch(files: files, total: total, stage: stage.name)
        let queue = DispatchQueue(label: "creditwatch.progress")
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { watch.tick() }
        timer.resume()
        defer {
            timer.cancel()
            queue.sync { watch.clear() }
        }
        return try work()
    }

    /// Seconds since the work started.
    var elapsed: Double { (clock.now - started).seconds }

    private func format(_ duration: Duration) -> String {
        String(format: "%.2f", duration.seconds)
    }
}

/// One read watched by `ProgressLine.showing`: what it prints on each tick of the timer.
private final class ReadWatch: Sendable {
    private let files: CountedFiles
    private let total: Int
    private let stage: String
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    /// Whether a line is on the terminal.
    private let printed = Mutex(false)

    init(files: CountedFiles, total: Int, stage: String) {
        self.files = files
        self.total = total
        self.stage = stage
        start = clock.now
    }

    /// Prints how far the read is, in place.
    func tick() {
        let now = clock.now
        printed.withLock { printed in
            let line = Self.line(stage, read: files.bytesRead.load(ordering: .relaxed), of: total, seconds: (now - start).seconds)
            printError("\r\u{1B}[K" + line, terminator: "")
            printed = true
        }
    }

    /// Clears the line the terminal shows.
    func clear() {
        printed.withLock { printed in
            if printed { printError("\r\u{1B}[K", terminator: "") }
            printed = false
        }
    }

    /// `creditwatch: loading X: 45% of 1430 MB (120 MB/s)`.
    static func line(_ stage: String, read: Int, of total: Int, seconds: Double) -> String {
        let percent = min(100, read * 100 / max(total, 1))
        let rate = seconds > 0 ? Double(read) / 1e6 / seconds : 0
        return "creditwatch: \(stage): \(percent)% of \(Int((Double(total) / 1e6).rounded())) MB (\(Int(rate.rounded())) MB/s)"
    }
}
