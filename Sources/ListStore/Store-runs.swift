internal import GRDB

extension Store {
    /// Records one whole run (the run row, every suspect, its evidence and samples) in
    /// one write transaction and returns the run's id. An error at any point, including
    /// one thrown while `suspects` is iterated, leaves the store exactly as before.
    /// The per-list suspect counts of `run` are counted here from `suspects`.
    @discardableResult
    public func recordRun<Suspects: Sequence<SuspectRecord>>(_ run: RunRecord, suspects: Suspects) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (export_path, export_hash, config_hash, engine_version, started_at,
                        finished_at, orders, ratings, scan_events, blacklist_suspects, key_scrutiny_suspects)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
                    """,
                arguments: [
                    run.exportPath, run.exportHash, run.configHash, run.engineVersion, run.startedAt,
                    run.finishedAt, run.orders, run.ratings, run.scanEvents,
                ])
            let runID = db.lastInsertedRowID
            var perList: [ListName: Int] = [:]
            for suspect in suspects {
                try insert(suspect, run: runID, db)
                perList[suspect.list, default: 0] += 1
            }
            try db.execute(
                sql: "UPDATE runs SET blacklist_suspects = ?, key_scrutiny_suspects = ? WHERE id = ?",
                arguments: [perList[.blacklist] ?? 0, perList[.keyScrutiny] ?? 0, runID])
            return runID
        }
    }

    private func insert(_ suspect: SuspectRecord, run: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO suspects (run_id, entity_kind, entity_id, category, score, proposed_list)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                run, suspect.entityKind, suspect.entityID, suspect.category, suspect.score, suspect.list.rawValue,
            ])
        let suspectID = db.lastInsertedRowID
        let entity = "\(suspect.entityKind) \(suspect.entityID) (\(suspect.category))"
        try insert(suspect.samples, suspect: suspectID, signal: nil, entity: entity, db)
        let evidence = try db.cachedStatement(sql: """
            INSERT INTO evidence (suspect_id, signal, description, value, threshold, weight, contribution, fired)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for signal in suspect.evidence {
            try evidence.execute(arguments: [
                suspectID, signal.signal, signal.description, signal.value, signal.threshold,
                signal.weight, signal.contribution, signal.fired,
            ])
            try insert(signal.samples, suspect: suspectID, signal: signal.signal, entity: entity, db)
        }
    }

    private func insert(_ samples: [SampleRecord], suspect: Int64, signal: String?, entity: String, _ db: Database) throws {
        guard samples.count <= SampleRecord.limitPerSignal else {
            throw StoreError.tooManySamples(entity: entity, signal: signal, count: samples.count)
        }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO evidence_samples (suspect_id, signal, kind, sample_id) VALUES (?, ?, ?, ?)
            """)
        for sample in samples {
            try statement.execute(arguments: [suspect, signal, sample.kind, sample.id])
        }
    }

    /// Every recorded run, oldest first.
    public func runs() throws -> [RunRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map(RunRecord.init(row:)) }
    }

    /// The most recent run; nil when none has been recorded.
    public func latestRun() throws -> RunRecord? {
        try read { db in try Store.run(nil, db) }
    }

    /// Run `id`, or the latest when `id` is nil; nil when the store has no runs.
    static func run(_ id: Int64?, _ db: Database) throws -> RunRecord? {
        let row =
            if let id {
                try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id])
            } else {
                try Row.fetchOne(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT 1")
            }
        if row == nil, let id { throw StoreError.unknownRun(id) }
        return row.map(RunRecord.init(row:))
    }
}

extension RunRecord {
    init(row: Row) {
        self.init(
            id: row["id"], exportPath: row["export_path"], exportHash: row["export_hash"],
            configHash: row["config_hash"], engineVersion: row["engine_version"],
            startedAt: row["started_at"], finishedAt: row["finished_at"],
            orders: row["orders"], ratings: row["ratings"], scanEvents: row["scan_events"],
            blacklistSuspects: row["blacklist_suspects"], keyScrutinySuspects: row["key_scrutiny_suspects"])
    }
}
