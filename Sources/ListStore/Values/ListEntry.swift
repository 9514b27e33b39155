/// Where a list entry is in its lifecycle. An entity is listed from a suspect, told
/// (notified), may object, may rectify within three months or sign a credit
/// commitment, may be published, and is removed at the end.
public enum ListStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case listed, notified, rectifying, committed, objected, removed, published

    /// The statuses an entry in this status may move to.
    public var allowedMoves: [ListStatus] {
        switch self {
        case .listed: [.notified, .objected, .removed]
        case .notified: [.rectifying, .committed, .objected, .published, .removed]
        case .rectifying: [.committed, .published, .removed]
        case .committed: [.published, .removed]
        case .objected: [.listed, .removed]
        case .published: [.rectifying, .objected, .removed]
        case .removed: [.listed]
        }
    }

    /// The length of the rectification period that starts when an entry moves to
    /// `rectifying`, in calendar months.
    public static let rectificationMonths = 3
}

/// An entity on the blacklist or the key-scrutiny list, with its current status. An
/// entry is added by a person from a suspect of a run, never by a run itself; its
/// history is kept as `ListEvent`s.
public struct ListEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var entityKind: String
    public var entityID: String
    public var category: String
    public var list: ListName
    public var status: ListStatus
    /// The suspect the entry was added from.
    public var suspectID: Int64?
    /// The run of that suspect.
    public var runID: Int64?
    /// The suspect's score in that run.
    public var score: Double?
    /// Unix seconds; the end of the rectification period once one has started.
    public var rectificationEndsAt: Int64?
    /// Unix seconds.
    public var addedAt: Int64
    /// Unix seconds of the last move.
    public var updatedAt: Int64
}

/// One move of a list entry, as the append-only history keeps it: when, from which
/// status (nil when the entry was added) to which, who moved it and why.
public struct ListEvent: Sendable, Hashable, Codable {
    public var id: Int64
    public var entryID: Int64
    /// Unix seconds.
    public var at: Int64
    public var from: ListStatus?
    public var to: ListStatus
    public var note: String
    public var actor: String
}
