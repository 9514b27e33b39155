import Foundation
import GRDB
@testable import ListStore
import Testing
import TestSupport

/// The suspects of a run handed over one by one, pausing once in the middle with the
/// run's write transaction open, so a test can look at the store from elsewhere.
private struct PausingSuspects: Sequence, Sendable {
    let suspects: [SuspectRecord]
    let paused = DispatchSemaphore(value: 0)
    let resume = DispatchSemaphore(value: 0)

    func makeIterator() -> AnyIterator<SuspectRecord> {
        var index = 0
        return AnyIterator {
            if index == suspects.count / 2 {
                paused.signal()
                resume.wait()
            }
            defer { index += 1 }
            return index < suspects.count ? suspects[index] : nil
        }
    }
}

/// Every row of every table of the store, as text, to compare whole states.
private func contents(_ store: Store) throws -> [String] {
    try store.read { db in
        try ["runs", "suspects", "evidence", "evidence_samples", "list_entries", "list_events"].flatMap { table in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY id").map { "\(table) \($0)" }
        }
    }
}

/// Starts `work` on its own thread; the returned semaphore is signalled when it ends.
private func onThread(_ work: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread {
        work()
        done.signal()
    }.start()
    return done
}

/// A run being recorded on another thread, paused halfway through its suspects with
/// its write transaction open until `finish()`.
private struct RunInProgress {
    let suspects = PausingSuspects(suspects: SampleStore.suspects)
    let done: DispatchSemaphore

    init(_ store: Store, _ run: RunRecord) {
        let suspects = suspects
        done = onThread { _ = try? store.recordRun(run, suspects: suspects) }
        suspects.paused.wait()
    }

    func finish() {
        suspects.resume.signal()
        done.wait()
    }
}

@Suite(.serialized) struct TransactionTests {
    @Test func aRunThatFailsHalfwayLeavesTheStoreExactlyAsBefore() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("store.sqlite"))
        try SampleStore.fill(store)
        try store.addEntry(
            entityKind: "shop", entityID: "S0007", category: "fake_orders", list: .blacklist,
            at: SampleStore.november, actor: "test")
        let before = try contents(store)

        var suspects = SampleStore.suspects
        suspects[suspects.count / 2].score = 1.5
        #expect {
            try store.recordRun(SampleStore.run(3), suspects: suspects)
        } throws: { error in
            "\(error)".contains("store.sqlite") && "\(error)".contains("CHECK constraint failed")
        }
        #expect(try contents(store) == before)
        #expect(try store.runs().count == 2)
    }

    @Test func aReaderNeverSeesHalfARun() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("store.sqlite")
        let writer = try Store(path: path)
        try SampleStore.fill(writer)
        let inProgress = RunInProgress(writer, SampleStore.run(3))

        let reader = try Store(path: path, mode: .existing)
        #expect(try reader.runs().count == 2)
        #expect(try reader.suspects(SuspectQuery()).run.id == 2)
        let table = try reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM suspects") }
        #expect(table == SampleStore.suspects.count + 1)

        inProgress.finish()
        #expect(try reader.runs().count == 3)
        #expect(try reader.suspects(SuspectQuery()).suspects.count == SampleStore.suspects.count)
    }

    @Test func aSecondWriterFailsClearlyAfterTheBusyTimeoutAndCorruptsNothing() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("store.sqlite")
        let inProgress = RunInProgress(try Store(path: path), SampleStore.run(1))

        let second = try Store(path: path, busyTimeout: 0.2)
        let started = Date()
        #expect(throws: StoreError.busy(path: path, timeout: 0.2)) {
            try second.recordRun(SampleStore.run(2), suspects: SampleStore.suspects)
        }
        #expect(Date().timeIntervalSince(started) >= 0.2)
        #expect("\(StoreError.busy(path: path, timeout: 0.2))".contains(path))

        inProgress.finish()
        #expect(try second.runs().map(\.exportHash) == ["e1"])
        #expect(try second.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test func aSecondWriterWaitsForTheFirstWithinTheBusyTimeout() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("store.sqlite")
        let inProgress = RunInProgress(try Store(path: path), SampleStore.run(1))

        let second = try Store(path: path, busyTimeout: 10)
        let secondDone = onThread { _ = try? second.recordRun(SampleStore.run(2), suspects: SampleStore.suspects) }
        Thread.sleep(forTimeInterval: 0.3)
        inProgress.finish()
        secondDone.wait()
        #expect(try second.runs().map(\.exportHash) == ["e1", "e2"])
    }

    @Test func theWriterIsInWALModeWithFullSynchronousCommits() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("store.sqlite"))
        let (mode, synchronous) = try store.write(inTransaction: false) { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)
    }
}
