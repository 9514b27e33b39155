import Columnar
import Detection
@testable import Ingest
import Synchronization
import Testing

/// Reading only some columns of a CSV export (`ExportReader.load(_:columns:)`): the
/// chosen columns as a whole load gives them, the others empty; records still framed and
/// checked as CSV, values checked only in the chosen columns.
@Suite struct ColumnProjectionTests {
    /// What `creditwatch features` reads.
    static let needed = EntityFeatures.neededColumns

    static let files = [
        "orders.csv": orders(
            "o2,b2,s1,i2,20,1793520900,,,refunded,\"a\n2\",d1,,",
            "o3,b1,s2,i2,3.5,2026-11-01T09:00:00Z,,,paid,a3,,,"),
        "ratings.csv": "stars,buyer_id,shop_id,created_at,order_id,item_id,text_len,has_media\n"
            + "5,b2,s1,2026-11-04T00:00:00Z,o3,i1,42,1\n"
            + "1,b1,s1,2026-11-04T00:00:00Z,x9,,,\n",
        "logistics.csv": "tracking_no,order_id,courier_id,event,at,location,weight_g\n"
            + "w1,o1,c1,pickup,2026-11-01T10:00:00Z,hub7,850\n"
            + "w2,o3,c1,signed,2026-11-02T10:00:00Z,,\n",
        "accounts.csv": "account_id,kind,registered_at,region,credit_code\nz1,shop,,,\n",
    ]

    @Test func chosenColumnsAreThoseOfTheWholeLoad() throws {
        let whole = try load(Self.files).export
        let loaded = try load(Self.files, columns: Self.needed)
        let part = loaded.export
        #expect(whole.dictionaries.orders.count == 3 && whole.dictionaries.devices.count == 1)
        // Interned but not asked for (`idSpaces`): the keys are not kept, as a native load does not read them.
        #expect(part.dictionaries.orders.count == 0 && part.dictionaries.devices.count == 0)
        #expect(part.dictionaries.accounts.keys == ["b1", "s1", "b2", "s2"])
        #expect(part.dictionaries.waybills.keys == whole.dictionaries.waybills.keys)
        #expect(part.orders.buyer == whole.orders.buyer && part.orders.shop == whole.orders.shop)
        #expect(part.orders.createdAt == whole.orders.createdAt && part.orders.device == whole.orders.device)
        #expect(part.ratings.order == [2, IdDictionary.absent] && part.ratings.order == whole.ratings.order)
        #expect(part.ratings.buyer == whole.ratings.buyer)
        #expect(part.logistics.waybill == whole.logistics.waybill && part.logistics.event == whole.logistics.event)
        #expect(part.logistics.at == whole.logistics.at)
        // Not chosen: empty columns, id spaces and tables.
        #expect(part.orders.amountCents.isEmpty && part.orders.status.isEmpty && part.orders.shipTo.isEmpty)
        #expect(part.dictionaries.addresses.count == 0 && part.dictionaries.items.count == 0)
        #expect(part.ratings.stars.isEmpty && part.ratings.shop.isEmpty && part.logistics.order.isEmpty)
        #expect(part.accounts.count == 0)
        #expect(loaded.report.files.map(\.name) == ["orders.csv", "ratings.csv", "logistics.csv"])
        #expect(loaded.report.files.map(\.rows) == [3, 2, 2])
    }

    @Test func valuesAreCheckedOnlyInChosenColumns() {
        var files = Self.files
        files["orders.csv"] = orders("o2,b2,s1,i2,1.234,2026-11-01T08:15:00Z,,,lost,a2,,,")
        files["logistics.csv"] = "tracking_no,order_id,courier_id,event,at,location,weight_g\nw1,o1,c1,pickup,2026-11-01T10:00:00Z,hub7,-3\n"
        #expect(loadError(files) != nil)
        #expect(loadError(files, columns: Self.needed) == nil)
    }

    @Test func errorsInChosenColumnsAreThoseOfTheWholeLoad() {
        for (file, text) in [
            ("orders.csv", orders("o2,b2,s1,i2,20,2026-13-01T08:15:00Z,,,paid,a2,,,")),
            ("orders.csv", orders("o2,,s1,i2,20,2026-11-01T08:15:00Z,,,paid,a2,,,")),
            ("orders.csv", orders("o1,b2,s1,i2,20,2026-11-01T08:15:00Z,,,paid,a2,,,")),
            ("logistics.csv", "tracking_no,order_id,courier_id,event,at,location,weight_g\n\"w\n1\",o1,c1,lost,2026-11-01T10:00:00Z,,\n"),
        ] {
            var files = Self.files
            files[file] = text
            let message = loadError(files, columns: Self.needed)
            #expect(message != nil)
            #expect(message == loadError(files), "\(file)")
        }
    }

