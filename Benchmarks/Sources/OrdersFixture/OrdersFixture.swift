import Columnar
import Foundation
import Ingest
import Synth

/// Writes a seeded, realistic `orders.csv` (13 columns of `SCHEMA.md`: ids like
/// `o0000123456` and `b000123`, money, ISO timestamps in all three forms, empty
/// optionals) and its LZ4-frame twin, the shared input of the ingest benchmark and of
/// `scripts/ingest-throughput.sh`.
public enum OrdersFixture {
    /// Writes `orders.csv` with `rows` orders into `folder/plain` and `orders.csv.lz4`
    /// into `folder/lz4` (with the `lz4` tool), unless they are already there.
    public static func write(rows: Int, seed: UInt64 = 1, to folder: String) throws {
        let plain = "\(folder)/plain/orders.csv", compressed = "\(folder)/lz4/orders.csv.lz4"
        let files = FileManager.default
        if files.fileExists(atPath: plain) && files.fileExists(atPath: compressed) { return }
        try files.createDirectory(atPath: "\(folder)/plain", withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(folder)/lz4", withIntermediateDirectories: true)
        try Data(csv(rows: rows, seed: seed)).write(to: URL(fileURLWithPath: plain))
        let lz4 = Process()
        lz4.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        lz4.arguments = ["lz4", "-q", "-f", plain, compressed]
        try lz4.run()
        lz4.waitUntilExit()
        guard lz4.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The CSV text of `rows` orders.
    public static func csv(rows: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(rows * 140)
        out += Array("order_id,buyer_id,shop_id,item_id,amount,created_at,paid_at,confirmed_at,status,ship_to,device_id,ip,payment_id\n".utf8)
        let statuses = ["paid", "shipped", "completed", "completed", "completed", "refunded", "cancelled"].map { Array($0.utf8) }
        let start: UInt64 = 1_793_491_200  // 2026-11-01T00:00:00Z
        for row in 0..<rows {
            let buyer = random.next() % 200_000
            let created = start + random.next() % (30 * 86_400)
            out.append(UInt8(ascii: "o")); out.padded(UInt64(row), 10); out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "b")); out.padded(buyer, 6); out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "s")); out.padded(random.next() % 5_000, 5); out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "i")); out.padded(random.next() % 100_000, 7); out.append(UInt8(ascii: ","))
            let cents = 100 + random.next() % 50_000
            out.padded(cents / 100, 1)
            if cents % 3 != 0 { out.append(UInt8(ascii: ".")); out.padded(cents % 100, 2) }
            out.append(UInt8(ascii: ","))
            out.iso8601(created, form: 0); out.append(UInt8(ascii: ","))
            out.iso8601(created + random.next() % 600, form: 1); out.append(UInt8(ascii: ","))
            if random.next() % 4 != 0 { out.iso8601(created + 86_400 * (2 + random.next() % 10), form: 2) }
            out.append(UInt8(ascii: ","))
            out += statuses[Int(random.next() % UInt64(statuses.count))]; out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "a")); out.hex(random.next() & 0xFFFF_FFFF_FFFF); out.append(UInt8(ascii: ","))
            if random.next() % 5 != 0 { out.append(UInt8(ascii: "d")); out.padded(buyer &* 7 % 300_000, 7) }
            out.append(UInt8(ascii: ","))
            out += Array("10.\(random.next() % 256).\(random.next() % 256).\(random.next() % 256)".utf8)
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "p")); out.padded(buyer, 7); out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

extension [UInt8] {
    /// Appends `value` in decimal, zero-padded to `width` digits.
    mutating func padded(_ value: UInt64, _ width: Int) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        if digits.count < width { append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count)) }
        append(contentsOf: digits.reversed())
    }

    /// Appends `value` as 12 lower-case hex digits.
    mutating func hex(_ value: UInt64) {
        for shift in stride(from: 44, through: 0, by: -4) {
            append(Array("0123456789abcdef".utf8)[Int((value >> UInt64(shift)) & 15)])
        }
    }

    /// Appends Unix seconds as `…T…Z` (form 0), `…T…+08:00` (form 1) or `… …` (form 2).
    mutating func iso8601(_ seconds: UInt64, form: Int) {
        let local = form == 1 ? seconds + 8 * 3600 : seconds
        let days = Int64(local / 86_400), rest = local % 86_400
        let (year, month, day) = UnixTime.civilFromDays(days)
        padded(UInt64(year), 4); append(UInt8(ascii: "-")); padded(UInt64(month), 2); append(UInt8(ascii: "-"))
        padded(UInt64(day), 2); append(form == 2 ? UInt8(ascii: " ") : UInt8(ascii: "T"))
        padded(rest / 3600, 2); append(UInt8(ascii: ":")); padded(rest / 60 % 60, 2); append(UInt8(ascii: ":"))
        padded(rest % 60, 2)
        if form == 0 { append(UInt8(ascii: "Z")) }
        if form == 1 { append(contentsOf: Array("+08:00".utf8)) }
    }
}
