import Columnar
@testable import Ingest
import Testing
import TestSupport

/// The id columns of `orders.csv`, interned by the reader in blocks hashed and fetched
/// ahead, against first-seen ids counted here one key at a time with a Swift dictionary:
/// keys of 1-8 bytes (kept in the slots) or 1-40 bytes, many repeats, empty optional ids,
/// frames cut at every size.
@Suite struct IdColumnTests {
    /// Ids handed out in first-seen order by a plain dictionary.
    struct FirstSeen {
        var ids: [String: UInt32] = [:]
        var keys: [String] = []

        mutating func id(_ key: String) -> UInt32 {
            if let id = ids[key] { return id }
            ids[key] = UInt32(keys.count)
            keys.append(key)
            return UInt32(keys.count - 1)
        }
    }

    @Test(arguments: [40, 333, 1 << 12, 1 << 18], [8, 40])
    func idColumnsGetFirstSeenIDs(frameBytes: Int, longest: Int) throws {
        var generator = SeededRandom(seed: 201)
        let pool = (0..<500).map { _ in
            String((0..<Int.random(in: 1...longest, using: &generator)).map { _ in "ab9é-".randomElement(using: &generator)! })
        }
        var accounts = FirstSeen(), addresses = FirstSeen(), devices = FirstSeen()
        var buyers: [UInt32] = [], shops: [UInt32] = [], shipTo: [UInt32] = [], deviceIDs: [UInt32] = []
        var orders = ordersHeader
        for row in 0..<4000 {
            let buyer = pool.randomElement(using: &generator)!, shop = pool.randomElement(using: &generator)!
            let address = pool.randomElement(using: &generator)!
            let device = Bool.random(using: &generator) ? "" : pool.randomElement(using: &generator)!
            buyers.append(accounts.id(buyer))
            shops.append(accounts.id(shop))
            shipTo.append(addresses.id(address))
            deviceIDs.append(device.isEmpty ? IdDictionary.absent : devices.id(device))
            orders += "o\(row),\(buyer),\(shop),i1,1.5,2026-11-01T08:15:00Z,,,paid,\(address),\(device),,\n"
        }
        let files = MemoryFiles(texts: ["orders.csv": orders])
        var reader = CSVFileReader(file: "orders.csv", chunkSize: 1 << 16, threads: 1)
        reader.frameBytes = frameBytes
        var source = try files.open("orders.csv", name: "orders.csv")
        var export = Export()
        _ = try reader.read(&source, as: OrdersSchema.self, into: &export)
        #expect(export.orders.buyer == buyers)
        #expect(export.orders.shop == shops)
        #expect(export.orders.shipTo == shipTo)
        #expect(export.orders.device == deviceIDs)
        #expect(export.dictionaries.accounts.keys == accounts.keys)
        #expect(export.dictionaries.addresses.keys == addresses.keys)
        #expect(export.dictionaries.devices.keys == devices.keys)
        #expect(export.dictionaries.orders.keys == (0..<4000).map { "o\($0)" })
    }
}
