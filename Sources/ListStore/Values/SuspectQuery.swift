/// Which suspects to read: those of one run (the latest when `run` is nil), narrowed by
/// category, list and score, ordered by score (highest first), then kind and id.
public struct SuspectQuery: Sendable, Hashable {
    public var run: Int64?
    public var category: String?
    public var list: ListName?
    public var minScore: Double?
    public var limit: Int?
    /// Whether to read each suspect's evidence and samples too.
    public var includesEvidence: Bool

    public init(
        run: Int64? = nil, category: String? = nil, list: ListName? = nil,
        minScore: Double? = nil, limit: Int? = nil, includesEvidence: Bool = false
    ) {
        self.run = run
        self.category = category
        self.list = list
        self.minScore = minScore
        self.limit = limit
        self.includesEvidence = includesEvidence
    }
}
