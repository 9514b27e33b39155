@testable import Columnar
import Foundation
@testable import Ingest
import PropertyBased
import Testing

/// The staged orders columns and the per-column month cache against plain references:
/// rows across several staging blocks, and times in any order of months.
@Suite struct ColumnBindingTests {
    /// More rows than one staging block (4096), with optional columns present and absent,
    /// read in small chunks: every column equals the values written, row for row.
    @Test func ordersAcrossStagingBlocksKeepEveryRow() throws {
        let rows = 9_000
        var text = "order_id,buyer_id,shop_id,item_id,amount,created_at,paid_at,status,ship_to,device_id\n"
        var buyers: [String] = [], cents: [Int64] = [], created: [Int64] = [], paid: [Int64] = []
        var devices: [String] = []
        for row in 0..<rows {
            let buyer = "b\(row % 977)", device = row % 3 == 0 ? "" : "d\(row % 5)"
            let createdAt = Int64(1_700_000_000 + row * 7_919)
            let paidAt = row % 4 == 0 ? Missing.time : createdAt + 60
            buyers.append(buyer)
            cents.append(Int64(row * 3))
            created.append(createdAt)
            paid.append(paidAt)
            devices.append(device)
            let paidText = paidAt == Missing.time ? "" : RoundTripTests.time(paidAt, row % 4)
            text += "o\(row),\(buyer),s\(row % 13),i\(row % 7),\(row * 3 / 100).\(String(format: "%02d", row * 3 % 100)),"
                + "\(RoundTripTests.time(createdAt, row % 3)),\(paidText),paid,a\(row % 11),\(device)\n"
        }
        let loaded = try load(["orders.csv": text], chunkSize: 4_093)
        let export = loaded.export, names = export.dictionaries
        #expect(export.orders.count == rows)
        #expect(names.orders.count == rows)
        #expect(export.orders.buyer.map { names.accounts.string($0) } == buyers)
        #expect(export.orders.amountCents == cents)
        #expect(export.orders.createdAt == created)
        #expect(export.orders.paidAt == paid)
        #expect(export.orders.confirmedAt == Array(repeating: Missing.time, count: rows))
        #expect(export.orders.ip == Array(repeating: IdDictionary.absent, count: rows))
        #expect(export.orders.device.map { names.devices.string($0, absent: "") } == devices)
        #expect(export.orders.status == Array(repeating: OrderStatus.paid.rawValue, count: rows))
    }

    /// A column of ISO times through one month cache, months repeating and changing at
    /// random and some bytes replaced: each value equals the careful parser's.
    @Test func monthCacheAgreesWithTheCarefulParser() async {
        let value = zip(
            Gen.int(in: 1...2400), Gen.int(in: 0...13), Gen.int(in: 0...32), Gen.int(in: 0...86_399), Gen.int(in: 0...2),
            Gen.int(in: 0...30), Gen.element(of: Array("0123456789:-TZ +/".utf8) + [0x00, 0xB0]).compactMap { $0 })
        await propertyCheck(count: 300, input: value.array(of: 1...40), Gen.int(in: 0...2)) { values, keep in
            var cache = FieldParser.MonthCache()
            var previous = (year: 2026, month: 11)
            for (year, month, day, clock, form, position, byte) in values {
                // Keep the previous month often, so the cached path is taken.
                let ym = keep > 0 && position % 3 != 0 ? previous : (year, month)
                previous = ym
                let body = String(format: "%04d-%02d-%02d", ym.0, ym.1, day) + (form == 1 ? " " : "T")
                    + String(format: "%02d:%02d:%02d", clock / 3600, clock / 60 % 60, clock % 60)
                var text = Array((body + ["Z", "", "+08:00"][form]).utf8)
                if position < text.count && position % 4 == 0 { text[position] = byte }
                let careful = FastPathTests.seconds(text, FieldParser.timeCarefully)
                let cached = text.withUnsafeBytes { bytes -> Int64? in
                    do throws(ValueProblem) { return try FieldParser.time(bytes, cache: &cache) } catch { return nil }
                }
                #expect(cached == careful, "\(String(decoding: text, as: UTF8.self))")
            }
        }
    }
}
