import Foundation
internal import GRDB

/// The list store: one SQLite file holding the runs, their suspects with evidence, and
/// the blacklist and key-scrutiny list entries with their history.
///
/// The file is in WAL mode, so readers never block the writer nor see a transaction in
/// progress. Every write is one transaction; the writer connection runs with
/// `synchronous = FULL`, so a committed run survives a power cut as well as a killed
/// process, and an uncommitted one leaves no trace. A second writer waits up to the busy
/// timeout and then fails with `StoreError.busy`.
///
/// ## Topics
/// - Runs: `recordRun(_:suspects:)`, `runs()`, `latestRun()`
/// - Suspects: `suspects(_:)`, `suspects(entityKind:entityID:category:run:)`
/// - Lists: `addEntry(...)`, `move(entry:to:...)`, `entries(status:)`, `history(entry:)`
/// - Reports: `monthlyReport(month:)`
public final class Store: Sendable {
    /// The file a command uses when no `--store` is given.
    public static let defaultPath = "creditwatch.sqlite"
    /// How long a writer waits for another writer's transaction, in seconds.
    public static let defaultBusyTimeout = 5.0

    /// Whether opening may create a new, empty store.
    public enum OpenMode: Sendable {
        /// Create the file when it is missing (a scan).
        case create
        /// The file must exist (read commands and list moves).
        case existing
    }

    /// The store file.
    public let path: String
    /// Seconds a write waits for the lock.
    public let busyTimeout: Double
    let pool: DatabasePool

    /// Opens the store at `path`, brings its schema up to date, and refuses a store
    /// written by a newer engine.
    public init(path: String = Store.defaultPath, mode: OpenMode = .create, busyTimeout: Double = Store.defaultBusyTimeout) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        if mode == .existing, !FileManager.default.fileExists(atPath: path) {
            throw StoreError.missingStore(path: path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        let pool = try Store.translating(path: path, busyTimeout: busyTimeout) {
            try DatabasePool(path: path, configuration: configuration)
        }
        self.pool = pool
        try write(inTransaction: false) { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try migrate(to: StoreSchema.versions.last!)
    }

    /// Applies the migrations up to `version` unless they are already applied.
    func migrate(to version: String) throws {
        let migrator = StoreSchema.migrator
        let (superseded, complete) = try read { db in
            (try migrator.hasBeenSuperseded(db), try migrator.appliedIdentifiers(db).contains(version))
        }
        if superseded { throw StoreError.newerSchema(path: path) }
        if !complete {
            try Store.translating(path: path, busyTimeout: busyTimeout) {
                try migrator.migrate(pool, upTo: version)
            }
        }
    }

    /// Runs `body` in one write transaction (or outside any, for pragmas); SQLite errors
    /// become `StoreError`s naming the file.
    func write<T>(inTransaction: Bool = true, _ body: (Database) throws -> T) throws -> T {
        try Store.translating(path: path, busyTimeout: busyTimeout) {
            inTransaction ? try pool.write(body) : try pool.writeWithoutTransaction(body)
        }
    }

    /// Runs `body` on a snapshot of the last committed state.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Store.translating(path: path, busyTimeout: busyTimeout) { try pool.read(body) }
    }

    private static func translating<T>(path: String, busyTimeout: Double, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy(path: path, timeout: busyTimeout)
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, message: error.message ?? error.description)
        }
    }
}
