internal import GRDB

extension Store {
    /// The monthly report for `month` (`YYYY-MM`, UTC): per list and category, how many
    /// entries were listed, removed and published in that month, counted from the
    /// entries' history.
    public func monthlyReport(month: String) throws -> MonthlyReport {
        let parts = month.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let number = Int(parts[1]), (1...12).contains(number)
        else {
            throw StoreError.invalidMonth(month)
        }
        return try read { db in
            let lines = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.list, e.category,
                        SUM(v.to_status = 'listed') AS listed,
                        SUM(v.to_status = 'removed') AS removed,
                        SUM(v.to_status = 'published') AS published
                    FROM list_events v JOIN list_entries e ON e.id = v.entry_id
                    WHERE v.to_status IN ('listed', 'removed', 'published')
                        AND v.at >= CAST(strftime('%s', :first) AS INTEGER)
                        AND v.at < CAST(strftime('%s', :first, '+1 month') AS INTEGER)
                    GROUP BY e.list, e.category
                    ORDER BY e.list, e.category
                    """,
                arguments: ["first": month + "-01"]
            ).map { row in
                MonthlyReport.Line(
                    list: ListName(rawValue: row["list"])!, category: row["category"],
                    listed: row["listed"], removed: row["removed"], published: row["published"])
            }
            return MonthlyReport(month: month, lines: lines)
        }
    }
}
