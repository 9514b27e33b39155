import Columnar
import Ingest
import Testing

@Suite struct ExportReaderTests {
    @Test func readsEveryColumnTypeOfEveryFile() throws {
        let loaded = try load([
            "orders.csv": ordersHeader
                + "o1,b1,s1,i1,19.9,2026-11-01T08:15:00Z,2026-11-01T16:16:00+08:00,2026-11-03 08:15:00,completed,a1,d1,1.2.3.4,p1\n"
                + "o2,b2,s1,i2,20,1793520900,,,refunded,a2,,,\n",
            "ratings.csv": "stars,buyer_id,shop_id,created_at,order_id,item_id,text_len,has_media,extra\r\n"
                + "5,b1,s1,2026-11-04T00:00:00Z,o1,i1,42,1,x\r\n"
                + "1,b2,s1,2026-11-04T00:00:00Z,,,,,y\r\n",
            "logistics.csv": "tracking_no,order_id,courier_id,event,at,location,weight_g\n"
                + "w1,o1,c1,pickup,2026-11-01T10:00:00Z,hub7,850\n"
                + "w1,o1,c1,signed,2026-11-02T10:00:00Z,,\n",
            "accounts.csv": "account_id,kind,registered_at,region,credit_code\n"
                + "s1,shop,2020-01-01T00:00:00Z,zj,91330000MA27XYZ12K\n"
                + "b1,buyer,,,\n",
        ])
        let export = loaded.export
        #expect(export.orders.count == 2)
        #expect(export.orders.amountCents == [1990, 2000])
        #expect(export.orders.createdAt == [1_793_520_900, 1_793_520_900])
        #expect(export.orders.paidAt == [1_793_520_960, Missing.time])
        #expect(export.orders.confirmedAt == [1_793_693_700, Missing.time])
        #expect(export.orders.status == [OrderStatus.completed.rawValue, OrderStatus.refunded.rawValue])
        #expect(export.orders.device == [0, IdDictionary.absent])
        #expect(export.orders.payment == [0, IdDictionary.absent])
        #expect(export.dictionaries.orders.keys == ["o1", "o2"])
        #expect(export.dictionaries.accounts.keys == ["b1", "s1", "b2"])
        #expect(export.orders.buyer == [0, 2])
        #expect(export.ratings.order == [0, IdDictionary.absent])
        #expect(export.ratings.stars == [5, 1])
        #expect(export.ratings.textLength == [42, Missing.count])
        #expect(export.ratings.hasMedia == [1, Missing.flag])
        #expect(export.ratings.item == [0, IdDictionary.absent])
        #expect(export.logistics.event == [ScanEvent.pickup.rawValue, ScanEvent.signed.rawValue])
        #expect(export.logistics.weightGrams == [850, Missing.count])
        #expect(export.logistics.location == [0, IdDictionary.absent])
        #expect(export.logistics.order == [0, 0])
        #expect(export.accounts.kind == [AccountKind.shop.rawValue, AccountKind.buyer.rawValue])
        #expect(export.accounts.registeredAt == [1_577_836_800, Missing.time])
        #expect(export.accounts.creditCode == [0, IdDictionary.absent])
        #expect(loaded.report.files.map(\.name) == ["orders.csv", "ratings.csv", "logistics.csv", "accounts.csv"])
        #expect(loaded.report.files.map(\.rows) == [2, 2, 2, 2])
        #expect(loaded.report.orderTimes == 1_793_520_900...1_793_520_900)
    }

    @Test func quotedFieldsHoldCommasQuotesAndNewlines() throws {
        let loaded = try load(["orders.csv": orders(
            "\"o,2\",\"b\"\"2\",s1,i1,\"5\",2026-11-01T08:15:00Z,,,paid,\"line\r\nbreak\",,,",
            "o3,b3,s1,i1,5,2026-11-01T08:15:00Z,,,paid,a3,,,")], chunkSize: 3)
        #expect(loaded.export.dictionaries.orders.keys == ["o1", "o,2", "o3"])
        #expect(loaded.export.dictionaries.accounts.string(loaded.export.orders.buyer[1]) == "b\"2")
        #expect(loaded.export.dictionaries.addresses.keys == ["a1", "line\r\nbreak", "a3"])
    }

