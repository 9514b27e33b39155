internal import GRDB

/// The store's schema as named, ordered migrations. A migration, once released, never
/// changes: a new need is a new migration, so that a store written by an older version
/// opens in a newer one and is brought up to date.
///
/// The SQL is plain (no SQLite-only types) so that a shared store can move to PostgreSQL.
enum StoreSchema {
    /// The identifiers of the migrations, oldest first.
    static let versions = ["v1", "v2"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: createRunsSuspectsEvidence)
        migrator.registerMigration("v2", migrate: createSamplesAndLists)
        return migrator
    }

    /// v1: what a scan writes. A run, its suspects, and each suspect's signals.
    static func createRunsSuspectsEvidence(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                export_path TEXT NOT NULL,
                export_hash TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                engine_version TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER NOT NULL,
                orders INTEGER NOT NULL,
                ratings INTEGER NOT NULL,
                scan_events INTEGER NOT NULL,
                blacklist_suspects INTEGER NOT NULL,
                key_scrutiny_suspects INTEGER NOT NULL
            );
            CREATE TABLE suspects (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                entity_kind TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                category TEXT NOT NULL,
                score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
                proposed_list TEXT NOT NULL CHECK (proposed_list IN ('blacklist', 'key_scrutiny')),
                UNIQUE (run_id, entity_kind, entity_id, category)
            );
            CREATE INDEX suspects_by_entity ON suspects (entity_kind, entity_id, category);
            CREATE TABLE evidence (
                id INTEGER PRIMARY KEY,
                suspect_id INTEGER NOT NULL REFERENCES suspects(id),
                signal TEXT NOT NULL,
                description TEXT NOT NULL,
                value REAL,
                threshold REAL NOT NULL,
                weight REAL NOT NULL,
                contribution REAL NOT NULL,
                fired INTEGER NOT NULL CHECK (fired IN (0, 1)),
                UNIQUE (suspect_id, signal)
            );
            """)
    }

    /// v2: the sampled evidence ids, and the lists with their audited lifecycle.
    /// `list_events` is append-only: triggers refuse to update or delete a row.
    static func createSamplesAndLists(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE evidence_samples (
                id INTEGER PRIMARY KEY,
                suspect_id INTEGER NOT NULL REFERENCES suspects(id),
                signal TEXT,
                kind TEXT NOT NULL,
                sample_id TEXT NOT NULL
            );
            CREATE INDEX evidence_samples_by_suspect ON evidence_samples (suspect_id);
            CREATE TABLE list_entries (
                id INTEGER PRIMARY KEY,
                entity_kind TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                category TEXT NOT NULL,
                list TEXT NOT NULL CHECK (list IN ('blacklist', 'key_scrutiny')),
                status TEXT NOT NULL CHECK (status IN (
                    'listed', 'notified', 'rectifying', 'committed', 'objected', 'removed', 'published')),
                suspect_id INTEGER REFERENCES suspects(id),
                rectification_ends_at INTEGER,
                added_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (entity_kind, entity_id, category, list)
            );
            CREATE INDEX list_entries_by_status ON list_entries (status);
            CREATE TABLE list_events (
                id INTEGER PRIMARY KEY,
                entry_id INTEGER NOT NULL REFERENCES list_entries(id),
                at INTEGER NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                note TEXT NOT NULL,
                actor TEXT NOT NULL
            );
            CREATE INDEX list_events_by_entry ON list_events (entry_id);
            CREATE INDEX list_events_by_time ON list_events (at);
            CREATE TRIGGER list_events_no_update BEFORE UPDATE ON list_events
                BEGIN SELECT RAISE(ABORT, 'list_events is append-only'); END;
            CREATE TRIGGER list_events_no_delete BEFORE DELETE ON list_events
                BEGIN SELECT RAISE(ABORT, 'list_events is append-only'); END;
            """)
    }
}
