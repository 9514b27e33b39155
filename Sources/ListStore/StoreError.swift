/// A failure of the list store that a person can act on. Every message names the store
/// file, or the entry, run or suspect concerned.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A read command was pointed at a file that does not exist.
    case missingStore(path: String)
    /// Another process held the store's write lock for longer than the busy timeout.
    case busy(path: String, timeout: Double)
    /// The store was written by a newer engine whose schema this one does not know.
    case newerSchema(path: String)
    /// Any other SQLite failure (constraint, I/O, corruption).
    case database(path: String, message: String)
    case noRuns(path: String)
    case unknownRun(Int64)
    case unknownEntry(Int64)
    case noSuspect(entityKind: String, entityID: String, category: String, run: Int64)
    case alreadyOnList(entry: Int64, list: ListName, status: ListStatus)
    case invalidTransition(entry: Int64, entity: String, from: ListStatus, to: ListStatus)
    case tooManySamples(entity: String, signal: String?, count: Int)
    case invalidMonth(String)

    public var description: String {
        switch self {
        case .missingStore(let path):
            "\(path): no such list store (run `creditwatch scan` first, or pass --store)"
        case .busy(let path, let timeout):
            "\(path): the store is locked by another writer (waited \(timeout) s); try again when it has finished"
        case .newerSchema(let path):
            "\(path): written by a newer creditwatch (unknown schema migrations); upgrade creditwatch"
        case .database(let path, let message):
            "\(path): \(message)"
        case .noRuns(let path):
            "\(path): the store has no runs yet"
        case .unknownRun(let run):
            "no run \(run) in the store"
        case .unknownEntry(let entry):
            "no list entry \(entry)"
        case .noSuspect(let kind, let id, let category, let run):
            "\(kind) \(id) is not a \(category) suspect of run \(run)"
        case .alreadyOnList(let entry, let list, let status):
            "already on the \(list.rawValue) list as entry \(entry) (status \(status.rawValue))"
        case .invalidTransition(let entry, let entity, let from, let to):
            "entry \(entry) (\(entity)) cannot move from \(from.rawValue) to \(to.rawValue); from \(from.rawValue) it may move to "
                + from.allowedMoves.map(\.rawValue).joined(separator: ", ")
        case .tooManySamples(let entity, let signal, let count):
            "\(entity): \(count) evidence samples for \(signal ?? "the suspect"); at most \(SampleRecord.limitPerSignal) are kept"
        case .invalidMonth(let text):
            "\(text): not a month; say YYYY-MM, for example 2026-11"
        }
    }
}
