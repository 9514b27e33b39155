import Ingest
import Testing

/// Every kind of bad input stops the load with a message naming file, line, column and
/// value; the exact text is what a user sees.
@Suite struct BadInputTests {
    private static let row = "o2,b2,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,"

    /// `row` with field `column` (1-based) replaced by `value`.
    private static func row(_ column: Int, _ value: String) -> String {
        var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[column - 1] = value
        return fields.joined(separator: ",")
    }

    @Test(arguments: [
        (5, "12.345", "orders.csv:3:5 (amount): not a money amount: \"12.345\""),
        (5, "-3", "orders.csv:3:5 (amount): negative money amount: \"-3\""),
        (6, "2026-11-31T00:00:00Z", "orders.csv:3:6 (created_at): not a time (ISO 8601 or Unix seconds): \"2026-11-31T00:00:00Z\""),
        (7, "soon", "orders.csv:3:7 (paid_at): not a time (ISO 8601 or Unix seconds): \"soon\""),
        (9, "Paid", "orders.csv:3:9 (status): not one of paid, shipped, completed, refunded, cancelled: \"Paid\""),
        (2, "", "orders.csv:3:2 (buyer_id): missing required value: \"\""),
        (6, "", "orders.csv:3:6 (created_at): missing required value: \"\""),
        (1, "o1", "orders.csv:3:1 (order_id): duplicate order_id: \"o1\""),
    ])
    func malformedOrderValues(column: Int, value: String, message: String) {
        #expect(loadError(["orders.csv": orders(Self.row(column, value))]) == message)
    }