    @Test func brokenRecordsAreErrorsWhateverTheColumns() {
        for text in [
            orders("o2,b2,s1,i2,20,2026-11-01T08:15:00Z,,,paid,a2,,,,extra"),
            orders("o2,b2,s1,i2,20,2026-11-01T08:15:00Z,,,paid,\"a\"2,,,"),
            orders("o2,b2,s1,i2,20,2026-11-01T08:15:00Z,,,paid,\"a2,,,"),
        ] {
            var files = Self.files
            files["orders.csv"] = text
            let message = loadError(files, columns: Self.needed)
            #expect(message != nil)
            #expect(message == loadError(files))
        }
    }

    /// Without logistics' order ids, logistics is read beside orders and ratings on two
    /// cores or more: the same export, report and first error as on one core (orders' or
    /// ratings' error before logistics').
    @Test(arguments: [2, 3, 4])
    func logisticsReadBesideTheOthersGivesWhatOneCoreGives(threads: Int) throws {
        let one = try load(Self.files, columns: Self.needed, threads: 1)
        let many = try load(Self.files, columns: Self.needed, threads: threads)
        #expect(many.export.dictionaries.accounts.keys == one.export.dictionaries.accounts.keys)
        #expect(many.export.dictionaries.waybills.keys == one.export.dictionaries.waybills.keys)
        #expect(many.export.orders.shop == one.export.orders.shop && many.export.ratings.order == one.export.ratings.order)
        #expect(many.export.logistics.waybill == one.export.logistics.waybill && many.export.logistics.at == one.export.logistics.at)
        #expect(many.export.logistics.event == one.export.logistics.event)
        #expect(many.report.files.map(\.name) == one.report.files.map(\.name))
        #expect(many.report.files.map(\.rows) == one.report.files.map(\.rows))
        let brokenLogistics = "tracking_no,order_id,courier_id,event,at,location,weight_g\nw1,o1,c1,lost,2026-11-01T10:00:00Z,,\n"
        let brokenRatings = "order_id,buyer_id,shop_id,stars,created_at\no1,,s1,5,2026-11-04T00:00:00Z\n"
        for broken in [
            ["logistics.csv": brokenLogistics], ["ratings.csv": brokenRatings],
            ["logistics.csv": brokenLogistics, "ratings.csv": brokenRatings],
            ["logistics.csv": brokenLogistics, "orders.csv": orders("o1,b1,s1,i1,1,2026-11-01T08:15:00Z,,,paid,a1,,,")],
        ] {
            let files = Self.files.merging(broken) { $1 }
            let message = loadError(files, columns: Self.needed, threads: 1)
            #expect(message != nil)
            #expect(loadError(files, columns: Self.needed, threads: threads) == message)
        }
        var noOrders = Self.files
        noOrders["orders.csv"] = nil
        #expect(loadError(noOrders, columns: Self.needed, threads: threads) == loadError(noOrders, columns: Self.needed, threads: 1))
    }

    /// Tables share a lane when their read columns touch one id space: logistics goes
    /// beside orders and ratings only without its order ids.
    @Test func tablesShareALaneWhenTheyShareAnIdSpace() {
        let all = ExportTable.allCases
        #expect(ExportTable.lanes(of: all, columns: nil) == [all])
        #expect(ExportTable.lanes(of: [.orders, .ratings, .logistics], columns: Self.needed) == [[.orders, .ratings], [.logistics]])
        var withOrders = Self.needed
        withOrders.columns["logistics"]?.insert("order_row")
        #expect(ExportTable.lanes(of: [.orders, .ratings, .logistics], columns: withOrders) == [[.orders, .ratings, .logistics]])
        let few = ExportColumns(columns: ["orders": ["created_at"], "logistics": ["event"], "accounts": ["kind"]], idSpaces: [])
        #expect(ExportTable.lanes(of: [.orders, .logistics, .accounts], columns: few) == [[.orders], [.logistics], [.accounts]])
        let accounts = ExportColumns(columns: ["orders": ["shop_id"], "logistics": ["at"], "accounts": ["account_id"]], idSpaces: [])
        #expect(ExportTable.lanes(of: [.orders, .logistics, .accounts], columns: accounts) == [[.orders, .accounts], [.logistics]])
    }

    /// A lane read without error reports its tables once, final, on any thread count;
    /// a lane that fails does not.
    @Test(arguments: [1, 2])
    func eachLaneReportsItsTablesOnceRead(threads: Int) throws {
        let reported = Mutex<[[String]: Export]>([:])
        var reader = ExportReader(files: MemoryFiles(texts: Self.files), chunkSize: 7)
        reader.threads = threads
        let whole = try reader.load("export", columns: Self.needed) { export, tables in
            reported.withLock { #expect($0.updateValue(export, forKey: tables) == nil) }
        }.export
        let lanes = reported.withLock { $0 }
        #expect(Set(lanes.keys) == [["orders", "ratings"], ["logistics"]])
        let orders = try #require(lanes[["orders", "ratings"]]), logistics = try #require(lanes[["logistics"]])
        #expect(orders.orders.shop == whole.orders.shop && orders.ratings.order == whole.ratings.order)
        #expect(orders.dictionaries.accounts.keys == whole.dictionaries.accounts.keys)
        #expect(orders.logistics.count == 0 && logistics.orders.count == 0)
        #expect(logistics.logistics.waybill == whole.logistics.waybill)
        #expect(logistics.dictionaries.waybills.keys == whole.dictionaries.waybills.keys)

        var files = Self.files
        files["logistics.csv"] = "tracking_no,order_id,courier_id,event,at,location,weight_g\nw1,o1,c1,lost,2026-11-01T10:00:00Z,,\n"
        reader.files = MemoryFiles(texts: files)
        reported.withLock { $0 = [:] }
        #expect(throws: IngestError.self) {
            try reader.load("export", columns: Self.needed) { _, tables in reported.withLock { $0[tables] = Export() } }
        }
        #expect(reported.withLock { Array($0.keys) } == [["orders", "ratings"]])
    }

