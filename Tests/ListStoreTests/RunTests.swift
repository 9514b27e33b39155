import Foundation
import ListStore
import Testing
import TestSupport

@Suite struct RunTests {
    @Test func aRecordedRunReadsBackWithItsSuspectsEvidenceAndSamples() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("store.sqlite"))
        let (_, latest) = try SampleStore.fill(store)

        let runs = try store.runs()
        #expect(runs.map(\.id) == [1, latest])
        #expect(runs[1].blacklistSuspects == 3)
        #expect(runs[1].keyScrutinySuspects == 2)
        #expect(runs[1].exportHash == "e2")

        let (run, suspects) = try store.suspects(SuspectQuery(includesEvidence: true))
        #expect(run.id == latest)
        let written = SampleStore.suspects.sorted {
            ($0.score, $1.entityKind, $1.entityID) > ($1.score, $0.entityKind, $0.entityID)
        }
        #expect(suspects.map(\.entityID) == written.map(\.entityID))
        for (read, wrote) in zip(suspects, written) {
            #expect(read.evidence == wrote.evidence)
            #expect(read.samples == wrote.samples)
            #expect(read.runID == latest)
        }
    }

    @Test func suspectsAreFilteredByCategoryListScoreAndLimit() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("store.sqlite"))
        let (first, _) = try SampleStore.fill(store)

        let ids = { (query: SuspectQuery) in try store.suspects(query).suspects.map { "\($0.entityKind) \($0.entityID)" } }
        #expect(try ids(SuspectQuery()) == ["shop S0007", "buyer B0001", "buyer B0042", "courier C3", "shop S0007"])
        #expect(try ids(SuspectQuery(category: "fake_orders")) == ["shop S0007", "buyer B0001", "buyer B0042"])
        #expect(try ids(SuspectQuery(list: .keyScrutiny)) == ["courier C3", "shop S0007"])
        #expect(try ids(SuspectQuery(minScore: 0.88)) == ["shop S0007", "buyer B0001", "buyer B0042"])
        #expect(try ids(SuspectQuery(limit: 1)) == ["shop S0007"])
        #expect(try ids(SuspectQuery(run: first)) == ["shop S0001"])
        #expect(throws: StoreError.unknownRun(99)) { try store.suspects(SuspectQuery(run: 99)) }
    }

    @Test func explainReadsOneEntityWithFullEvidence() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("store.sqlite"))
        try SampleStore.fill(store)

        let shop = try store.suspects(entityKind: "shop", entityID: "S0007").suspects
        #expect(shop.map(\.category) == ["fake_orders", "malicious_ratings"])
        #expect(shop[0].evidence.map(\.signal) == ["orders_per_buyer_window", "shared_device_ratio", "rating_text_length"])
        #expect(shop[0].evidence[2].value == nil)
        #expect(shop[0].evidence[0].samples.map(\.id) == ["O100", "O101"])
        let ratings = try store.suspects(entityKind: "shop", entityID: "S0007", category: "malicious_ratings").suspects
        #expect(ratings.map(\.category) == ["malicious_ratings"])
        #expect(try store.suspects(entityKind: "shop", entityID: "nobody").suspects.isEmpty)
    }

    @Test func aStoreWithoutRunsSaysSo() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("store.sqlite")
        let store = try Store(path: path)
        #expect(try store.latestRun() == nil)
        #expect(throws: StoreError.noRuns(path: path)) { try store.suspects(SuspectQuery()) }
    }

    @Test func aMissingStoreIsAnErrorForReadersAndIsNotCreated() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("absent.sqlite")
        #expect(throws: StoreError.missingStore(path: path)) { try Store(path: path, mode: .existing) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func moreThanTwentySamplesForOneSignalIsRefused() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("store.sqlite"))
        let samples = (0...SampleRecord.limitPerSignal).map { SampleRecord(kind: "order", id: "O\($0)") }
        let suspect = SuspectRecord(
            entityKind: "shop", entityID: "S1", category: "fake_orders", score: 0.9, list: .blacklist,
            evidence: [
                EvidenceRecord(
                    signal: "x", description: "x", value: 1, threshold: 0, weight: 1, contribution: 1, fired: true,
                    samples: samples)
            ])
        #expect(throws: StoreError.tooManySamples(entity: "shop S1 (fake_orders)", signal: "x", count: 21)) {
            try store.recordRun(SampleStore.run(1), suspects: [suspect])
        }
        #expect(try store.runs().isEmpty)
    }
}
