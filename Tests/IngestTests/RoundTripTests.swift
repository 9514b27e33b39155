import Columnar
import Ingest
import PropertyBased
import Testing

/// Random valid orders, written as CSV with random quoting, line ends, time forms, empty
/// optionals and column order, come back unchanged whatever the chunk size.
@Suite struct RoundTripTests {
    /// One order as plain values: the reference the reader is checked against.
    struct Order {
        var id: String, buyer: String, shop: String, item: String, shipTo: String
        var cents: Int64, createdAt: Int64, paidAt: Int64?, status: OrderStatus, device: String?
    }

    static let idText = Gen.element(of: Array("ab9-,\"\n\r é")).compactMap { $0 }.string(of: 1...5)

    /// Money as text: `20`, `19.9` or `19.90` when the cents allow.
    static func money(_ cents: Int64, _ form: Int) -> String {
        switch (form, cents % 100, cents % 10) {
        case (0, 0, _): "\(cents / 100)"
        case (1, _, 0): "\(cents / 100).\(cents % 100 / 10)"
        default: "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
        }
    }

    /// A time in one of the four accepted forms.
    static func time(_ seconds: Int64, _ form: Int) -> String {
        let iso = UnixTime.iso8601(seconds)
        switch form {
        case 0: return iso
        case 1: return String(iso.dropLast()).replacingOccurrences("T", " ")
        case 2:
            let shifted = UnixTime.iso8601(seconds + 8 * 3600)
            return String(shifted.dropLast()) + "+08:00"
        default: return "\(seconds)"
        }
    }

    @Test func randomOrdersRoundTrip() async throws {
        let order = zip(
            Self.idText, Self.idText, Self.idText, Gen.int(in: 0...10_000_000), Gen.int(in: 0...2_000_000_000),
            Gen.int(in: 0...3_000).optional, Gen.int(in: 0...4), Self.idText.optional)
        await propertyCheck(
            count: 200, input: order.array(of: 1...12), Gen.int(in: 1...40), Gen.int(in: 0...1_000_000)
        ) { rows, chunkSize, style in
            let orders = rows.enumerated().map { index, row in
                Order(id: "\(row.0)#\(index)", buyer: row.1, shop: row.2, item: "i", shipTo: row.1 + row.2,
                      cents: Int64(row.3), createdAt: Int64(row.4), paidAt: row.5.map { Int64(row.4 + $0) },
                      status: OrderStatus.allCases[row.6], device: row.7)
            }
            let header = ["device_id", "order_id", "note", "buyer_id", "shop_id", "item_id", "amount", "created_at",
                          "paid_at", "confirmed_at", "status", "ship_to"]
            var text = CSVScannerTests.encode(header, quoteAll: style % 2 == 0, lineEnd: "\r\n")
            for (index, order) in orders.enumerated() {
                let variant = style &+ index &* 7
                let fields = [order.device ?? "", order.id, "x,y", order.buyer, order.shop, order.item,
                              Self.money(order.cents, variant % 3), Self.time(order.createdAt, variant % 4),
                              order.paidAt.map { Self.time($0, (variant / 4) % 4) } ?? "", "", order.status.name,
                              order.shipTo]
                text += CSVScannerTests.encode(fields, quoteAll: variant % 5 == 0, lineEnd: variant % 2 == 0 ? "\n" : "\r\n")
            }
            if style % 3 == 0 { text.removeLast() }  // "\r\n" is one Character
            let loaded: LoadedExport
            do {
                loaded = try load(["orders.csv": text], chunkSize: chunkSize)
            } catch {
                Issue.record("\(error)")
                return
            }
            let export = loaded.export, names = export.dictionaries
            #expect(names.orders.keys == orders.map(\.id))
            #expect(export.orders.buyer.map { names.accounts.string($0) } == orders.map(\.buyer))
            #expect(export.orders.shop.map { names.accounts.string($0) } == orders.map(\.shop))
            #expect(export.orders.shipTo.map { names.addresses.string($0) } == orders.map(\.shipTo))
            #expect(export.orders.device.map { names.devices.string($0, absent: "") } == orders.map { $0.device ?? "" })
            #expect(export.orders.amountCents == orders.map(\.cents))
            #expect(export.orders.createdAt == orders.map(\.createdAt))
            #expect(export.orders.paidAt == orders.map { $0.paidAt ?? Missing.time })
            #expect(export.orders.confirmedAt == orders.map { _ in Missing.time })
            #expect(export.orders.status == orders.map(\.status.rawValue))
            #expect(export.orders.ip == orders.map { _ in IdDictionary.absent })
            #expect(loaded.report.files[0].bytesDecoded == text.utf8.count)
        }
    }

    @Test func arbitraryBytesLoadOrFailWithAMessage() async {
        let soup = Gen.element(of: Array("o1b,\"\n\r-:.T Z9é\u{FF}")).compactMap { $0 }.string(of: 0...200)
        await propertyCheck(count: 300, input: soup, Gen.int(in: 1...16)) { body, chunkSize in
            let files = ["orders.csv": ordersHeader + body, "ratings.csv": "order_id,buyer_id,shop_id,stars,created_at\n" + body]
            if let message = loadError(files, chunkSize: chunkSize) {
                #expect(message.hasPrefix("orders.csv:") || message.hasPrefix("ratings.csv:"))
            }
        }
    }
}
