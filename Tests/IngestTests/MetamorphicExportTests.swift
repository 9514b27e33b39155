import Columnar
import Detection
import Foundation
import Ingest
import Synth
import Testing
import TestSupport

/// The reader must give the same export, and so the same suspects, for every spelling
/// of the same data it accepts (SCHEMA.md's, and the others docs/INPUT.md lists): a
/// small generated export is rewritten with meaning-preserving variations (columns
/// shuffled per file, unknown columns with quoted commas, quotes and newlines, each time
/// in a randomly chosen accepted form of the same instant, money as `19.9` / `19.90` /
/// `19.9000` / `20.00`, integers as `12.0`, random quoting, a BOM, CRLF or mixed line
/// ends, no final line end, LZ4 frames of every kind) and must read to the same rows and
/// scan to exactly the plain export's suspects, with evidence. Seeded; several seeds.
@Suite struct MetamorphicExportTests {
    /// The time columns and the money column of the four scanned files, by header.
    private static let timeColumns: Set<String> = ["created_at", "paid_at", "confirmed_at", "at", "registered_at"]
    private static let moneyColumns: Set<String> = ["amount"]
    private static let integerColumns: Set<String> = ["stars", "text_len", "weight_g", "has_media"]
    private static let tables = ["orders", "ratings", "logistics", "accounts"]

    @Test(arguments: [UInt64(1), 2, 3])
    func rewrittenExportsScanToTheSameSuspects(seed: UInt64) throws {
        let folder = try TemporaryDirectory()
        let config = GeneratorConfig(seed: seed, shops: 24, buyers: 1200, days: 12, camouflage: 1, mixedFormats: false)
        _ = try Generator.generate(config, into: folder.path)
        let plainExport = try ExportReader().load(folder.path).export
        let plain = try Self.suspects(plainExport)
        #expect(plain.count > 50, "the config proposes nearly every scored entity")

        var random = SeededRandom(seed: seed &* 0x9E37_79B9)
        for _ in 0..<2 {
            var files: [String: [UInt8]] = [:]
            for table in Self.tables {
                let text = try String(contentsOfFile: "\(folder.path)/\(table).csv", encoding: .utf8)
                let rewritten = try Self.rewrite(text, random: &random)
                if random.chance(0.4) {
                    files["\(table).csv.lz4"] = try LZ4Frame.compressAnyHow(rewritten, random: &random)
                } else {
                    files["\(table).csv"] = rewritten
                }
            }
            let variant = try ExportReader(files: MemoryFiles(files), chunkSize: 1 << 12).load("export").export
            let names = files.keys.sorted()
            #expect(Self.meaning(variant) == Self.meaning(plainExport), "the rewritten export (\(names)) read to other values")
            let suspects = try Self.suspects(variant)
            #expect(suspects.count == plain.count)
            #expect(suspects == plain, "the rewritten export (\(names)) scanned to other suspects")
        }
    }

    /// Every suspect `scan` would store, with its evidence, when nearly every scored
    /// entity is proposed.
    private static func suspects(_ export: Export) throws -> [Suspect] {
        let detectors = Detectors.standard
        var config = DetectionConfig(detectors: detectors)
        try config.set(DetectionConfig.keyScrutinyKey, 0.000001)
        return Scan.run(export, detectors: detectors, config: config, threads: 1).suspects
    }

    /// Every row of every table as text, ids spelled out (so that an id's number, which
    /// follows the order ids are first seen in, does not count): what the files mean.
    private static func meaning(_ export: Export) -> [String] {
        let d = export.dictionaries
        func id(_ dictionary: IdDictionary, _ value: UInt32) -> String {
            value == IdDictionary.absent ? "-" : dictionary.string(value)
        }
        let o = export.orders, r = export.ratings, l = export.logistics, a = export.accounts
        let orders = (0..<o.count).map { row in
            "order \(id(d.orders, UInt32(row))) \(id(d.accounts, o.buyer[row])) \(id(d.accounts, o.shop[row])) "
                + "\(id(d.items, o.item[row])) \(o.amountCents[row]) \(o.createdAt[row]) \(o.paidAt[row]) "
                + "\(o.confirmedAt[row]) \(o.status[row]) \(id(d.addresses, o.shipTo[row])) \(id(d.devices, o.device[row])) "
                + "\(id(d.ips, o.ip[row])) \(id(d.payments, o.payment[row]))"
        }
        let ratings = (0..<r.count).map { row in
            "rating \(id(d.orders, r.order[row])) \(id(d.accounts, r.buyer[row])) \(id(d.accounts, r.shop[row])) "
                + "\(id(d.items, r.item[row])) \(r.stars[row]) \(r.createdAt[row]) \(r.textLength[row]) \(r.hasMedia[row])"
        }
        let scans = (0..<l.count).map { row in
            "scan \(id(d.waybills, l.waybill[row])) \(id(d.orders, l.order[row])) \(id(d.couriers, l.courier[row])) "
                + "\(l.event[row]) \(l.at[row]) \(id(d.locations, l.location[row])) \(l.weightGrams[row])"
        }
        let accounts = (0..<a.count).map { row in
            "account \(id(d.accounts, a.account[row])) \(a.kind[row]) \(a.registeredAt[row]) "
                + "\(id(d.regions, a.region[row])) \(id(d.creditCodes, a.creditCode[row]))"
        }
        return orders + ratings + scans + accounts
    }

