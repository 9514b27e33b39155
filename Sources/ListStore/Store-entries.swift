internal import GRDB

extension Store {
    /// Puts a suspect of run `run` (the latest when nil) on `list` as a new entry with
    /// status `listed`, and records the move. Runs never call this: listing is a
    /// person's decision. Throws when the entity is not a suspect of that category in
    /// that run, or already has an entry on that list (move that entry instead).
    @discardableResult
    public func addEntry(
        entityKind: String, entityID: String, category: String, list: ListName, run: Int64? = nil,
        at time: Int64, actor: String, note: String = ""
    ) throws -> ListEntry {
        try write { db in
            guard let run = try Store.run(run, db), let runID = run.id else { throw StoreError.noRuns(path: path) }
            guard
                let suspectID = try Int64.fetchOne(
                    db,
                    sql: "SELECT id FROM suspects WHERE run_id = ? AND entity_kind = ? AND entity_id = ? AND category = ?",
                    arguments: [runID, entityKind, entityID, category])
            else {
                throw StoreError.noSuspect(entityKind: entityKind, entityID: entityID, category: category, run: runID)
            }
            if let existing = try Row.fetchOne(
                db,
                sql: "SELECT id, status FROM list_entries WHERE entity_kind = ? AND entity_id = ? AND category = ? AND list = ?",
                arguments: [entityKind, entityID, category, list.rawValue])
            {
                throw StoreError.alreadyOnList(entry: existing["id"], list: list, status: ListStatus(rawValue: existing["status"])!)
            }
            try db.execute(
                sql: """
                    INSERT INTO list_entries (entity_kind, entity_id, category, list, status, suspect_id, added_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [entityKind, entityID, category, list.rawValue, ListStatus.listed.rawValue, suspectID, time, time])
            let entryID = db.lastInsertedRowID
            try Store.appendEvent(entry: entryID, at: time, from: nil, to: .listed, note: note, actor: actor, db)
            return try Store.entry(entryID, db)
        }
    }

    /// Moves entry `entry` to `status` if its lifecycle allows it (see
    /// `ListStatus.allowedMoves`), and appends the move to its history in the same
    /// transaction. Moving to `rectifying` starts a rectification period that ends
    /// `ListStatus.rectificationMonths` calendar months after `time`; moving back to
    /// `listed` clears it.
    @discardableResult
    public func move(entry: Int64, to status: ListStatus, at time: Int64, actor: String, note: String = "") throws -> ListEntry {
        try write { db in
            let current = try Store.entry(entry, db)
            guard current.status.allowedMoves.contains(status) else {
                throw StoreError.invalidTransition(
                    entry: entry, entity: "\(current.entityKind) \(current.entityID), \(current.category), \(current.list.rawValue)",
                    from: current.status, to: status)
            }
            try db.execute(
                sql: """
                    UPDATE list_entries SET status = :status, updated_at = :at,
                        rectification_ends_at = CASE :status
                            WHEN 'rectifying' THEN CAST(strftime('%s', :at, 'unixepoch', :period) AS INTEGER)
                            WHEN 'listed' THEN NULL
                            ELSE rectification_ends_at END
                    WHERE id = :entry
                    """,
                arguments: [
                    "status": status.rawValue, "at": time, "entry": entry,
                    "period": "+\(ListStatus.rectificationMonths) months",
                ])
            try Store.appendEvent(entry: entry, at: time, from: current.status, to: status, note: note, actor: actor, db)
            return try Store.entry(entry, db)
        }
    }

    /// The list entries, all or those in `status`, by id.
    public func entries(status: ListStatus? = nil) throws -> [ListEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: Store.entrySelect + " WHERE ? IS NULL OR e.status = ? ORDER BY e.id",
                arguments: [status?.rawValue, status?.rawValue]
            ).map(ListEntry.init(row:))
        }
    }

    /// Entry `entry` and every move it went through, oldest first.
    public func history(entry: Int64) throws -> (entry: ListEntry, events: [ListEvent]) {
        try read { db in
            let events = try Row.fetchAll(
                db, sql: "SELECT * FROM list_events WHERE entry_id = ? ORDER BY id", arguments: [entry]
            ).map(ListEvent.init(row:))
            return (try Store.entry(entry, db), events)
        }
    }

    private static let entrySelect = """
        SELECT e.*, s.run_id, s.score FROM list_entries e LEFT JOIN suspects s ON s.id = e.suspect_id
        """

    private static func entry(_ id: Int64, _ db: Database) throws -> ListEntry {
        guard let row = try Row.fetchOne(db, sql: entrySelect + " WHERE e.id = ?", arguments: [id]) else {
            throw StoreError.unknownEntry(id)
        }
        return ListEntry(row: row)
    }

    private static func appendEvent(
        entry: Int64, at time: Int64, from: ListStatus?, to: ListStatus, note: String, actor: String, _ db: Database
    ) throws {
        try db.execute(
            sql: "INSERT INTO list_events (entry_id, at, from_status, to_status, note, actor) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [entry, time, from?.rawValue, to.rawValue, note, actor])
    }
}

extension ListEntry {
    init(row: Row) {
        self.init(
            id: row["id"], entityKind: row["entity_kind"], entityID: row["entity_id"], category: row["category"],
            list: ListName(rawValue: row["list"])!, status: ListStatus(rawValue: row["status"])!,
            suspectID: row["suspect_id"], runID: row["run_id"], score: row["score"],
            rectificationEndsAt: row["rectification_ends_at"], addedAt: row["added_at"], updatedAt: row["updated_at"])
    }
}

extension ListEvent {
    init(row: Row) {
        self.init(
            id: row["id"], entryID: row["entry_id"], at: row["at"],
            from: (row["from_status"] as String?).flatMap(ListStatus.init(rawValue:)),
            to: ListStatus(rawValue: row["to_status"])!, note: row["note"], actor: row["actor"])
    }
}
