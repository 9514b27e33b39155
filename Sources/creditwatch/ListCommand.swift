import ArgumentParser
import Columnar
import ListStore

/// `creditwatch list`: the blacklist and key-scrutiny list entries and their lifecycle.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show list entries and move them through their lifecycle.",
        discussion: """
            A run only proposes suspects; a person puts one on a list and moves the entry on.
            Statuses: \(ListStatus.allCases.map(\.rawValue).joined(separator: ", ")).
            Example:
              creditwatch list add shop S0007 --category fake_orders --list blacklist --note "brushing ring"
              creditwatch list move 1 --to notified
              creditwatch list history 1
            """,
        subcommands: [Add.self, Move.self, Show.self, History.self, Report.self])

    /// `creditwatch list add`.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a suspect of a run on a list (status listed).",
            discussion: """
                Example:
                  creditwatch list add shop S0007 --category fake_orders --list blacklist --run 3
                """)

        @Argument(help: "The entity's kind.") var kind: EntityKind
        @Argument(help: "The entity's id as it appears in the export.") var id: String
        @Option(help: "The category the entity is suspected of.") var category: FraudCategory
        @Option(help: "The list.") var list: ListName
        @Option(name: .customLong("run"), help: "The run of the suspect (default: the latest).") var runID: Int64?
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var moveOptions: MoveOptions

        func run() throws {
            let entry = try storeOptions.open().addEntry(
                entityKind: kind.rawValue, entityID: id, category: category.rawValue, list: list, run: runID,
                at: moveOptions.now, actor: moveOptions.actor, note: moveOptions.note)
            print("entry \(entry.id): \(kind.rawValue) \(id) \(category.rawValue) on the \(list.rawValue) list, listed")
        }
    }

    /// `creditwatch list move`.
    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a list entry to another status.",
            discussion: """
                Allowed moves:
                \(ListStatus.allCases.map { "  \($0.rawValue) -> \($0.allowedMoves.map(\.rawValue).joined(separator: ", "))" }.joined(separator: "\n"))
                Moving to rectifying starts a \(ListStatus.rectificationMonths)-month rectification period.
                Example:
                  creditwatch list move 1 --to rectifying --note "shop agreed to rectify"
                """)

        @Argument(help: "The entry's id (see list show).") var entry: Int64
        @Option(help: "The new status.") var to: ListStatus
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var moveOptions: MoveOptions

        func run() throws {
            let moved = try storeOptions.open().move(
                entry: entry, to: to, at: moveOptions.now, actor: moveOptions.actor, note: moveOptions.note)
            let until = moved.rectificationEndsAt.map { " until \(UnixTime.iso8601($0))" } ?? ""
            print("entry \(moved.id): \(moved.entityKind) \(moved.entityID) now \(moved.status.rawValue)\(moved.status == .rectifying ? until : "")")
        }
    }

    /// `creditwatch list show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the list entries with their status.",
            discussion: """
                Example: the entries in their rectification period:
                  creditwatch list show --status rectifying
                """)

        @Option(help: "Only entries in this status.") var status: ListStatus?
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let entries = try storeOptions.open().entries(status: status)
            guard !entries.isEmpty else {
                print("no list entries\(status.map { " in status \($0.rawValue)" } ?? "")")
                return
            }
            var table = TextTable([
                .init(title: "ENTRY", numeric: true), .init(title: "LIST"), .init(title: "KIND"), .init(title: "ID"),
                .init(title: "CATEGORY"), .init(title: "STATUS"), .init(title: "SCORE", numeric: true),
                .init(title: "RUN", numeric: true), .init(title: "UPDATED"), .init(title: "RECTIFY_UNTIL"),
            ])
            table.rows = entries.map { entry in
                [
                    "\(entry.id)", entry.list.rawValue, entry.entityKind, entry.entityID, entry.category,
                    entry.status.rawValue, entry.score.map(score) ?? "", entry.runID.map { "\($0)" } ?? "",
                    UnixTime.iso8601(entry.updatedAt), entry.rectificationEndsAt.map(UnixTime.iso8601) ?? "",
                ]
            }
            print(table.aligned(), terminator: "")
        }
    }

    /// `creditwatch list history`.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every move of one list entry, oldest first.",
            discussion: """
                Example:
                  creditwatch list history 1
                """)

        @Argument(help: "The entry's id (see list show).") var entry: Int64
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let (entry, events) = try storeOptions.open().history(entry: entry)
            print("entry \(entry.id): \(entry.entityKind) \(entry.entityID) \(entry.category) on the \(entry.list.rawValue) list, now \(entry.status.rawValue)")
            var table = TextTable([
                .init(title: "AT"), .init(title: "FROM"), .init(title: "TO"), .init(title: "ACTOR"), .init(title: "NOTE"),
            ])
            table.rows = events.map { event in
                [UnixTime.iso8601(event.at), event.from?.rawValue ?? "-", event.to.rawValue, event.actor, event.note]
            }
            print(table.aligned(), terminator: "")
        }
    }

    /// `creditwatch list report`.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count the entries listed, removed and published in one month, per list and category.",
            discussion: """
                Months are calendar months in UTC. Example:
                  creditwatch list report --month 2026-11
                """)

        @Option(help: "The month, YYYY-MM.") var month: String
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let report = try storeOptions.open().monthlyReport(month: month)
            print("list report for \(report.month)")
            var table = TextTable([
                .init(title: "LIST"), .init(title: "CATEGORY"), .init(title: "LISTED", numeric: true),
                .init(title: "REMOVED", numeric: true), .init(title: "PUBLISHED", numeric: true),
            ])
            table.rows = report.lines.map { line in
                [line.list.rawValue, line.category, "\(line.listed)", "\(line.removed)", "\(line.published)"]
            }
            table.rows.append([
                "total", "", "\(report.lines.map(\.listed).reduce(0, +))", "\(report.lines.map(\.removed).reduce(0, +))",
                "\(report.lines.map(\.published).reduce(0, +))",
            ])
            print(table.aligned(), terminator: "")
        }
    }
}
