import Foundation
import GRDB
@testable import ListStore
import Testing
import TestSupport

/// The committed store made by the first schema version (v1: runs, suspects, evidence).
private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/store-v1.sqlite").path

@Suite struct MigrationTests {
    @Test func aStoreWrittenByTheFirstSchemaOpensMigratedWithItsDataIntact() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("store.sqlite")
        try FileManager.default.copyItem(atPath: fixture, toPath: path)

        let store = try Store(path: path, mode: .existing)
        let applied = try store.read { db in try StoreSchema.migrator.appliedMigrations(db) }
        #expect(applied == StoreSchema.versions)

        let runs = try store.runs()
        #expect(runs.map(\.exportPath) == ["export/v1"])
        #expect(runs.first?.blacklistSuspects == 1)
        let (_, suspects) = try store.suspects(SuspectQuery(includesEvidence: true))
        #expect(suspects.map(\.entityID) == ["S1", "B2"])
        #expect(suspects[0].evidence.map(\.signal) == ["orders_per_buyer_window"])
        #expect(suspects[0].evidence[0].samples.isEmpty)

        let entry = try store.addEntry(
            entityKind: "shop", entityID: "S1", category: "fake_orders", list: .blacklist,
            at: SampleStore.november, actor: "test")
        #expect(entry.status == .listed)
        #expect(try Store(path: path, mode: .existing).entries().count == 1)
    }

    @Test func aStoreFromANewerEngineIsRefused() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("store.sqlite")
        _ = try Store(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        #expect(throws: StoreError.newerSchema(path: path)) { try Store(path: path) }
    }

    /// Writes `Fixtures/store-v1.sqlite`. Run once, when the fixture must be remade:
    /// `CREDITWATCH_WRITE_FIXTURES=1 swift test --filter writeV1Fixture`.
    /// Small pages and a rollback journal keep the committed file to a few KB.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CREDITWATCH_WRITE_FIXTURES"] == "1"))
    func writeV1Fixture() throws {
        try? FileManager.default.removeItem(atPath: fixture)
        let queue = try DatabaseQueue(path: fixture)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA page_size = 512") }
        try StoreSchema.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO runs VALUES (1, 'export/v1', 'e1', 'c1', '0.0.1', 1793491200, 1793491260,
                    10, 4, 25, 1, 1);
                INSERT INTO suspects VALUES (1, 1, 'shop', 'S1', 'fake_orders', 0.9, 'blacklist');
                INSERT INTO suspects VALUES (2, 1, 'buyer', 'B2', 'fake_orders', 0.4, 'key_scrutiny');
                INSERT INTO evidence VALUES (1, 1, 'orders_per_buyer_window', 'orders a buyer places in one window',
                    9, 5, 0.6, 0.6, 1);
                INSERT INTO evidence VALUES (2, 2, 'orders_per_buyer_window', 'orders a buyer places in one window',
                    6, 5, 0.6, 0.4, 1);
                """)
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }
}
