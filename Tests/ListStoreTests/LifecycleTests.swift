import Foundation
import GRDB
@testable import ListStore
import Testing
import TestSupport

@Suite struct LifecycleTests {
    let folder: TemporaryDirectory
    let store: Store
    let runs: (first: Int64, latest: Int64)

    init() throws {
        folder = try TemporaryDirectory()
        store = try Store(path: folder.path("store.sqlite"))
        runs = try SampleStore.fill(store)
    }

    private func addShop(at time: Int64 = SampleStore.november) throws -> ListEntry {
        try store.addEntry(
            entityKind: "shop", entityID: "S0007", category: "fake_orders", list: .blacklist,
            at: time, actor: "ana", note: "brushing ring")
    }

    @Test func anEntryIsAddedFromASuspectOfARun() throws {
        let entry = try addShop()
        #expect(entry.status == .listed)
        #expect(entry.runID == runs.latest)
        #expect(entry.score == 0.93)
        #expect(throws: StoreError.alreadyOnList(entry: entry.id, list: .blacklist, status: .listed)) { try addShop() }
        #expect(throws: StoreError.noSuspect(entityKind: "shop", entityID: "S0007", category: "fake_orders", run: runs.first)) {
            try store.addEntry(
                entityKind: "shop", entityID: "S0007", category: "fake_orders", list: .blacklist, run: runs.first,
                at: 0, actor: "ana")
        }
    }

    @Test func aRunNeverEditsAnExistingEntry() throws {
        let entry = try addShop()
        try store.recordRun(SampleStore.run(3), suspects: SampleStore.suspects)
        #expect(try store.entries() == [entry])
        #expect(try store.history(entry: entry.id).events.count == 1)
    }

    @Test func movesFollowTheLifecycleAndAreKeptInTheHistory() throws {
        let entry = try addShop()
        let day: Int64 = 86_400
        try store.move(entry: entry.id, to: .notified, at: SampleStore.november + day, actor: "ana")
        let rectifying = try store.move(
            entry: entry.id, to: .rectifying, at: SampleStore.november + 2 * day, actor: "bo", note: "agreed")
        // 2026-11-03 + 3 months = 2027-02-03.
        #expect(rectifying.rectificationEndsAt == SampleStore.november + 2 * day + (30 + 31 + 31) * day)
        try store.move(entry: entry.id, to: .committed, at: SampleStore.november + 3 * day, actor: "bo")
        let removed = try store.move(entry: entry.id, to: .removed, at: SampleStore.november + 4 * day, actor: "bo")
        #expect(removed.status == .removed)

        let (_, events) = try store.history(entry: entry.id)
        #expect(events.map(\.to) == [.listed, .notified, .rectifying, .committed, .removed])
        #expect(events.map(\.from) == [nil, .listed, .notified, .rectifying, .committed])
        #expect(events.map(\.actor) == ["ana", "ana", "bo", "bo", "bo"])
        #expect(events[2].note == "agreed")
        #expect(try store.entries(status: .removed).map(\.id) == [entry.id])
        #expect(try store.entries(status: .listed).isEmpty)
    }

    @Test func anInvalidMoveNamesTheEntryAndBothStatusesAndChangesNothing() throws {
        let entry = try addShop()
        let error = StoreError.invalidTransition(
            entry: entry.id, entity: "shop S0007, fake_orders, blacklist", from: .listed, to: .committed)
        #expect(throws: error) { try store.move(entry: entry.id, to: .committed, at: 0, actor: "ana") }
        #expect("\(error)".contains("entry \(entry.id)") && "\(error)".contains("from listed to committed"))
        #expect(try store.history(entry: entry.id).events.count == 1)
        #expect(throws: StoreError.unknownEntry(99)) { try store.move(entry: 99, to: .notified, at: 0, actor: "ana") }
    }

    @Test func everyStatusCanBeReachedAndNoneMovesToItself() {
        var reached: Set<ListStatus> = [.listed]
        var frontier: [ListStatus] = [.listed]
        while let status = frontier.popLast() {
            #expect(!status.allowedMoves.contains(status))
            for next in status.allowedMoves where reached.insert(next).inserted { frontier.append(next) }
        }
        #expect(reached == Set(ListStatus.allCases))
    }

    @Test func theHistoryIsAppendOnly() throws {
        _ = try addShop()
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "UPDATE list_events SET note = 'x'") }
        }
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "DELETE FROM list_events") }
        }
    }

    @Test func theMonthlyReportCountsListingsRemovalsAndPublications() throws {
        let day: Int64 = 86_400
        let shop = try addShop()
        try store.addEntry(
            entityKind: "courier", entityID: "C3", category: "empty_parcels", list: .keyScrutiny,
            at: SampleStore.november + day, actor: "ana")
        try store.move(entry: shop.id, to: .notified, at: SampleStore.november + 2 * day, actor: "ana")
        try store.move(entry: shop.id, to: .published, at: SampleStore.november + 29 * day, actor: "ana")
        try store.move(entry: shop.id, to: .removed, at: SampleStore.november + 30 * day, actor: "ana")

        let november = try store.monthlyReport(month: "2026-11")
        #expect(november.lines == [
            MonthlyReport.Line(list: .blacklist, category: "fake_orders", listed: 1, removed: 0, published: 1),
            MonthlyReport.Line(list: .keyScrutiny, category: "empty_parcels", listed: 1, removed: 0, published: 0),
        ])
        let december = try store.monthlyReport(month: "2026-12")
        #expect(december.lines == [
            MonthlyReport.Line(list: .blacklist, category: "fake_orders", listed: 0, removed: 1, published: 0)
        ])
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "abcd-ef"] {
            #expect(throws: StoreError.invalidMonth(bad)) { try store.monthlyReport(month: bad) }
        }
    }
}