    /// Scans handed over a batch at a time (`scansRead`) are the rows a load keeps, in file
    /// order, whatever the chunks, cores and columns, once the renumbering of waybills
    /// that follows them is applied (waybills whose scans come in runs apart); the export
    /// then keeps none of them and its id spaces are those of a load that keeps them. The
    /// kept waybill ids are first-seen ids (a plain dictionary of the keys).
    @Test(arguments: [1, 2])
    func scansReadInBatchesAreTheRowsALoadKeeps(threads: Int) throws {
        var files = Self.files
        var logistics = "tracking_no,order_id,courier_id,event,at,location,weight_g\n"
        var firstSeen: [String: UInt32] = [:], waybillKeys: [String] = [], waybillIDs: [UInt32] = []
        for row in 0..<600 {
            let event = ["pickup", "transit", "signed"][row % 3]
            let waybill = "w\(row / 4 + row % 2)\(row % 7 == 3 ? "" : "-\(row / 9 % 11)")"
            if firstSeen[waybill] == nil {
                firstSeen[waybill] = UInt32(waybillKeys.count)
                waybillKeys.append(waybill)
            }
            waybillIDs.append(firstSeen[waybill]!)
            logistics += "\(waybill),o\(row % 3 + 1),c1,\(event),\(1_793_520_000 + row * 61),hub\(row % 5),\(row)\n"
        }
        files["logistics.csv"] = logistics
        for (chunkSize, columns) in [(7, Self.needed), (64, Self.needed), (1 << 20, Self.needed), (64, nil)] as [(Int, ExportColumns?)] {
            var reader = ExportReader(files: MemoryFiles(texts: files), chunkSize: chunkSize)
            reader.threads = threads
            let kept = try reader.load("export", columns: columns).export
            let deliveries = Mutex<[BatchDelivery<LogisticsTable>]>([])
            let streamed = try reader.load("export", columns: columns, scansRead: { delivery in deliveries.withLock { $0.append(delivery) } }).export
            var seen: [LogisticsTable] = [], waybills: [UInt32] = [], renumberings = 0
            for delivery in deliveries.withLock({ $0 }) {
                switch delivery {
                case .rows(let batch):
                    #expect(renumberings == 0)
                    seen.append(batch)
                    waybills += batch.waybill
                case .renumbered(let renumbering):
                    renumbering.apply(to: &waybills)
                    renumberings += 1
                }
            }
            #expect(seen.count > 1 || chunkSize == 1 << 20)
            #expect(renumberings == 1)
            #expect(kept.logistics.waybill == waybillIDs && kept.dictionaries.waybills.keys == waybillKeys)
            #expect(waybills == kept.logistics.waybill && seen.flatMap(\.at) == kept.logistics.at)
            #expect(seen.flatMap(\.event) == kept.logistics.event && seen.flatMap(\.weightGrams) == kept.logistics.weightGrams)
            #expect(kept.logistics.count == 600 && streamed.logistics.count == 0 && streamed.logistics.at.isEmpty)
            #expect(streamed.dictionaries.waybills.keys == kept.dictionaries.waybills.keys)
            #expect(streamed.orders.shop == kept.orders.shop && streamed.ratings.order == kept.ratings.order)
        }
    }

    /// An id space asked for is kept whole, also one whose table resolves another's rows.
    @Test func idSpacesAskedForAreKept() throws {
        var needed = Self.needed
        needed.idSpaces.formUnion(["orders", "devices"])
        let whole = try load(Self.files).export, part = try load(Self.files, columns: needed).export
        #expect(part.dictionaries.orders.keys == whole.dictionaries.orders.keys)
        #expect(part.dictionaries.devices.keys == whole.dictionaries.devices.keys)
        #expect(part.ratings.order == whole.ratings.order)
    }

    @Test func theHeaderMustStillHoldEveryRequiredColumn() {
        var files = Self.files
        files["ratings.csv"] = "stars,buyer_id,created_at,order_id\n5,b2,2026-11-04T00:00:00Z,o3\n"
        #expect(loadError(files, columns: Self.needed)?.contains("shop_id") == true)
    }
}