    @Test func unknownOrdersAreCountedAndKept() throws {
        let loaded = try load([
            "orders.csv": orders(),
            "ratings.csv": "order_id,buyer_id,shop_id,stars,created_at\n"
                + (1...5).map { "o\($0 + 100),b1,s1,3,1793520900\n" }.joined(),
        ])
        #expect(loaded.export.ratings.order == Array(repeating: IdDictionary.absent, count: 5))
        let warnings = loaded.report.files[1].unknownOrders
        #expect(warnings.count == 5)
        #expect(warnings.examples == [
            "ratings.csv:2:1 (order_id): unknown order \"o101\"",
            "ratings.csv:3:1 (order_id): unknown order \"o102\"",
            "ratings.csv:4:1 (order_id): unknown order \"o103\"",
        ])
    }

    @Test func compressedFilesReadLikePlainOnes() throws {
        let text = orders("o2,b2,s2,i2,7.5,2026-11-01T08:15:00Z,,,shipped,a2,,,")
        let files = MemoryFiles(["orders.csv.lz4": try LZ4Frame.compress(Array(text.utf8))])
        let loaded = try ExportReader(files: files, chunkSize: 5).load("export")
        #expect(loaded.export.orders.amountCents == [1990, 750])
        #expect(loaded.report.files[0].name == "orders.csv.lz4")
        #expect(loaded.report.files[0].bytesDecoded == text.utf8.count)
    }

    @Test func shortReadsChangeNothing() throws {
        let text = orders("o2,\"b\"\"2\",s2,i2,7.5,2026-11-01T08:15:00Z,,,shipped,a2,,,")
        let loaded = try ExportReader(files: MemoryFiles(texts: ["orders.csv": text]).limited(to: 1), chunkSize: 64)
            .load("export")
        #expect(loaded.export.orders.count == 2)
        #expect(loaded.export.dictionaries.accounts.keys == ["b1", "s1", "b\"2", "s2"])
    }

    @Test func readsLabels() throws {
        let files = MemoryFiles(texts: ["labels.csv": "entity_kind,entity_id,category\nshop,s1,fake_orders\ncourier,c9,empty_parcels\n"])
        let labels = try ExportReader(files: files).readLabels(in: "export")
        #expect(labels == [
            Label(kind: .shop, id: "s1", category: .fakeOrders),
            Label(kind: .courier, id: "c9", category: .emptyParcels),
        ])
    }

    @Test func headerNamesMatchWhateverTheirCaseAndSurroundingSpaces() throws {
        let header = "Order_ID, Buyer_ID ,\tshop_id,ITEM_ID,amount,created_at,paid_at,confirmed_at,status,ship_to,device_id,ip,payment_id, Remark\n"
        let loaded = try load(["orders.csv": header + "o1,b1,s1,i1,19.9,2026-11-01T08:15:00Z,,,paid,a1,,,,x9\n"])
        #expect(loaded.export.dictionaries.orders.keys == ["o1"])
        #expect(loaded.export.dictionaries.accounts.keys == ["b1", "s1"])
        #expect(loaded.export.dictionaries.items.keys == ["i1"])
    }

    @Test func aByteOrderMarkBeforeTheHeaderIsSkipped() throws {
        let loaded = try load(["orders.csv": "\u{FEFF}" + orders()])
        #expect(loaded.export.orders.count == 1)
    }
}

extension MemoryFiles {
    func limited(to bytes: Int) -> MemoryFiles { MemoryFiles(files, readLimit: bytes, failAfter: failAfter) }
}
