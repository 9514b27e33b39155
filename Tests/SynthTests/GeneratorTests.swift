import Columnar
import Foundation
import Synth
import Testing
import TestSupport

@Suite struct GeneratorTests {
    static let files = ["orders", "ratings", "logistics", "accounts", "labels"]

    func generate(seed: UInt64 = 7, fraud: FraudProfile = .mixed, camouflage: Int = 1, compress: Bool = false) throws
        -> (TemporaryDirectory, GenerationSummary)
    {
        let folder = try TemporaryDirectory("synth")
        // Small partitions so that the parallel path and partition boundaries are exercised.
        let config = GeneratorConfig(
            seed: seed, shops: 60, buyers: 2500, days: 30, fraud: fraud, camouflage: camouflage,
            compress: compress, partitionOrders: 1500)
        return (folder, try Generator.generate(config, into: folder.path))
    }

    func bytes(_ folder: TemporaryDirectory, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: folder.path(name)))
    }

    @Test func sameSeedGivesIdenticalFilesAndAnotherSeedDifferentOnes() throws {
        let (first, _) = try generate()
        let (second, _) = try generate()
        let (other, _) = try generate(seed: 8)
        for name in GeneratorTests.files {
            #expect(try bytes(first, name + ".csv") == bytes(second, name + ".csv"), "\(name).csv differs")
        }
        #expect(try bytes(first, "orders.csv") != bytes(other, "orders.csv"))
    }

    @Test func compressedFilesAreLZ4Frames() throws {
        let (folder, _) = try generate(compress: true)
        for name in GeneratorTests.files {
            let data = try bytes(folder, name + ".csv.lz4")
            #expect(Array(data.prefix(4)) == [0x04, 0x22, 0x4D, 0x18], "\(name).csv.lz4 has no LZ4 frame magic")
        }
    }

    @Test(arguments: [0, 3])
    func labelsAreExactlyTheEntitiesBehindInjectedRows(camouflage: Int) throws {
        let (folder, summary) = try generate(camouflage: camouflage)
        let record = summary.record
        let orders = try ExportFile(folder.path("orders.csv"))
        let ratings = try ExportFile(folder.path("ratings.csv"))
        let logistics = try ExportFile(folder.path("logistics.csv"))
        let written = try ExportFile(folder.path("labels.csv")).rows.map {
            Label(kind: EntityKind(rawValue: $0[0])!, id: $0[1], category: FraudCategory(rawValue: $0[2])!)
        }
        #expect(written == summary.labels)
        for category in FraudCategory.allCases {
            #expect(written.contains { $0.category == category }, "no \(category) label")
        }

        var orderRows: [String: [String]] = [:]
        for row in orders.rows { orderRows[orders.value(row, "order_id")] = row }
        for fake in record.fakeOrders {
            let row = try #require(orderRows[fake.order])
            #expect(orders.value(row, "buyer_id") == fake.buyer && orders.value(row, "shop_id") == fake.shop)
        }
        let ratingKeys = Set(ratings.rows.map {
            [ratings.value($0, "order_id"), ratings.value($0, "buyer_id"), ratings.value($0, "shop_id")]
        })
        for attack in record.attackRatings {
            #expect(ratingKeys.contains([attack.order, attack.rater, attack.victim]))
        }
        let scanKeys = Set(logistics.rows.map {
            [logistics.value($0, "tracking_no"), logistics.value($0, "order_id"), logistics.value($0, "courier_id")]
        })
        for parcel in record.emptyParcels {
            #expect(scanKeys.contains([parcel.tracking, parcel.order, parcel.courier]))
            #expect(orderRows[parcel.order].map { orders.value($0, "shop_id") } == parcel.shop)
        }

        // Every label is backed by an injected row, and every injected row's entities are labelled.
        let labels = Set(written)
        var backed = Set<Label>()
        for fake in record.fakeOrders {
            backed.insert(Label(kind: .shop, id: fake.shop, category: .fakeOrders))
            backed.insert(Label(kind: .buyer, id: fake.buyer, category: .fakeOrders))
        }
        for attack in record.attackRatings {
            backed.insert(Label(kind: .buyer, id: attack.rater, category: .maliciousRatings))
            if let shop = attack.orderedBy { backed.insert(Label(kind: .shop, id: shop, category: .maliciousRatings)) }
        }
        for parcel in record.emptyParcels {
            backed.insert(Label(kind: .courier, id: parcel.courier, category: .emptyParcels))
            backed.insert(Label(kind: .shop, id: parcel.shop, category: .emptyParcels))
        }
        #expect(labels == backed)
    }

    @Test(arguments: [FraudProfile.none, .badShop, .lightParcels])
    func honestProfilesHaveNoLabels(profile: FraudProfile) throws {
        let (folder, summary) = try generate(fraud: profile)
        #expect(summary.labels.isEmpty)
        #expect(try ExportFile(folder.path("labels.csv")).rows.isEmpty)
        #expect(summary.orders > 1000)
    }

    @Test func filesFollowTheSchema() throws {
        let (folder, summary) = try generate(camouflage: 2)
        let orders = try ExportFile(folder.path("orders.csv"))
        let ratings = try ExportFile(folder.path("ratings.csv"))
        let logistics = try ExportFile(folder.path("logistics.csv"))
        let accounts = try ExportFile(folder.path("accounts.csv"))
        let required = [
            (orders, ["order_id", "buyer_id", "shop_id", "item_id", "amount", "created_at", "status", "ship_to"]),
            (ratings, ["buyer_id", "shop_id", "stars", "created_at"]),
            (logistics, ["tracking_no", "order_id", "courier_id", "event", "at"]),
            (accounts, ["account_id", "kind"]),
        ]
        for (file, columns) in required {
            for column in columns { #expect(file.header.contains(column), "missing \(column)") }
            #expect(file.rows.allSatisfy { $0.count == file.header.count })
        }
        #expect(orders.rows.count == summary.orders && ratings.rows.count == summary.ratings)

        let orderIds = Set(orders.column("order_id"))
        #expect(orderIds.count == orders.rows.count, "order ids are not unique")
        let statuses = Set(OrderStatus.allCases.map(\.name))
        #expect(orders.column("status").allSatisfy(statuses.contains))
        #expect(orders.column("amount").allSatisfy(isMoney))
        #expect(orders.column("created_at").allSatisfy(isTimestamp))
        #expect(orders.column("paid_at").allSatisfy { $0.isEmpty || isTimestamp($0) })
        #expect(orders.column("confirmed_at").allSatisfy { $0.isEmpty || isTimestamp($0) })
        let ids = orders.column("order_id") + orders.column("buyer_id") + orders.column("ship_to") + orders.column("device_id")
        #expect(ids.allSatisfy { !$0.isEmpty && $0.utf8.count <= 128 })

        #expect(ratings.column("order_id").allSatisfy { $0.isEmpty || orderIds.contains($0) })
        #expect(ratings.column("stars").allSatisfy { (1...5).contains(Int($0) ?? 0) })
        #expect(ratings.column("text_len").allSatisfy { (Int($0) ?? -1) >= 0 })
        #expect(ratings.column("has_media").allSatisfy { $0 == "0" || $0 == "1" })
        #expect(ratings.column("created_at").allSatisfy(isTimestamp))

        let events = Set(ScanEvent.allCases.map(\.name))
        #expect(logistics.column("order_id").allSatisfy(orderIds.contains))
        #expect(logistics.column("event").allSatisfy(events.contains))
        #expect(logistics.column("at").allSatisfy(isTimestamp))
        #expect(logistics.column("weight_g").allSatisfy { $0.isEmpty || (Int($0) ?? -1) >= 0 })

        let kinds = Set(AccountKind.allCases.map(\.name))
        #expect(accounts.column("kind").allSatisfy(kinds.contains))
        let accountIds = Set(accounts.column("account_id"))
        #expect(orders.column("buyer_id").allSatisfy(accountIds.contains))
        #expect(orders.column("shop_id").allSatisfy(accountIds.contains))
        #expect(accounts.column("credit_code").allSatisfy { $0.isEmpty || $0.count == 18 })
    }
}
