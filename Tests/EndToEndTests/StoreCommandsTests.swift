import Foundation
import ListStore
import Testing
import TestSupport

/// A store filled through the ListStore API, and the commands that read and move it.
@Suite struct StoreCommandsTests {
    let folder: TemporaryDirectory
    let store: String

    init() throws {
        folder = try TemporaryDirectory()
        store = folder.path("store.sqlite")
        try SampleStore.fill(Store(path: store))
    }

    private func run(_ arguments: String...) throws -> ProcessResult {
        try CreditWatchProcess.run(arguments + ["--store", store])
    }

    @Test func suspectsPrintsAnAlignedTableHighestScoreFirst() throws {
        let result = try run("suspects")
        #expect(result.exitCode == 0)
        #expect(result.stdout == """
            run 2 of datasets/sample, finished 2026-11-01T02:00:42Z: 5 suspects
            RUN  SCORE  KIND     ID     CATEGORY           LIST
              2  0.930  shop     S0007  fake_orders        blacklist
              2  0.880  buyer    B0001  fake_orders        blacklist
              2  0.880  buyer    B0042  fake_orders        blacklist
              2  0.550  courier  C3     empty_parcels      key_scrutiny
              2  0.410  shop     S0007  malicious_ratings  key_scrutiny

            """)
    }

    @Test func suspectsFiltersAndPrintsCSV() throws {
        let result = try run("suspects", "--category", "fake_orders", "--min-score", "0.9", "--format", "csv")
        #expect(result.exitCode == 0)
        #expect(result.stdout == """
            run,score,kind,id,category,list
            2,0.93,shop,S0007,fake_orders,blacklist

            """)
        let first = try run("suspects", "--run", "1", "--list", "key_scrutiny", "--limit", "1", "--format", "csv")
        #expect(first.stdout.split(separator: "\n").last == "1,0.5,shop,S0001,fake_orders,key_scrutiny")
    }

    @Test func suspectsPrintsJSONWithEvidence() throws {
        let result = try run("suspects", "--list", "key_scrutiny", "--format", "json")
        #expect(result.exitCode == 0)
        struct Listing: Decodable {
            struct Suspect: Decodable {
                var entity_id: String
                var evidence: [Evidence]
            }
            struct Evidence: Decodable { var signal: String }
            struct Run: Decodable { var id: Int }
            var run: Run
            var suspects: [Suspect]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(result.stdout.utf8))
        #expect(listing.run.id == 2)
        #expect(listing.suspects.map(\.entity_id) == ["C3", "S0007"])
        #expect(listing.suspects[0].evidence.map(\.signal) == ["light_parcel_share"])
    }

    @Test func explainShowsEverySignalAndTheSampledIds() throws {
        let result = try run("explain", "shop", "S0007", "--category", "fake_orders")
        #expect(result.exitCode == 0)
        #expect(result.stdout == """
            shop S0007 in run 2 (datasets/sample, finished 2026-11-01T02:00:42Z)

            fake_orders: score 0.930, proposed for blacklist
              SIGNAL                   FIRED  VALUE  THRESHOLD  WEIGHT  CONTRIBUTION  WHAT IT MEASURES
              orders_per_buyer_window  yes       14          5     0.6           0.6  orders a buyer places with the shop in one window
              shared_device_ratio      yes      0.8        0.3     0.5           0.5  share of orders from devices shared with other buyers
              rating_text_length       no       n/a          4     0.2             0  median length of the shop's rating texts
              evidence of orders_per_buyer_window: order O100, O101
              evidence of shared_device_ratio: window 2026-10-03T10:00Z/1h
              evidence of the suspect: order O100

            """)
        let missing = try run("explain", "buyer", "nobody")
        #expect(missing.exitCode == 65)
        #expect(missing.stderr.contains("buyer nobody is not a suspect in run 2"))
    }

    @Test func runsListsEveryRun() throws {
        let result = try run("runs")
        #expect(result.exitCode == 0)
        #expect(result.stdout == """
            RUN  STARTED               SECONDS  ORDERS  RATINGS  SCAN_EVENTS  BLACKLIST  KEY_SCRUTINY  ENGINE  CONFIG  EXPORT
              1  2026-11-01T01:00:00Z       42    1000      400         2500          0             1  0.1.0   c1      datasets/sample (e1)
              2  2026-11-01T02:00:00Z       42    1000      400         2500          3             2  0.1.0   c1      datasets/sample (e2)

            """)
    }

    @Test func listEntriesMoveThroughTheirLifecycleWithHistoryAndReport() throws {
        let added = try run("list", "add", "shop", "S0007", "--category", "fake_orders", "--list", "blacklist",
            "--actor", "ana", "--note", "brushing ring")
        #expect(added.exitCode == 0)
        #expect(added.stdout == "entry 1: shop S0007 fake_orders on the blacklist list, listed\n")

        #expect(try run("list", "move", "1", "--to", "notified", "--actor", "ana").exitCode == 0)
        let rectifying = try run("list", "move", "1", "--to", "rectifying", "--actor", "bo", "--note", "agreed")
        #expect(rectifying.stdout.hasPrefix("entry 1: shop S0007 now rectifying until "))

        let invalid = try run("list", "move", "1", "--to", "listed")
        #expect(invalid.exitCode == 65)
        #expect(invalid.stderr.contains("entry 1 (shop S0007, fake_orders, blacklist) cannot move from rectifying to listed"))

        let show = try run("list", "show", "--status", "rectifying")
        let lines = show.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("ENTRY  LIST       KIND  ID     CATEGORY     STATUS      SCORE  RUN  UPDATED"))
        #expect(lines[1].hasPrefix("    1  blacklist  shop  S0007  fake_orders  rectifying  0.930    2  "))
        #expect(try run("list", "show", "--status", "removed").stdout == "no list entries in status removed\n")

        let history = try run("list", "history", "1")
        let events = history.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(events.count == 5)
        #expect(events[0].joined(separator: " ") == "entry 1: shop S0007 fake_orders on the blacklist list, now rectifying")
        #expect(events[2...].map { $0[1...3].joined(separator: " ") } == ["- listed ana", "listed notified ana", "notified rectifying bo"])
        #expect(history.stdout.contains("brushing ring"))

        let month = String(events[2][0].prefix(7))
        let report = try run("list", "report", "--month", month)
        #expect(report.stdout == """
            list report for \(month)
            LIST       CATEGORY     LISTED  REMOVED  PUBLISHED
            blacklist  fake_orders       1        0          0
            total                        1        0          0

            """)
        let badMonth = try run("list", "report", "--month", "2026-13")
        #expect(badMonth.exitCode == 65)
        #expect(badMonth.stderr.contains("2026-13: not a month"))
    }

    @Test func aMissingStoreIsANamedErrorAndNoFileIsCreated() throws {
        let missing = folder.path("absent.sqlite")
        for command in [["runs"], ["suspects"], ["explain", "shop", "S1"], ["list", "show"]] {
            let result = try CreditWatchProcess.run(command + ["--store", missing])
            #expect(result.exitCode == 66)
            #expect(result.stderr == "creditwatch: error: \(missing): no such list store (run `creditwatch scan` first, or pass --store)\n")
            #expect(result.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func everyStoreCommandsHelpHasAnExample() throws {
        for command in [["runs"], ["suspects"], ["explain"], ["list"], ["list", "add"], ["list", "move"],
            ["list", "show"], ["list", "history"], ["list", "report"]]
        {
            let result = try CreditWatchProcess.run(["help"] + command)
            #expect(result.exitCode == 0)
            #expect(result.stdout.contains("creditwatch \(command.joined(separator: " "))"), "\(command)")
            #expect(result.stdout.contains("Example"), "\(command)")
        }
    }
}