    /// `text` (a plain CSV file: LF line ends, no BOM) with the same records spelled
    /// another way, as bytes.
    private static func rewrite(_ text: String, random: inout SeededRandom) throws -> [UInt8] {
        let records = try PlainCSV.records(text)
        let header = records[0]
        let unknown = (0..<random.below(3)).map { "extra_\($0)" }
        var order = Array(0..<(header.count + unknown.count))
        random.shuffle(&order)
        let lineEnd = random.below(3)  // LF, CRLF, or either per line
        var out: [UInt8] = random.chance(0.3) ? [0xEF, 0xBB, 0xBF] : []
        for (index, record) in records.enumerated() {
            let fields = order.map { position -> String in
                if position >= header.count {
                    return index == 0 ? unknown[position - header.count] : random.noise()
                }
                let value = record[position]
                if index == 0 || value.isEmpty { return value }
                if timeColumns.contains(header[position]) { return random.timeSpelling(value) }
                if moneyColumns.contains(header[position]) { return random.moneySpelling(value) }
                if integerColumns.contains(header[position]) && random.chance(0.3) { return value + ".0" }
                return value
            }
            out += Array(fields.map { random.quoted($0) }.joined(separator: ",").utf8)
            if index == records.count - 1 && random.chance(0.5) { break }
            let crlf = lineEnd == 1 || (lineEnd == 2 && random.chance(0.5))
            out += crlf ? [0x0D, 0x0A] : [0x0A]
        }
        return out
    }
}

/// RFC 4180 records of a CSV text with LF line ends (quoted fields may hold commas,
/// `""` and line feeds), as the generator writes them: the plain side of the test.
enum PlainCSV {
    struct Malformed: Error {}

    static func records(_ text: String) throws -> [[String]] {
        var records: [[String]] = [], fields: [String] = [], field: [UInt8] = []
        var quoted = false, wasQuoted = false
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < bytes.count && bytes[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == 0x22 {
                guard field.isEmpty, !wasQuoted else { throw Malformed() }
                quoted = true
                wasQuoted = true
            } else if byte == 0x2C || byte == 0x0A {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
                wasQuoted = false
                if byte == 0x0A {
                    records.append(fields)
                    fields = []
                }
            } else {
                field.append(byte)
            }
            index += 1
        }
        guard !quoted else { throw Malformed() }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(String(decoding: field, as: UTF8.self))
            records.append(fields)
        }
        return records
    }
}

/// The spellings the test draws from its seeded stream (TestSupport's `SeededRandom`).
extension SeededRandom {
    mutating func chance(_ probability: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < probability }

    mutating func shuffle<T>(_ values: inout [T]) {
        for index in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(index, below(index + 1)) }
    }

    /// The field as written: bare, or quoted (`""` for each quote) when it needs it or by chance.
    mutating func quoted(_ value: String) -> String {
        let needs = value.utf8.contains { (byte: UInt8) -> Bool in
            byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        }
        guard needs || chance(0.25) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A value of an unknown column: text with commas, quotes and line breaks, or empty.
    mutating func noise() -> String {
        ["", "x", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nin quotes", "杭州", "2026-11-01T08:15:00Z"][below(8)]
    }

    /// The instant of `value` (as the generator writes it) in a randomly chosen spelling
    /// the reader accepts: the contract's three ISO forms with other zones, Unix seconds
    /// (also with a fraction), and what ISO 8601 writers also emit (a fraction of a
    /// second, `+HHMM`, lower case, a whole minute without seconds).
    mutating func timeSpelling(_ value: String) -> String {
        let seconds = Array(value.utf8).withUnsafeBytes { bytes in try! FieldParser.time(bytes) }
        // A whole minute may lose its seconds, unless a fraction follows.
        let dropsSeconds = seconds % 60 == 0 && chance(0.5)
        func local(_ offsetMinutes: Int64, fraction: String = "") -> String {
            let text = String(UnixTime.iso8601(seconds + offsetMinutes * 60).dropLast())
            return fraction.isEmpty && dropsSeconds ? String(text.dropLast(3)) : text + fraction
        }
        switch below(11) {
        case 0: return UnixTime.iso8601(seconds)
        case 1: return local(480) + "+08:00"
        case 2: return local(-330) + "-05:30"
        case 3: return local(0).replacingOccurrences(of: "T", with: " ")
        case 4: return local(0)
        case 5: return String(seconds)
        case 6: return local(0, fraction: ".000") + "Z"
        case 7: return local(0).replacingOccurrences(of: "T", with: "t") + "z"
        case 8: return local(345) + "+0545"
        case 9: return "\(seconds).\(below(1000))"
        default: return local(-600, fraction: ".5") + "-10:00"
        }
    }

    /// The amount of `value` as `19.9`, `19.90`, `19.9000` or `20` (when whole, also
    /// `20.00`).
    mutating func moneySpelling(_ value: String) -> String {
        let cents = Array(value.utf8).withUnsafeBytes { bytes in try! FieldParser.moneyCents(bytes) }
        let whole = cents / 100, fraction = cents % 100
        let two = "\(whole)." + (fraction < 10 ? "0" : "") + "\(fraction)" + (chance(0.2) ? "00" : "")
        if fraction == 0 { return chance(0.5) ? "\(whole)" : two }
        if fraction % 10 == 0 && chance(0.5) { return "\(whole).\(fraction / 10)" }
        return two
    }
}
