import Columnar
import Foundation
import Synchronization

/// The progress of long work on stderr: one line per stage with the time it took, and
/// within a long stage how far it is, so a person watching a large scan sees where it
/// is, and stdout stays clean for results. On a terminal how far a stage is shows in
/// place; in a log (stderr a file or a pipe) it is a plain line at most every 10 seconds,
/// so a batch job's log keeps a trace of long work without a line per second.
final class ProgressLine {
    /// The help of the commands' `--quiet` flag, which turns the progress lines off.
    static let quietHelp = "No progress lines on stderr (in a log or a pipe there are stage lines, and how far a long stage is at most every 10 s)."

    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var stage: (name: String, start: ContinuousClock.Instant)?
    private let quiet: Bool
    private let terminal = isatty(2) == 1
    /// Where `update` lines go; its first line in a log is printed at once.
    private var detail: DetailLine

    /// Quiet (nothing but results and errors) when `quiet`, the command's `--quiet`.
    init(quiet: Bool) {
        self.quiet = quiet
        started = clock.now
        detail = DetailLine(terminal: terminal, lastLogged: nil)
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
        detail.clear()
        if !quiet { printError("creditwatch: \(stage.name) done in \(format(clock.now - stage.start)) s") }
        self.stage = nil
    }

    /// Shows how far the current stage is (`detail`): in place of what the last update
    /// showed on a terminal, else as a line if the log got none in the last 10 seconds.
    func update(_ detail: String) {
        guard !quiet, let stage else { return }
        self.detail.show("creditwatch: \(stage.name): \(detail)", at: clock.now)
    }

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
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    /// Where the lines go (the timer's thread ticks, the caller's clears); its first
    /// line in a log comes 10 seconds after the start.
    private let detail: Mutex<DetailLine>

    init(files: CountedFiles, total: Int, stage: String, terminal: Bool) {
        self.files = files
        self.total = total
        self.stage = stage
        start = clock.now
        detail = Mutex(DetailLine(terminal: terminal, lastLogged: start))
    }

    /// Prints how far the read is: in place on a terminal, else every 10 seconds.
    func tick() {
        let now = clock.now
        let line = Self.line(stage, read: files.bytesRead.load(ordering: .relaxed), of: total, seconds: (now - start).seconds)
        detail.withLock { $0.show(line, at: now) }
    }

    /// Clears the line a terminal shows.
    func clear() {
        detail.withLock { $0.clear() }
    }

    /// `creditwatch: loading X: 45% of 1430 MB (120 MB/s)`.
    static func line(_ stage: String, read: Int, of total: Int, seconds: Double) -> String {
        let percent = min(100, read * 100 / max(total, 1))
        let rate = seconds > 0 ? Double(read) / 1e6 / seconds : 0
        return "creditwatch: \(stage): \(percent)% of \(Int((Double(total) / 1e6).rounded())) MB (\(Int(rate.rounded())) MB/s)"
    }
}

/// The rule for lines saying how far a stage is, which `ProgressLine.update` and a
/// watched read's ticks share: in place on a terminal (cleared before the next plain
/// line), else a plain line at most every `logInterval`, so a batch job's log keeps a
/// trace of long work without a line per second.
struct DetailLine: Sendable {
    /// The least time between two lines in a log.
    static let logInterval = Duration.seconds(10)

    let terminal: Bool
    /// When a log last got a line (nil: never, so the first is printed at once).
    var lastLogged: ContinuousClock.Instant?
    /// Whether a line is on the terminal, to be cleared before the next plain line.
    private var onTerminal = false

    init(terminal: Bool, lastLogged: ContinuousClock.Instant?) {
        self.terminal = terminal
        self.lastLogged = lastLogged
    }

    /// Shows `line` at `now`: in place on a terminal, in a log only if the last line is
    /// `logInterval` old.
    mutating func show(_ line: String, at now: ContinuousClock.Instant) {
        if terminal {
            printError("\r\u{1B}[K" + line, terminator: "")
            onTerminal = true
        } else if lastLogged.map({ now - $0 >= Self.logInterval }) ?? true {
            printError(line)
            lastLogged = now
        }
    }

    /// Clears the line a terminal shows.
    mutating func clear() {
        if onTerminal { printError("\r\u{1B}[K", terminator: "") }
        onTerminal = false
    }
}
