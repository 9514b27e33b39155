/// One scan as the store remembers it: which export and config it read, with which
/// engine, when, how many rows, and how many suspects it proposed for each list. Lets a
/// reader tell runs apart and reproduce one.
public struct RunRecord: Sendable, Hashable, Codable {
    /// The store's id of the run; nil until the run is recorded.
    public var id: Int64?
    public var exportPath: String
    /// A hash of the export's content, so two runs over the same data can be recognised.
    public var exportHash: String
    /// The fingerprint of the detection config the run used.
    public var configHash: String
    public var engineVersion: String
    /// Unix seconds.
    public var startedAt: Int64
    /// Unix seconds.
    public var finishedAt: Int64
    public var orders: Int
    public var ratings: Int
    public var scanEvents: Int
    /// Counted by the store from the suspects when the run is recorded.
    public var blacklistSuspects: Int
    /// Counted by the store from the suspects when the run is recorded.
    public var keyScrutinySuspects: Int

    public init(
        id: Int64? = nil, exportPath: String, exportHash: String, configHash: String,
        engineVersion: String, startedAt: Int64, finishedAt: Int64,
        orders: Int, ratings: Int, scanEvents: Int,
        blacklistSuspects: Int = 0, keyScrutinySuspects: Int = 0
    ) {
        self.id = id
        self.exportPath = exportPath
        self.exportHash = exportHash
        self.configHash = configHash
        self.engineVersion = engineVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.orders = orders
        self.ratings = ratings
        self.scanEvents = scanEvents
        self.blacklistSuspects = blacklistSuspects
        self.keyScrutinySuspects = keyScrutinySuspects
    }
}
