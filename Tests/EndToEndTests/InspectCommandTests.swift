import Foundation
import Testing
import TestSupport

/// `creditwatch inspect` run as a user runs it: output and exit code.
@Suite struct InspectCommandTests {
    @Test func summarisesATinyExport() throws {
        let export = try TemporaryDirectory("inspect")
        try export.write("orders.csv", """
            order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to
            o1,b1,s1,i1,19.90,2026-11-01T08:15:00Z,paid,a1
            o2,b2,s1,i2,5,2026-11-02 09:00:00,completed,a2

            """)
        try export.write("ratings.csv", "order_id,buyer_id,shop_id,stars,created_at\no1,b1,s1,5,1793520900\no7,b2,s1,1,1793520900\n")
        let result = try CreditWatchProcess.run(["inspect", export.path])
        #expect(result.exitCode == 0)
        #expect(result.stderr == "")
        #expect(cells(result.stdout, "orders.csv")?.prefix(2) == ["orders.csv", "2"])
        #expect(cells(result.stdout, "ratings.csv")?.prefix(2) == ["ratings.csv", "2"])
        #expect(cells(result.stdout, "accounts") == ["accounts", "3"])
        #expect(cells(result.stdout, "addresses") == ["addresses", "2"])
        #expect(result.stdout.contains("orders created 2026-11-01T08:15:00Z to 2026-11-02T09:00:00Z"))
        #expect(result.stdout.contains("ratings.csv:3:1 (order_id): unknown order \"o7\""))
        #expect(result.stdout.contains("loaded 4 rows in "))
    }

    /// `scan` warns where its results are read, in its summary and its report, about
    /// what `inspect` warns about: rows kept that name an order the export lacks.
    @Test func scanWarnsInItsSummaryAndReport() throws {
        let export = try TemporaryDirectory("scan-warnings")
        try export.write("orders.csv", "order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to\no1,b1,s1,i1,19.90,2026-11-01T08:15:00Z,paid,a1\n")
        try export.write("logistics.csv", "tracking_no,order_id,courier_id,event,at\nw1,o1,c1,signed,1793520900\nw2,o9,c1,signed,1793520900\n")
        let warning = "logistics.csv:3:2 (order_id): unknown order \"o9\""
        let result = try CreditWatchProcess.run([
            "scan", export.path, "--store", export.path + "/store.sqlite", "--report", export.path + "/report.md", "--quiet",
        ])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("logistics.csv: 1 row(s) name an order not in the export, e.g.\n    " + warning))
        let report = try String(contentsOfFile: export.path + "/report.md", encoding: .utf8)
        #expect(report.contains("## Warnings from the load\n\n```\nlogistics.csv: 1 row(s) name an order not in the export, e.g.\n  " + warning))
    }

    /// An export from another platform: a BOM, CRLF line ends, quoted fields, columns in
    /// its own order with one unknown to the schema, and no optional column or file but
    /// the ratings without their orders. `scan` and `inspect` run and say what the scan
    /// could not judge and why, in the summary and the report.
    @Test func scanAndInspectSayWhatTheExportLeavesOut() throws {
        let export = try TemporaryDirectory("scan-gaps")
        try export.write("orders.csv", "\u{FEFF}status,\"shop_id\",buyer_id,order_id,channel,item_id,amount,created_at,ship_to\r\n"
            + "paid,s1,b1,o1,\"app, new\",i1,19.90,2026-11-01T08:15:00Z,a1\r\ncompleted,s1,b2,o2,web,i2,5,2026-11-02 09:00:00,a2\r\n")
        try export.write("ratings.csv", "buyer_id,shop_id,stars,created_at\nb1,s1,5,1793520900\nb2,s1,1,1793520900\n")
        let gaps = [
            "orders.csv: no paid_at:", "orders.csv: no confirmed_at:", "orders.csv: no device_id:", "orders.csv: no payment_id:",
            "ratings.csv: no order_id:", "ratings.csv: no text_len:", "logistics.csv: no scans:", "accounts.csv: no accounts:",
        ]
        let scan = try CreditWatchProcess.run([
            "scan", export.path, "--store", export.path + "/store.sqlite", "--report", export.path + "/report.md", "--quiet",
        ])
        #expect(scan.exitCode == 0)
        #expect(scan.stderr == "")
        #expect(scan.stdout.contains("\nnot judged:\n  " + gaps[0]))
        let report = try String(contentsOfFile: export.path + "/report.md", encoding: .utf8)
        #expect(report.contains("## Not judged: what the export leaves out\n\n- " + gaps[0]))
        let inspect = try CreditWatchProcess.run(["inspect", export.path])
        #expect(inspect.exitCode == 0)
        #expect(cells(inspect.stdout, "orders.csv")?.prefix(2) == ["orders.csv", "2"])
        for gap in gaps {
            #expect(scan.stdout.contains("  " + gap), "\(gap)")
            #expect(report.contains("- " + gap), "\(gap)")
            #expect(inspect.stdout.contains("  " + gap), "\(gap)")
        }
    }

    /// The cells of the table line that starts with `first`.
    private func cells(_ output: String, _ first: String) -> [String]? {
        output.split(separator: "\n").first { $0.hasPrefix(first + " ") }?
            .split(separator: " ").map(String.init)
    }
}
