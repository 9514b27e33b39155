internal import GRDB

extension Store {
    /// The suspects of one run (the latest unless `query.run` names one) that match the
    /// query, ordered by score (highest first), then entity kind, id and category.
    /// Throws `StoreError.noRuns` on a store without runs.
    public func suspects(_ query: SuspectQuery) throws -> (run: RunRecord, suspects: [SuspectRecord]) {
        try read { db in
            guard let run = try Store.run(query.run, db), let runID = run.id else {
                throw StoreError.noRuns(path: path)
            }
            var sql = "SELECT * FROM suspects WHERE run_id = ?"
            var arguments: StatementArguments = [runID]
            if let category = query.category {
                sql += " AND category = ?"
                arguments += [category]
            }
            if let list = query.list {
                sql += " AND proposed_list = ?"
                arguments += [list.rawValue]
            }
            if let minScore = query.minScore {
                sql += " AND score >= ?"
                arguments += [minScore]
            }
            sql += " ORDER BY score DESC, entity_kind, entity_id, category"
            if let limit = query.limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            let suspects = try Row.fetchAll(db, sql: sql, arguments: arguments).map(SuspectRecord.init(row:))
            return (run, query.includesEvidence ? try suspects.map { try Store.withEvidence($0, db) } : suspects)
        }
    }

    /// One entity's suspects in one run (the latest unless `run` names one), with their
    /// full evidence and samples, one per category; what `explain` prints.
    public func suspects(entityKind: String, entityID: String, category: String? = nil, run: Int64? = nil) throws -> (run: RunRecord, suspects: [SuspectRecord]) {
        try read { db in
            guard let run = try Store.run(run, db), let runID = run.id else {
                throw StoreError.noRuns(path: path)
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM suspects WHERE run_id = ? AND entity_kind = ? AND entity_id = ?
                        AND (? IS NULL OR category = ?)
                    ORDER BY category
                    """,
                arguments: [runID, entityKind, entityID, category, category])
            return (run, try rows.map { try Store.withEvidence(SuspectRecord(row: $0), db) })
        }
    }

    /// The suspect with its evidence and samples read, each in the order it was written.
    static func withEvidence(_ suspect: SuspectRecord, _ db: Database) throws -> SuspectRecord {
        var suspect = suspect
        var samples: [String?: [SampleRecord]] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT signal, kind, sample_id FROM evidence_samples WHERE suspect_id = ? ORDER BY id"),
            arguments: [suspect.id])
        {
            samples[row["signal"] as String?, default: []].append(SampleRecord(kind: row["kind"], id: row["sample_id"]))
        }
        suspect.samples = samples[nil] ?? []
        suspect.evidence = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM evidence WHERE suspect_id = ? ORDER BY id"),
            arguments: [suspect.id]
        ).map { row in
            let signal: String = row["signal"]
            return EvidenceRecord(
                signal: signal, description: row["description"], value: row["value"],
                threshold: row["threshold"], weight: row["weight"], contribution: row["contribution"],
                fired: row["fired"], samples: samples[signal] ?? [])
        }
        return suspect
    }
}

extension SuspectRecord {
    init(row: Row) {
        self.init(
            id: row["id"], runID: row["run_id"], entityKind: row["entity_kind"], entityID: row["entity_id"],
            category: row["category"], score: row["score"], list: ListName(rawValue: row["proposed_list"])!)
    }
}