    @Test func overlongIdIsCutTo80BytesInTheMessage() {
        let id = String(repeating: "x", count: 129)
        #expect(loadError(["orders.csv": orders(Self.row(3, id))])
            == "orders.csv:3:3 (shop_id): id longer than 128 bytes: \"\(String(repeating: "x", count: 80))\"")
        #expect(loadError(["orders.csv": orders(Self.row(3, String(repeating: "x", count: 128)))]) == nil)
    }

    /// Id values are interned a block of rows at a time; the value refused first in file
    /// order is reported, whichever comes first in the block: among the two fields of one
    /// dictionary (buyer_id before shop_id in a row, an earlier row before a later one)
    /// and between a repeated order_id and a later repeat.
    @Test func firstRefusedIdInABlockWins() {
        /// 98 rows (lines 3-100) with the given fields (1-based) of some rows replaced.
        func text(_ changes: [(line: Int, column: Int, value: String)]) -> String {
            orders(
                (3...100).map { line in
                    var fields = "o\(line),b\(line % 7),s\(line % 5),i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,"
                        .split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    for change in changes where change.line == line { fields[change.column - 1] = change.value }
                    return fields.joined(separator: ",")
                }.joined(separator: "\n"))
        }
        let long = String(repeating: "x", count: 129), cut = String(repeating: "x", count: 80)
        #expect(loadError(["orders.csv": text([(41, 3, ""), (40, 3, long)])], chunkSize: 1 << 16)
            == "orders.csv:40:3 (shop_id): id longer than 128 bytes: \"\(cut)\"")
        #expect(loadError(["orders.csv": text([(40, 3, long), (40, 2, "")])], chunkSize: 1 << 16)
            == "orders.csv:40:2 (buyer_id): missing required value: \"\"")
        #expect(loadError(["orders.csv": text([(45, 1, "o4"), (42, 1, "o5")])], chunkSize: 1 << 16)
            == "orders.csv:42:1 (order_id): duplicate order_id: \"o5\"")
        #expect(loadError(["orders.csv": text([(45, 1, "o4"), (44, 1, "")])], chunkSize: 1 << 16)
            == "orders.csv:44:1 (order_id): missing required value: \"\"")
        #expect(loadError(["orders.csv": text([(100, 1, "o99")])], chunkSize: 1 << 16)
            == "orders.csv:100:1 (order_id): duplicate order_id: \"o99\"")
    }

    /// Order ids are checked for repeats all at once, after the file is read or before
    /// its first other error is reported (`IdDictionary.placeNewKeys`), yet the error is
    /// the one a check row by row gives: a repeat wins over every error after it (a later
    /// row, a later field of its own row, a broken record, a failing read) and loses to
    /// every error before it, in any chunk and on one or two cores, and is reported at its
    /// physical line (records of several lines and blank lines before it).
    @Test(arguments: [(7, 1), (1 << 10, 1), (1 << 16, 2), (1 << 20, 2)])
    func aRepeatedOrderIdIsTheFirstErrorWhereItComesFirst(chunkSize: Int, threads: Int) {
        /// `orders.csv` with rows for lines 3-2000 after `extra` (the given fields, 1-based,
        /// of some of them replaced), or with only the `header` columns of those rows.
        func text(_ changes: [(line: Int, column: Int, value: String)], header: [String]? = nil, extra: String = "") -> String {
            var lines = (3...2000).map { line in
                var fields = "o\(line),b\(line % 7),s\(line % 5),i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,"
                    .split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                for change in changes where change.line == line { fields[change.column - 1] = change.value }
                return fields.joined(separator: ",")
            }
            if let header {
                let order = header.map { name in ordersHeader.dropLast().split(separator: ",").firstIndex { $0 == name }! }
                lines = lines.map { line in
                    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                    return order.map { String(fields[$0]) }.joined(separator: ",")
                }
                return header.joined(separator: ",") + "\n" + extra + lines.joined(separator: "\n") + "\n"
            }
            return orders(extra + lines.joined(separator: "\n"))
        }
        func error(_ text: String) -> String? { loadError(["orders.csv": text], chunkSize: chunkSize, threads: threads) }
        let repeated = "orders.csv:1500:1 (order_id): duplicate order_id: \"o7\""
        #expect(error(text([(1500, 1, "o7")])) == repeated)
        #expect(error(text([(1500, 1, "o7"), (1800, 5, "x")])) == repeated)
        #expect(error(text([(1500, 1, "o7"), (1500, 5, "x")])) == repeated)
        #expect(error(text([(1500, 1, "o7"), (1900, 2, "")])) == repeated)
        #expect(error(text([(1500, 1, "o7"), (1900, 1, "")])) == repeated)
        #expect(error(text([(1500, 1, "o7"), (1600, 1, "o8")])) == repeated)
        #expect(error(text([(1600, 1, "o1700"), (1500, 1, "o7")])) == repeated)
        #expect(error(text([(1500, 1, "o7")]) + "o9,b2\n") == repeated)
        #expect(error(text([(1500, 1, "o7"), (1700, 2, "\"b")])) == repeated)
        #expect(error(text([(900, 5, "x"), (1500, 1, "o7")])) == "orders.csv:900:5 (amount): not a money amount: \"x\"")
        #expect(error(text([(900, 1, ""), (1500, 1, "o7")])) == "orders.csv:900:1 (order_id): missing required value: \"\"")
        #expect(error(text([(900, 3, ""), (1500, 1, "o7")])) == "orders.csv:900:3 (shop_id): missing required value: \"\"")
        #expect(error(orders("o2,b2") + text([(1500, 1, "o7")]).dropFirst(ordersHeader.count)) == "orders.csv:3: expected 13 fields, found 2")
        let amountFirst = ["amount", "order_id", "buyer_id", "shop_id", "item_id", "created_at", "status", "ship_to"]
        #expect(error(text([(1500, 1, "o7"), (1500, 5, "x")], header: amountFirst))
            == "orders.csv:1499:1 (amount): not a money amount: \"x\"")
        #expect(error(text([(1500, 1, "o7"), (1501, 5, "x")], header: amountFirst))
            == "orders.csv:1499:2 (order_id): duplicate order_id: \"o7\"")
        let multiLine = "o2,b2,s1,i1,5,2026-11-01T08:15:00Z,,,paid,\"two\nlines\",,,\n\n\n"
        #expect(error(text([(1500, 1, "o7")], extra: multiLine)) == "orders.csv:1504:1 (order_id): duplicate order_id: \"o7\"")
        let long = String(repeating: "z", count: 100)
        #expect(error(text([(40, 1, long), (1500, 1, long)])) == "orders.csv:1500:1 (order_id): duplicate order_id: \"\(String(repeating: "z", count: 80))\"")
    }

    @Test func aRepeatedOrderIdBeforeAFailingReadIsReported() {
        let text = orders("o2,b2,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,", "o1,b2,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,")
            + String(repeating: "o9,b2,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,\n", count: 3)
        let files = MemoryFiles(["orders.csv": Array(text.utf8)], readLimit: 10, failAfter: text.utf8.count - 60)
        #expect(throws: IngestError(file: "orders.csv", line: 4, column: ColumnSite(name: "order_id", index: 1), value: "o1",
                                    problem: .value(.duplicateOrder))) {
            try ExportReader(files: files, chunkSize: 16).load("export")
        }
    }

    @Test func malformedValuesOfTheOtherFiles() {
        let ratings = "order_id,buyer_id,shop_id,stars,created_at,text_len,has_media\n"
        #expect(loadError(["orders.csv": orders(), "ratings.csv": ratings + "o1,b1,s1,6,1793520900,,\n"])
            == "ratings.csv:2:4 (stars): out of range 1...5: \"6\"")
        #expect(loadError(["orders.csv": orders(), "ratings.csv": ratings + "o1,b1,s1,5,1793520900,-1,\n"])
            == "ratings.csv:2:6 (text_len): not an integer: \"-1\"")
        #expect(loadError(["orders.csv": orders(), "ratings.csv": ratings + "o1,b1,s1,5,1793520900,3,yes\n"])
            == "ratings.csv:2:7 (has_media): not 0 or 1: \"yes\"")
        let logistics = "tracking_no,order_id,courier_id,event,at,weight_g\n"
        #expect(loadError(["orders.csv": orders(), "logistics.csv": logistics + "w1,o1,c1,lost,1793520900,\n"])
            == "logistics.csv:2:4 (event): not one of created, pickup, transit, delivery, signed, returned: \"lost\"")
        #expect(loadError(["orders.csv": orders(), "logistics.csv": logistics + "w1,,c1,pickup,1793520900,\n"])
            == "logistics.csv:2:2 (order_id): missing required value: \"\"")
        #expect(loadError(["orders.csv": orders(), "accounts.csv": "account_id,kind\ns1,seller\n"])
            == "accounts.csv:2:2 (kind): not one of buyer, shop: \"seller\"")
    }

    /// Logistics' `tracking_no` is appended a run at a time (`FieldDecoding.idRuns`): an
    /// empty or overlong one is refused at its line as any id is, after runs that repeat
    /// earlier runs' waybills, and the first refused value in file order wins against
    /// another column's on the next line, in any chunk, on 1 and 2 threads.
    @Test(arguments: [(7, 1), (1 << 20, 1), (64, 2), (1 << 20, 2)])
    func refusedWaybillIdsAreReportedAtTheirLine(chunkSize: Int, threads: Int) {
        let header = "tracking_no,order_id,courier_id,event,at,weight_g\n"
        let rows = (0..<300).map { "w\($0 / 3 % 40),o1,c1,pickup,\(1_793_520_000 + $0),\n" }
        func error(_ changes: [Int: String]) -> String? {
            var lines = rows
            for (line, row) in changes { lines[line - 2] = row }
            return loadError(["orders.csv": orders(), "logistics.csv": header + lines.joined()], chunkSize: chunkSize, threads: threads)
        }
        let empty = ",o1,c1,pickup,1793520000,\n", lost = "w1,o1,c1,lost,1793520000,\n"
        let missing = "logistics.csv:150:1 (tracking_no): missing required value: \"\""
        #expect(error([:]) == nil)
        #expect(error([150: empty]) == missing)
        #expect(error([150: "\(String(repeating: "w", count: 129)),o1,c1,pickup,1793520000,\n"])
            == "logistics.csv:150:1 (tracking_no): id longer than 128 bytes: \"\(String(repeating: "w", count: 80))\"")
        #expect(error([150: empty, 151: lost]) == missing)
        #expect(error([150: lost, 151: empty])
            == "logistics.csv:150:4 (event): not one of created, pickup, transit, delivery, signed, returned: \"lost\"")
    }

    @Test func fileAndRecordProblems() {
        #expect(loadError([:]) == "orders.csv: required file missing")
        #expect(loadError(["orders.csv": ""]) == "orders.csv: empty file: no header line")
        #expect(loadError(["orders.csv": "order_id,buyer_id\no1,b1\n"]) == "orders.csv:1: missing required column \"shop_id\"")
        #expect(loadError(["orders.csv": orders(), "orders.csv.lz4": ""])
            == "orders.csv: both this file and orders.csv.lz4 are present")
        #expect(loadError(["orders.csv": orders("o2,b2")]) == "orders.csv:3: expected 13 fields, found 2")
        #expect(loadError(["orders.csv": orders(Self.row + ",extra")]) == "orders.csv:3: expected 13 fields, found 14")
        #expect(loadError(["orders.csv": orders("o2,\"b2,s1")]) == "orders.csv:3:2 (buyer_id): unterminated quoted field at end of file")
        #expect(loadError(["orders.csv": orders("o2,b\"2,s1")]) == "orders.csv:3:2 (buyer_id): quote inside an unquoted field")
        #expect(loadError(["orders.csv": orders("o2,\"b2\"x,s1")]) == "orders.csv:3:2 (buyer_id): text after a closing quote")
        #expect(loadError(["orders.csv": orders("o2,b2\rs1")]) == "orders.csv:3:2 (buyer_id): carriage return without line feed")
    }

    @Test func lineNumbersArePhysicalLinesWhereTheRecordStarts() {
        let text = orders(Self.row(10, "\"multi\nline\naddress\""), "o3,b3,s1,i1,x,2026-11-01T08:15:00Z,,,paid,a3,,,")
        #expect(loadError(["orders.csv": text]) == "orders.csv:6:5 (amount): not a money amount: \"x\"")
    }

    @Test func aLineOverOneMebibyteIsAnError() {
        let long = String(repeating: "y", count: 1 << 20)
        #expect(loadError(["orders.csv": orders(Self.row(10, long))], chunkSize: 1 << 16)
            == "orders.csv:3: line longer than 1048576 bytes")
        #expect(loadError(["orders.csv": orders(Self.row(10, long))], chunkSize: 4 << 20)
            == "orders.csv:3: line longer than 1048576 bytes")
    }

    @Test func invalidUTF8IsAnErrorNamingTheColumn() {
        var bytes = Array(orders().utf8)
        bytes += Array("o2,b".utf8) + [0xFF, 0xFE] + Array(",s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,\n".utf8)
        #expect(byteError(bytes) == "orders.csv:3:2 (buyer_id): not valid UTF-8: \"b\u{FFFD}\u{FFFD}\"")
        #expect(loadError(["orders.csv": orders(Self.row(10, "杭州市西湖区"))]) == nil)
    }

    /// Among plain records (framed by the kernel, which tells whether its blocks held a
    /// byte above 0x7F), bytes that are not UTF-8 are found at their line and column,
    /// after and before valid non-ASCII values, in chunks large enough for the kernel's
    /// blocks, on one and two cores; valid non-ASCII values alone load.
    @Test func invalidUTF8AmongPlainRecordsIsFoundAtItsLine() {
        func text(invalidAt invalidLine: Int?) -> [UInt8] {
            var bytes = Array(orders().utf8)
            for line in 3...300 {
                let shipTo = line % 37 == 0 ? "杭州市西湖区" : "a\(line)"
                bytes += Array("o\(line),b\(line % 7)".utf8)
                if line == invalidLine { bytes += [0xFF, 0xFE] }
                bytes += Array(",s\(line % 5),i1,5,2026-11-01T08:15:00Z,,,paid,\(shipTo),,,\n".utf8)
            }
            return bytes
        }
        for chunkSize in [1 << 10, 1 << 12, 1 << 16] {
            for threads in [1, 2] {
                for line in [3, 120, 300] {
                    var reader = ExportReader(files: MemoryFiles(["orders.csv": text(invalidAt: line)]), chunkSize: chunkSize)
                    reader.threads = threads
                    var message: String?
                    do { _ = try reader.load("export") } catch { message = error.description }
                    #expect(message == "orders.csv:\(line):2 (buyer_id): not valid UTF-8: \"b\(line % 7)\u{FFFD}\u{FFFD}\"")
                }
                var reader = ExportReader(files: MemoryFiles(["orders.csv": text(invalidAt: nil)]), chunkSize: chunkSize)
                reader.threads = threads
                #expect((try? reader.load("export")) != nil)
            }
        }
    }

    @Test func truncatedAndCorruptLZ4FramesAreErrors() throws {
        let frame = try LZ4Frame.compress(Array(orders(Self.row).utf8))
        #expect(byteError(Array(frame.dropLast(6)), name: "orders.csv.lz4") == "orders.csv.lz4: truncated LZ4 frame")
        #expect(byteError([], name: "orders.csv.lz4") == "orders.csv.lz4: truncated LZ4 frame")
        var corrupt = frame
        corrupt[0] ^= 0xFF
        #expect(byteError(corrupt, name: "orders.csv.lz4") == "orders.csv.lz4: corrupt LZ4 frame: ERROR_frameType_unknown")
    }

    @Test func aFailingReadIsAnError() {
        let files = MemoryFiles(["orders.csv": Array(orders(Self.row).utf8)], readLimit: 10, failAfter: 30)
        #expect(throws: IngestError(file: "orders.csv", problem: .unreadable("Input/output error"))) {
            try ExportReader(files: files).load("export")
        }
    }

    private func byteError(_ bytes: [UInt8], name: String = "orders.csv") -> String? {
        do {
            _ = try ExportReader(files: MemoryFiles([name: bytes]), chunkSize: 7).load("export")
            return nil
        } catch {
            return error.description
        }
    }
}
