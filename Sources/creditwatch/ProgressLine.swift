import Detection
import Foundation
import Synchronization

/// The progress of long work on stderr: one line per stage with the time it took, and
/// within a long stage how far it is, so a person watching a large scan sees where it
/// is, and stdout stays clean for results. On a terminal how far a stage is shows in
/// place; in a log (stderr a file or a pipe) it is a plain line at most every 10 seconds,
/// so a batch job's log keeps a trace of long work without a line per second.
final class ProgressLine {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var stage: (name: String, start: ContinuousClock.Instant)?
    private let quiet: Bool
    private let terminal = isatty(2) == 1
    /// Whether an `update` line is on the terminal, to be cleared before the next line.
    private var updated = false
    /// When a log last got an `update` line.
    private var lastLogged: ContinuousClock.Instant?

    /// Quiet (nothing but results and errors) when `quiet`, the command's `--quiet`.
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
        if updated { printError("\r\u{1B}[K", terminator: "") }
        updated = false
        if !quiet { printError("creditwatch: \(stage.name) done in \(format(clock.now - stage.start)) s") }
        self.stage = nil
    }

    /// Shows how far the current stage is (`detail`): in place of what the last update
    /// showed on a terminal, else as a line if the log got none in the last 10 seconds.
    func update(_ detail: String) {
        guard !quiet, let stage else { return }
        let line = "creditwatch: \(stage.name): \(detail)"
        if terminal {
            printError("\r\u{1B}[K" + line, terminator: "")
            updated = true
        } else if lastLogged.map({ clock.now - $0 >= ProgressLine.logInterval }) ?? true {
            printError(line)
            lastLogged = clock.now
        }
    }

    /// The least time between two lines of how far a stage is, in a log.
    static let logInterval = Duration.seconds(10)

    /// Runs `work` (a read through `files` of about `total` bytes) while showing, once a
    /// second after the first, how far it is: in place on a terminal, else a line every
    /// 10 seconds. Nothing is shown when quiet or for a short read.
    func showing<T>(_ files: CountedFiles, of total: Int, _ work: () throws -> T) rethrows -> T {
        guard !quiet, total > 0, let stage else { return try work() }
        let watch = ReadWatch(files: files, total: total, stage: stage.name, terminal: terminal)
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
    private let terminal: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    /// Whether a line is on the terminal, and when the last line was printed.
    private let printed: Mutex<(onTerminal: Bool, at: ContinuousClock.Instant)>

    init(files: CountedFiles, total: Int, stage: String, terminal: Bool) {
        self.files = files
        self.total = total
        self.stage = stage
        self.terminal = terminal
        start = clock.now
        printed = Mutex((false, start))
    }

    /// Prints how far the read is: in place on a terminal, else every 10 seconds.
    func tick() {
        let now = clock.now
        printed.withLock { printed in
            guard terminal || now - printed.at >= ProgressLine.logInterval else { return }
            let line = Self.line(stage, read: files.bytesRead.load(ordering: .relaxed), of: total, seconds: (now - start).seconds)
            if terminal { printError("\r\u{1B}[K" + line, terminator: "") } else { printError(line) }
            printed = (terminal, now)
        }
    }

    /// Clears the line a terminal shows.
    func clear() {
        printed.withLock { printed in
            if printed.onTerminal { printError("\r\u{1B}[K", terminator: "") }
            printed.onTerminal = false
        }
    }

    /// `creditwatch: loading X: 45% of 1430 MB (120 MB/s)`.
    static func line(_ stage: String, read: Int, of total: Int, seconds: Double) -> String {
        let percent = min(100, read * 100 / max(total, 1))
        let rate = seconds > 0 ? Double(read) / 1e6 / seconds : 0
        return "creditwatch: \(stage): \(percent)% of \(Int((Double(total) / 1e6).rounded())) MB (\(Int(rate.rounded())) MB/s)"
    }
}
