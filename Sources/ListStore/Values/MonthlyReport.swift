/// What happened to the lists in one calendar month (UTC): how many entries were
/// listed, removed and published, per list and category, as the monthly report to the
/// platform's credit office counts them.
public struct MonthlyReport: Sendable, Hashable, Codable {
    /// The counts of one list and category.
    public struct Line: Sendable, Hashable, Codable {
        public var list: ListName
        public var category: String
        public var listed: Int
        public var removed: Int
        public var published: Int
    }

    /// `YYYY-MM`.
    public var month: String
    /// One line per list and category that saw a move, ordered by list then category.
    public var lines: [Line]
}
