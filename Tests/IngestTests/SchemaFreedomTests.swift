import Columnar
import Ingest
import Testing

/// The freedoms SCHEMA.md gives a writer, one clause at a time (docs/INPUT.md lists
/// them with what is accepted and what refused): each must read to the same values as
/// the plain spelling, or be refused with an error naming file, line and column.
@Suite struct SchemaFreedomTests {
    private static let row = "o2,b2,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,"

    @Test func aQuotedEmptyFieldIsAnEmptyField() throws {
        let loaded = try load(["orders.csv": orders("\"o2\",\"b2\",s1,i1,5,\"2026-11-01T08:15:00Z\",\"\",\"\",paid,a2,\"\",,\"\"")])
        #expect(loaded.export.orders.paidAt == [Missing.time, Missing.time])
        #expect(loaded.export.orders.device == [IdDictionary.absent, IdDictionary.absent])
        #expect(loaded.export.orders.payment == [IdDictionary.absent, IdDictionary.absent])
        #expect(loadError(["orders.csv": orders("o2,\"\",s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,")])
            == "orders.csv:3:2 (buyer_id): missing required value: \"\"")
    }

    @Test(arguments: [1, 2, 7, 1 << 16])
    func lineEndsMayMixInOneFile(chunkSize: Int) throws {
        let text = ordersHeader.replacingOccurrences(of: "\n", with: "\r\n")
            + "o1,b1,s1,i1,1,2026-11-01T08:15:00Z,,,paid,a1,,,\n"
            + "o2,b2,s1,i1,2,2026-11-01T08:15:00Z,,,paid,a2,,,\r\n"
            + "o3,b3,s1,i1,3,2026-11-01T08:15:00Z,,,paid,\"a\r\n3\",,,\n"
            + "o4,b4,s1,i1,4,2026-11-01T08:15:00Z,,,paid,a4,,,\r\n"
        let loaded = try load(["orders.csv": text], chunkSize: chunkSize)
        #expect(loaded.export.orders.amountCents == [100, 200, 300, 400])
        #expect(loaded.export.dictionaries.addresses.keys == ["a1", "a2", "a\r\n3", "a4"])
    }

    @Test func theLastLineMayLackItsLineEndAndBlankLinesAreSkipped() throws {
        for text in [orders(Self.row) + "\n", orders(Self.row) + "\r\n\r\n", String(orders(Self.row).dropLast())] {
            #expect(try load(["orders.csv": text]).export.orders.count == 2)
        }
    }

    @Test func aFileWithOnlyAHeaderHasNoRows() throws {
        for header in [ordersHeader, String(ordersHeader.dropLast()), "\u{FEFF}" + ordersHeader] {
            let loaded = try load(["orders.csv": header, "ratings.csv": "buyer_id,shop_id,stars,created_at"])
            #expect(loaded.export.orders.count == 0)
            #expect(loaded.report.files.map(\.rows) == [0, 0])
        }
    }

    /// A header column whose name matches a schema column only once case and spaces are
    /// folded is unknown to the contract: an exact name elsewhere in the header is the
    /// column; two candidates of the same rank are refused, not chosen between.
    @Test func anExactHeaderNameWinsOverAFoldedOne() throws {
        let header = "Amount,order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to\n"
        let loaded = try load(["orders.csv": header + "¥19.90,o1,b1,s1,i1,19.90,2026-11-01T08:15:00Z,paid,a1\n"])
        #expect(loaded.export.orders.amountCents == [1990])
        #expect(loadError(["orders.csv": "order_id,buyer_id,shop_id,item_id,amount,created_at,status,ship_to,amount\n"])
            == "orders.csv:1: column \"amount\" named twice: field 5 \"amount\" and field 9 \"amount\"")
        #expect(loadError(["orders.csv": "order_id,buyer_id,shop_id,item_id,AMOUNT,created_at,status,ship_to, Amount\n"])
            == "orders.csv:1: column \"amount\" named twice: field 5 \"AMOUNT\" and field 9 \" Amount\"")
    }

    /// pandas writes its index as a first column with an empty name; some writers end
    /// every line with a comma: both are unknown columns.
    @Test func unnamedColumnsAreUnknownColumns() throws {
        let header = "," + ordersHeader.dropLast() + ",\n"
        let loaded = try load(["orders.csv": header + "0,o1,b1,s1,i1,19.9,2026-11-01T08:15:00Z,,,paid,a1,,,,\n"
            + "1,o2,b2,s1,i1,20.0,2026-11-01T08:15:00Z,,,paid,a2,,,,\n"])
        #expect(loaded.export.orders.amountCents == [1990, 2000])
        #expect(loaded.export.dictionaries.orders.keys == ["o1", "o2"])
    }

    @Test func idsOf128BytesAndNonASCIIIdsAreKept() throws {
        let long = String(repeating: "é", count: 64)  // 128 bytes
        let loaded = try load(["orders.csv": orders("o2,\(long),店铺-杭州,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,")])
        #expect(loaded.export.dictionaries.accounts.keys == ["b1", "s1", long, "店铺-杭州"])
        #expect(loadError(["orders.csv": orders("o2,\(long)x,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a2,,,")])?
            .hasPrefix("orders.csv:3:2 (buyer_id): id longer than 128 bytes") == true)
    }

    @Test func aByteOrderMarkIsSkippedWhateverTheReadsAndInAnLZ4Frame() throws {
        let bytes = [0xEF, 0xBB, 0xBF] + Array(orders(Self.row).utf8)
        for limit in [1, 2, 4] {
            let files = MemoryFiles(["orders.csv": bytes], readLimit: limit)
            #expect(try ExportReader(files: files, chunkSize: 7).load("export").export.orders.count == 2)
        }
        #expect(try Self.lz4Orders(LZ4Frame.compress(bytes)).count == 2)
    }

    /// Spellings no platform needs and whose meaning is not certain are refused, each
    /// error naming file, line, column and value.
    @Test(arguments: [
        (5, "1e3", "not a money amount"), (5, "+3", "not a money amount"), (5, ".5", "not a money amount"),
        (5, "19.905", "not a money amount"), (5, "¥19.90", "not a money amount"),
        (6, "+1793520900", "not a time (ISO 8601 or Unix seconds)"),
        (6, "2026-11-01T08", "not a time (ISO 8601 or Unix seconds)"),
        (6, "2026-12-31T23:59:60Z", "not a time (ISO 8601 or Unix seconds)"),
        (6, " 2026-11-01T08:15:00Z", "not a time (ISO 8601 or Unix seconds)"),
        (6, "1793520900000", "Unix seconds outside the years 1-9999 (milliseconds?)"),
        (9, "PAID", "not one of paid, shipped, completed, refunded, cancelled"),
    ])
    func refusedSpellingsNameFileLineAndColumn(column: Int, value: String, problem: String) {
        var fields = Self.row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[column - 1] = value
        let name = ["amount", "created_at", "status"][[5, 6, 9].firstIndex(of: column)!]
        #expect(loadError(["orders.csv": orders(fields.joined(separator: ","))])
            == "orders.csv:3:\(column) (\(name)): \(problem): \"\(value)\"")
    }

    // MARK: LZ4 frames

    private static var ordersBytes: [UInt8] {
        Array(orders((2...3000).map { "o\($0),b\($0 % 97),s\($0 % 13),i\($0 % 31),\($0 % 500).5,2026-11-01T08:15:00Z,,,paid,a\($0),,," }
            .joined(separator: "\n")).utf8)
    }

    private static func lz4Orders(_ compressed: [UInt8]) throws -> [Int64] {
        try Array(ExportReader(files: MemoryFiles(["orders.csv.lz4": compressed]), chunkSize: 4099).load("export").export.orders.amountCents)
    }

    @Test(arguments: [false, true], [false, true])
    func lz4FramesOfEveryBlockKindRead(linked: Bool, checksums: Bool) throws {
        let plain = try ExportReader(files: MemoryFiles(["orders.csv": Self.ordersBytes])).load("export").export.orders.amountCents
        let options = LZ4Frame.Options(
            linkedBlocks: linked, blockChecksum: checksums, contentChecksum: checksums, contentSize: checksums, smallBlocks: true)
        let frame = try LZ4Frame.compress(Self.ordersBytes, options)
        #expect(Self.ordersBytes.count > 2 * 65_536, "several 64 KB blocks")
        #expect(try Self.lz4Orders(frame) == plain)
    }

    @Test func concatenatedAndSkippableFramesRead() throws {
        let bytes = Self.ordersBytes
        let plain = try ExportReader(files: MemoryFiles(["orders.csv": bytes])).load("export").export.orders.amountCents
        let cut = bytes.count / 3
        let frames = try LZ4Frame.skippable(Array("producer metadata".utf8)) + LZ4Frame.compress(Array(bytes[..<cut]))
            + LZ4Frame.skippable([], variant: 15) + LZ4Frame.compress([])
            + LZ4Frame.compress(Array(bytes[cut...]), LZ4Frame.Options(linkedBlocks: false, contentChecksum: true))
        #expect(try Self.lz4Orders(frames) == plain)
    }

    @Test func aWrongContentChecksumIsAnError() throws {
        var frame = try LZ4Frame.compress(Array(orders(Self.row).utf8), LZ4Frame.Options(contentChecksum: true))
        frame[frame.count - 1] ^= 0xFF
        #expect(throws: IngestError.self) { try Self.lz4Orders(frame) }
        #expect(loadError(["orders.csv.lz4": ""]) == "orders.csv.lz4: truncated LZ4 frame")
    }
}
