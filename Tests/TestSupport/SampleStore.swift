import ListStore

/// A small, known store content for list-store and command tests: two runs over the
/// same export, with shop, buyer and courier suspects in every category.
public enum SampleStore {
    /// 2026-11-01T00:00:00Z.
    public static let november: Int64 = 1_793_491_200

    /// The run description of the `index`-th sample run (1-based).
    public static func run(_ index: Int64) -> RunRecord {
        RunRecord(
            exportPath: "datasets/sample", exportHash: "e\(index)", configHash: "c1", engineVersion: "0.1.0",
            startedAt: november + index * 3600, finishedAt: november + index * 3600 + 42,
            orders: 1000, ratings: 400, scanEvents: 2500)
    }

    /// The suspects of the second (latest) sample run, in no particular order.
    public static let suspects: [SuspectRecord] = [
        SuspectRecord(
            entityKind: "shop", entityID: "S0007", category: "fake_orders", score: 0.93, list: .blacklist,
            evidence: [
                EvidenceRecord(
                    signal: "orders_per_buyer_window", description: "orders a buyer places with the shop in one window",
                    value: 14, threshold: 5, weight: 0.6, contribution: 0.6, fired: true,
                    samples: [SampleRecord(kind: "order", id: "O100"), SampleRecord(kind: "order", id: "O101")]),
                EvidenceRecord(
                    signal: "shared_device_ratio", description: "share of orders from devices shared with other buyers",
                    value: 0.8, threshold: 0.3, weight: 0.5, contribution: 0.5, fired: true,
                    samples: [SampleRecord(kind: "window", id: "2026-10-03T10:00Z/1h")]),
                EvidenceRecord(
                    signal: "rating_text_length", description: "median length of the shop's rating texts",
                    value: nil, threshold: 4, weight: 0.2, contribution: 0, fired: false),
            ],
            samples: [SampleRecord(kind: "order", id: "O100")]),
        SuspectRecord(
            entityKind: "shop", entityID: "S0007", category: "malicious_ratings", score: 0.41, list: .keyScrutiny,
            evidence: [
                EvidenceRecord(
                    signal: "rating_burst", description: "ratings in the busiest hour over the daily mean",
                    value: 6.5, threshold: 4, weight: 0.5, contribution: 0.41, fired: true,
                    samples: [SampleRecord(kind: "rating", id: "R9")])
            ]),
        SuspectRecord(
            entityKind: "buyer", entityID: "B0042", category: "fake_orders", score: 0.88, list: .blacklist,
            evidence: [
                EvidenceRecord(
                    signal: "orders_per_buyer_window", description: "orders a buyer places with the shop in one window",
                    value: 12, threshold: 5, weight: 0.6, contribution: 0.6, fired: true)
            ]),
        SuspectRecord(
            entityKind: "courier", entityID: "C3", category: "empty_parcels", score: 0.55, list: .keyScrutiny,
            evidence: [
                EvidenceRecord(
                    signal: "light_parcel_share", description: "share of waybills under 50 g",
                    value: 0.7, threshold: 0.4, weight: 0.55, contribution: 0.55, fired: true,
                    samples: [SampleRecord(kind: "waybill", id: "W1"), SampleRecord(kind: "waybill", id: "W2")])
            ]),
        SuspectRecord(
            entityKind: "buyer", entityID: "B0001", category: "fake_orders", score: 0.88, list: .blacklist),
    ]

    /// Fills `store` with two runs: the first with one suspect, the second (the latest)
    /// with `suspects`. Returns the two run ids.
    @discardableResult
    public static func fill(_ store: Store) throws -> (first: Int64, latest: Int64) {
        let first = try store.recordRun(
            run(1),
            suspects: [SuspectRecord(entityKind: "shop", entityID: "S0001", category: "fake_orders", score: 0.5, list: .keyScrutiny)])
        let latest = try store.recordRun(run(2), suspects: suspects)
        return (first, latest)
    }
}
