/// One line of `labels.csv`: an entity known to be guilty of one category of gaming
/// credit. The ground truth of an evaluation data set: the generator writes it, the
/// reader reads it, evaluation compares suspects with it; `scan` itself never reads it.
public struct Label: Hashable, Comparable, Sendable {
    public var kind: EntityKind
    public var id: String
    public var category: FraudCategory

    public init(kind: EntityKind, id: String, category: FraudCategory) {
        self.kind = kind
        self.id = id
        self.category = category
    }

    public static func < (a: Label, b: Label) -> Bool {
        (a.kind, a.category, a.id) < (b.kind, b.category, b.id)
    }
}
