import Columnar
@testable import Ingest
import PropertyBased
import Testing

/// Reading on two cores (always two, or a second core that comes and goes) against
/// reading on one: random files with quoted fields that hold line feeds, CRLF, blank
/// lines and broken values, cut into tiny parts so that many guessed part starts fall
/// inside quotes. Ids, columns, warnings and errors must be identical.
@Suite struct ParallelReadTests {
    /// Field text that needs quoting now and then (line feeds, commas, quotes).
    static let text = Gen.element(of: Array("ab9,\"\n\r é")).compactMap { $0 }.string(of: 1...6)

    /// Reads `orders` and then `ratings` into one export with `threads` cores, parts of
    /// `frameBytes`; the export and tallies, or the error message.
    static func read(
        _ orders: String, _ ratings: String, cores: any TaskRunner, frameBytes: Int, chunkSize: Int
    ) -> Result<(Export, [CSVFileReader.Tally]), IngestError> {
        let files = MemoryFiles(texts: ["orders.csv": orders, "ratings.csv": ratings])
        var export = Export()
        do throws(IngestError) {
            var tallies: [CSVFileReader.Tally] = []
            var reader = CSVFileReader(file: "orders.csv", chunkSize: chunkSize, cores: cores)
            reader.frameBytes = frameBytes
            reader.minimumPartBytes = 1
            var source = try files.open("orders.csv", name: "orders.csv")
            tallies.append(try reader.read(&source, as: OrdersSchema.self, into: &export))
            reader = CSVFileReader(file: "ratings.csv", chunkSize: chunkSize, cores: cores)
            reader.frameBytes = frameBytes
            reader.minimumPartBytes = 1
            source = try files.open("ratings.csv", name: "ratings.csv")
            tallies.append(try reader.read(&source, as: RatingsSchema.self, into: &export))
            return .success((export, tallies))
        } catch {
            return .failure(error)
        }
    }

    /// A line of `orders.csv`; `broken` picks a fault for this row (0: none).
    static func orderLine(_ row: Int, _ buyer: String, _ shop: String, _ device: String, broken: Int) -> String {
        let quoted = { (field: String) in CSVScannerTests.encode([field], quoteAll: row % 3 == 0, lineEnd: "") }
        let id = broken == 1 ? "o\(row / 2)" : "o\(row)"
        let amount = broken == 2 ? "1.234" : "\(row % 90).5"
        let status = broken == 3 ? "lost" : "paid"
        let fields = [quoted(id), quoted(buyer), quoted(shop), "i\(row % 7)", amount, "2026-11-01T08:15:0\(row % 10)Z", "",
                      row % 4 == 0 ? "" : "1793491\(row % 1000)", status, quoted(buyer + shop), quoted(device), "", ""]
        let record = fields.joined(separator: ",") + (broken == 4 ? ",x" : "") + (row % 5 == 0 ? "\r\n" : "\n")
        return (row % 11 == 0 ? "\n" : "") + (broken == 5 ? "\"" : "") + record
    }

    @Test func twoCoresReadWhatOneCoreReads() async {
        let row = zip(Self.text, Self.text, Self.text.optional, Gen.int(in: 0...40))
        await propertyCheck(
            count: 120, input: row.array(of: 1...160), Gen.int(in: 24...400), Gen.int(in: 1...5000), Gen.bool
        ) { rows, frameBytes, chunkSize, faulty in
            var orders = ordersHeader
            var ratings = "order_id,buyer_id,shop_id,stars,created_at\n"
            for (index, row) in rows.enumerated() {
                let fault = faulty && row.3 < 6 ? row.3 : 0
                orders += Self.orderLine(index, row.0, row.1, row.2 ?? "", broken: fault)
                let order = row.3 % 3 == 0 ? "x\(index)" : "o\(index * 7 % rows.count)"
                ratings += "\(order),\(CSVScannerTests.encode([row.1], quoteAll: false, lineEnd: "")),s\(row.3),\(1 + row.3 % 5),\(1_793_491_200 + index)\n"
            }
            let one = Self.read(orders, ratings, cores: ConcurrentTasks.Cores(threads: 1), frameBytes: 1 << 18, chunkSize: chunkSize)
            let two = Self.read(orders, ratings, cores: ConcurrentTasks.Cores(threads: 2), frameBytes: frameBytes, chunkSize: chunkSize)
            let flickering = Self.read(orders, ratings, cores: FlickeringCores(), frameBytes: frameBytes, chunkSize: chunkSize)
            for (one, two) in [(one, two), (one, flickering)] { Self.expectSame(one, two, rows: rows.count) }
        }
    }

    /// Two reads agree: ids, columns and tallies, or the error.
    static func expectSame(
        _ one: Result<(Export, [CSVFileReader.Tally]), IngestError>, _ two: Result<(Export, [CSVFileReader.Tally]), IngestError>,
        rows: Int
    ) {
        switch (one, two) {
        case (.success(let (a, aTallies)), .success(let (b, bTallies))):
            #expect(a.dictionaries.orders.keys == b.dictionaries.orders.keys)
            #expect(a.dictionaries.accounts.keys == b.dictionaries.accounts.keys)
            #expect(a.dictionaries.addresses.keys == b.dictionaries.addresses.keys)
            #expect(a.dictionaries.devices.keys == b.dictionaries.devices.keys)
            #expect(a.orders.buyer == b.orders.buyer && a.orders.shop == b.orders.shop)
            #expect(a.orders.device == b.orders.device && a.orders.shipTo == b.orders.shipTo)
            #expect(a.orders.amountCents == b.orders.amountCents && a.orders.createdAt == b.orders.createdAt)
            #expect(a.orders.confirmedAt == b.orders.confirmedAt && a.orders.status == b.orders.status)
            #expect(a.ratings.order == b.ratings.order && a.ratings.buyer == b.ratings.buyer)
            #expect(a.ratings.stars == b.ratings.stars && a.ratings.createdAt == b.ratings.createdAt)
            #expect(aTallies.map(\.rows) == bTallies.map(\.rows))
            #expect(aTallies.map(\.unknownOrders) == bTallies.map(\.unknownOrders))
            #expect(a.orders.count == rows)
        case (.failure(let a), .failure(let b)):
            #expect(a.description == b.description)
        default:
            Issue.record("one core: \(one), two cores: \(two)")
        }
    }
}

/// Two cores whose second one comes and goes from step to step (as a `LanePool` lane's
/// helpers do), so that steps framed in parts and ahead alternate with steps of one.
private final class FlickeringCores: TaskRunner, @unchecked Sendable {
    let threads = 2
    private var asked = 0
    var availableThreads: Int {
        asked += 1
        return asked % 3 == 0 ? 1 : 2
    }
    func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        ConcurrentTasks.map(count: count, threads: threads, body)
    }
}
