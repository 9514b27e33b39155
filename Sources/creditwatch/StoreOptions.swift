import ArgumentParser
import Columnar
import Foundation
import ListStore

/// The options every store command shares: which store file, and how long to wait for
/// another writer.
struct StoreOptions: ParsableArguments {
    @Option(help: "The list store file.")
    var store = Store.defaultPath

    @Option(help: "Seconds to wait while another process writes to the store.")
    var busyTimeout = Store.defaultBusyTimeout

    /// Opens the existing store; a missing file is an error, never a new empty store.
    func open() throws -> Store {
        try Self.check(store, creating: false)
        return try Store(path: store, mode: .existing, busyTimeout: busyTimeout)
    }

    /// Fails (exit code 74) when `path` cannot be the list store: a folder, or, for a
    /// store that `creating` makes when missing, a path with no folder to make it in.
    /// `scan` checks before its long work, the other store commands before opening.
    static func check(_ path: String, creating: Bool) throws {
        if let problem = PathKind.problem(file: path, creating: creating) {
            throw CommandFailure.store("--store \(path): \(problem)")
        }
    }
}

/// Who moves a list entry and why, recorded in the entry's history.
struct MoveOptions: ParsableArguments {
    @Option(help: "Why: recorded in the entry's history.")
    var note = ""

    @Option(help: "Who, recorded in the entry's history: your $USER by default.")
    var actor = ProcessInfo.processInfo.environment["USER"] ?? "creditwatch"

    /// The time of a move: now, in Unix seconds.
    var now: Int64 { Int64(Date().timeIntervalSince1970) }
}

extension ExitStatus {
    /// The store file does not exist (sysexits EX_NOINPUT).
    static let noStore = ExitCode(66)
    /// Another process held the store's write lock past the busy timeout; try again
    /// later (sysexits EX_TEMPFAIL).
    static let storeBusy = ExitCode(75)
}

extension StoreError {
    /// The named exit code of a store failure: a missing or busy store, a broken
    /// store, or a request the store refuses (unknown run or entry, invalid move).
    var exitCode: ExitCode {
        switch self {
        case .missingStore: ExitStatus.noStore
        case .busy: ExitStatus.storeBusy
        case .database, .newerSchema: ExitStatus.storeFailure
        case .noRuns, .unknownRun, .unknownEntry, .noSuspect, .alreadyOnList, .invalidTransition,
            .tooManySamples, .invalidMonth:
            ExitStatus.badInput
        }
    }
}

extension ListName: ExpressibleByArgument {}
extension ListStatus: ExpressibleByArgument {}
extension EntityKind: ExpressibleByArgument {}
extension FraudCategory: ExpressibleByArgument {}
