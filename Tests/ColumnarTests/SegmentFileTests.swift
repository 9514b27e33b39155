import TestSupport
import Testing

@testable import Columnar

@Suite struct SegmentFileTests {
    private static let sample = SampleExport.make(orders: 3000, seed: 11)

    /// Loads the native files of `files` into an export.
    private func decode(_ files: [(name: String, bytes: [UInt8])], threads: Int) throws(SegmentError) -> Export {
        var export = Export()
        for (name, bytes) in files {
            let table = String(name.dropLast(".cwseg".count))
            let file = try SegmentFile(bytes: bytes, name: name, table: table)
            if table == ExportSegments.dictionaries {
                export.dictionaries = try ExportSegments.decodeDictionaries(file, threads: threads)
            } else {
                try ExportSegments.decodeTable(file, into: &export, threads: threads)
            }
        }
        return export
    }

    private func expectSame(_ a: Export, _ b: Export) {
        #expect(a.orders.createdAt == b.orders.createdAt)
        #expect(a.orders.buyer == b.orders.buyer)
        #expect(a.ratings.stars == b.ratings.stars)
        #expect(a.logistics.at == b.logistics.at)
        #expect(a.accounts.region == b.accounts.region)
        for space in ExportSegments.idSpaces { #expect(a.dictionaries[keyPath: space.path].keys == b.dictionaries[keyPath: space.path].keys) }
        // The encoding is deterministic and injective, so equal bytes mean equal tables.
        #expect(ExportSegments.encode(a, threads: 1).map(\.bytes) == ExportSegments.encode(b, threads: 1).map(\.bytes))
    }

    @Test(arguments: [1, 2, 3, 8])
    func roundTripIsIdenticalForAnyThreadCount(threads: Int) throws {
        let files = ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: threads)
        #expect(files.map(\.bytes) == ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: 1).map(\.bytes))
        let decoded = try decode(files, threads: threads)
        expectSame(decoded, Self.sample)
        #expect(decoded.dictionaries.accounts.lookup("S3") == Self.sample.dictionaries.accounts.lookup("S3"))
    }

    @Test func emptyTablesRoundTrip() throws {
        var export = Export()
        _ = export.dictionaries.orders.intern("only")
        export.orders.buyer = [export.dictionaries.accounts.intern("b")]
        export.orders.shop = [export.dictionaries.accounts.intern("s")]
        export.orders.item = [export.dictionaries.items.intern("i")]
        export.orders.amountCents = [0]
        export.orders.createdAt = [0]
        export.orders.paidAt = [Missing.time]
        export.orders.confirmedAt = [Missing.time]
        export.orders.status = [0]
        export.orders.shipTo = [export.dictionaries.addresses.intern("a")]
        export.orders.device = [IdDictionary.absent]
        export.orders.ip = [IdDictionary.absent]
        export.orders.payment = [IdDictionary.absent]
        let files = ExportSegments.encode(export, threads: 2)
        #expect(files.map(\.name) == ["dictionaries.cwseg", "orders.cwseg"])
        expectSame(try decode(files, threads: 2), export)
    }

    // MARK: corrupt input

    private var orders: [UInt8] {
        ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: 1).first { $0.name == "orders.cwseg" }!.bytes
    }

    /// The orders file with every column compressed, as writers before format version 2's
    /// raw table columns stored it (and as version 1 can hold it).
    private var compressedOrders: [UInt8] {
        var collector = CompressedColumns()
        var export = Self.sample
        try! export.visitColumns(of: "orders", sizes: IdSpaceSizes(export.dictionaries), &collector)
        return SegmentWriter.file(table: "orders", rows: export.orders.count, columns: collector.columns, blockValues: 500, threads: 1)
    }

    private func openOrders(_ bytes: [UInt8]) throws(SegmentError) -> OrdersTable {
        var export = Self.sample
        let file = try SegmentFile(bytes: bytes, name: "orders.cwseg", table: "orders")
        try ExportSegments.decodeTable(file, into: &export, threads: 2)
        return export.orders
    }

    private func failure(_ bytes: [UInt8]) -> SegmentError? {
        do {
            _ = try openOrders(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// `bytes` with its footer changed by `change`, footer checksum recomputed: what a
    /// crafted or buggy writer could produce.
    private func rewritingFooter(
        _ bytes: [UInt8], table: String = "orders", _ change: (inout SegmentFooter) -> Void
    ) throws -> [UInt8] {
        let file = try SegmentFile(bytes: bytes, name: "\(table).cwseg", table: table)
        var footer = file.footer
        change(&footer)
        let trailer = bytes.count - SegmentFormat.trailerSize
        let footerOffset = Int(bytes[trailer..<trailer + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var result = Array(bytes[..<footerOffset])
        SegmentWriter.appendFooter(footer, to: &result)
        return result
    }

    @Test func truncatedFileIsAnError() {
        let bytes = orders
        for cut in [0, 10, 39, bytes.count / 2, bytes.count - 1] {
            let error = failure(Array(bytes.prefix(cut)))
            #expect(error != nil)
            #expect(error?.file == "orders.cwseg")
            #expect(error?.table == "orders")
        }
        #expect(failure(Array(bytes.prefix(20)))?.problem == .truncated(size: 20))
    }

    @Test func badMagicAndWrongVersionAreErrors() {
        var bytes = orders
        bytes[0] = UInt8(ascii: "X")
        #expect(failure(bytes)?.problem == .badMagic)
        bytes = orders
        bytes[8] = 3
        #expect(failure(bytes)?.problem == .unsupportedVersion(3))
        #expect(failure(bytes)?.description == "orders.cwseg: table orders: unsupported format version 3 (this build reads 1 to 2)")
    }

    /// A version-1 file (no raw blocks, XXH32 block checksums: the compressed orders file
    /// of this writer with those checksums and version word) reads as it did; the same checksums
    /// in a version-2 file are a checksum error.
    @Test func versionOneFileIsRead() throws {
        let orders = compressedOrders
        let xxh32 = try rewritingFooter(orders) { footer in
            let file = try! SegmentFile(bytes: orders, name: "orders.cwseg", table: "orders")
            #expect(file.version == 2)
            for column in footer.columns.indices {
                for (index, block) in footer.columns[column].blocks.enumerated() {
                    footer.columns[column].blocks[index].checksum = XXH32.digest(Array(orders[block.offset..<block.offset + block.storedLength]))
                }
            }
        }
        var versionOne = xxh32
        versionOne[8] = 1
        #expect(try openOrders(versionOne).createdAt == Self.sample.orders.createdAt)
        #expect(try openOrders(versionOne).device == Self.sample.orders.device)
        if case .checksum = failure(xxh32)?.problem {} else { Issue.record("expected a checksum error, got \(String(describing: failure(xxh32)))") }
    }

    @Test func flippedBitInABlockNamesColumnAndBlock() throws {
        let bytes = orders
        let file = try SegmentFile(bytes: bytes, name: "orders.cwseg", table: "orders")
        let column = file.footer.columns.first { $0.name == "created_at" }!
        var flipped = bytes
        flipped[column.blocks[3].offset + 2] ^= 0x10
        let error = failure(flipped)
        #expect(error?.column == "created_at")
        #expect(error?.block == 3)
        if case .checksum = error?.problem {} else { Issue.record("expected a checksum error, got \(String(describing: error))") }
        #expect(error?.description.hasPrefix("orders.cwseg: table orders, column created_at, block 3: checksum mismatch") == true)
    }

    @Test func blockLengthPastTheEndIsAnError() throws {
        let crafted = try rewritingFooter(orders) { $0.columns[2].blocks[1].storedLength += 1_000_000 }
        let error = failure(crafted)
        #expect(error?.column == "item_id")
        #expect(error?.block == 1)
        if case .blockOutOfBounds = error?.problem {} else { Issue.record("expected blockOutOfBounds, got \(String(describing: error))") }
    }

    @Test func hugeValueCountIsRejectedBeforeAllocating() throws {
        let crafted = try rewritingFooter(orders) { $0.columns[0].blocks[0].values = Int(UInt32.max) }
        #expect(failure(crafted)?.problem == .implausibleSize(Int(UInt32.max)))
    }

    @Test func wrongDecompressedSizeIsAnError() throws {
        let crafted = try rewritingFooter(compressedOrders) { $0.columns[1].blocks[0].values -= 1 }
        let error = failure(crafted)
        #expect(error?.column == "shop_id")
        #expect(error?.block == 0)
        if case .decompression = error?.problem {} else { Issue.record("expected a size error, got \(String(describing: error))") }
        let raw = failure(try rewritingFooter(orders) { $0.columns[1].blocks[0].values -= 1 })
        #expect(raw?.column == "shop_id" && raw?.block == 0 && raw?.problem == .rawLength(expected: 499 * 4, stored: 500 * 4))
    }

    @Test func idPastItsDictionaryIsAnError() throws {
        var export = Self.sample
        export.orders.device[1234] = UInt32(export.dictionaries.devices.count)
        let bytes = ExportSegments.encode(export, rowGroupRows: 500, threads: 1).first { $0.name == "orders.cwseg" }!.bytes
        let error = failure(bytes)
        #expect(error?.column == "device_id")
        #expect(error?.block == 2)
        #expect(error?.problem == .valueOutOfRange(row: 1234, value: Int64(export.dictionaries.devices.count), limit: export.dictionaries.devices.count - 1))
    }

    /// Every single-byte change of a small file is an error or leaves the data exactly
    /// as it was (a reserved or unused byte): never a crash, never different values.
    @Test func everyFlippedByteIsAnErrorOrHarmless() throws {
        let small = SampleExport.make(orders: 30, seed: 5)
        for (name, bytes) in ExportSegments.encode(small, rowGroupRows: 8, threads: 1) {
            let table = String(name.dropLast(".cwseg".count))
            let reference = try SegmentFile(bytes: bytes, name: name, table: table)
            for position in bytes.indices {
                for mask: UInt8 in [0x01, 0xFF] {
                    var changed = bytes
                    changed[position] ^= mask
                    guard let file = try? SegmentFile(bytes: changed, name: name, table: table) else { continue }
                    for column in file.footer.columns {
                        let decoded: [UInt8]? = try? rawBytes(file, column)
                        if let decoded { #expect(decoded == (try? rawBytes(reference, column)), "\(name) byte \(position)") }
                    }
                }
            }
        }
    }

    private func rawBytes(_ file: SegmentFile, _ column: SegmentColumn) throws -> [UInt8] {
        switch column.type {
        case .uint8: try file.column(column.name, as: UInt8.self, threads: 2)
        case .int32: try file.column(column.name, as: Int32.self, threads: 2).flatMap { withUnsafeBytes(of: $0, Array.init) }
        case .uint32: try file.column(column.name, as: UInt32.self, threads: 2).flatMap { withUnsafeBytes(of: $0, Array.init) }
        case .int64: try file.column(column.name, as: Int64.self, threads: 2).flatMap { withUnsafeBytes(of: $0, Array.init) }
        }
    }
    // MARK: the whole export at once (`decodeExport`, what `ExportReader` uses)

    /// Frames every file and decodes them together.
    private func decodeTogether(
        _ files: [(name: String, bytes: [UInt8])], columns: ExportColumns? = nil, threads: Int
    ) throws(SegmentError) -> Export {
        var framed: [SegmentFile] = []
        for (name, bytes) in files {
            framed.append(try SegmentFile(bytes: bytes, name: name, table: String(name.dropLast(".cwseg".count))))
        }
        return try ExportSegments.decodeExport(
            dictionaries: framed[0], tables: Array(framed.dropFirst()), columns: columns, threads: threads)
    }

    @Test(arguments: [1, 2, 3, 8])
    func wholeExportDecodesIdenticallyForAnyThreadCount(threads: Int) throws {
        let files = ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: 1)
        let decoded = try decodeTogether(files, threads: threads)
        expectSame(decoded, Self.sample)
        #expect(decoded.dictionaries.accounts.lookup("S3") == Self.sample.dictionaries.accounts.lookup("S3"))
    }

    /// With one or two faults, decoding everything at once reports the error a reader
    /// going file by file, column by column and block by block meets first.
    @Test func wholeExportReportsTheFirstErrorInReadingOrder() throws {
        let files = ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: 1)
        func bytes(_ table: String) -> [UInt8] { files.first { $0.name == "\(table).cwseg" }!.bytes }
        func flipping(_ table: String, _ column: String, block: Int) throws -> [UInt8] {
            var changed = bytes(table)
            let file = try SegmentFile(bytes: changed, name: "\(table).cwseg", table: table)
            let stored = file.footer.columns.first { $0.name == column }!.blocks[block]
            changed[stored.offset + stored.storedLength / 2] ^= 0x04
            return changed
        }
        let faults: [[String: [UInt8]]] = [
            ["orders": try flipping("orders", "created_at", block: 3)],
            ["orders": try flipping("orders", "created_at", block: 3), "dictionaries": try flipping("dictionaries", "devices.bytes", block: 0)],
            ["ratings": try flipping("ratings", "stars", block: 0), "orders": try rewritingFooter(bytes("orders")) { $0.columns[1].blocks[0].values -= 1 }],
            ["orders": try rewritingFooter(bytes("orders")) { $0.rows += 1 }],
            ["orders": try rewritingFooter(bytes("orders")) { $0.columns.remove(at: 4) }, "logistics": try flipping("logistics", "at", block: 0)],
            ["orders": try rewritingFooter(bytes("orders")) { $0.columns[6].blocks.removeLast() }],
            ["orders": try rewritingFooter(bytes("orders")) { $0.columns[0].type = .int32 }],
            ["dictionaries": try rewritingFooter(bytes("dictionaries"), table: "dictionaries") {
                $0.columns[$0.columns.firstIndex { $0.name == "devices.lengths" }!].blocks.removeLast()
            }],
        ]
        for (index, fault) in faults.enumerated() {
            let changed = files.map { (name: $0.name, bytes: fault[String($0.name.dropLast(".cwseg".count))] ?? $0.bytes) }
            var sequential: SegmentError?
            do { _ = try decode(changed, threads: 1) } catch { sequential = error }
            #expect(sequential != nil, "fault \(index)")
            for threads in [1, 2, 4] {
                var together: SegmentError?
                do { _ = try decodeTogether(changed, threads: threads) } catch { together = error }
                #expect(together == sequential, "fault \(index), \(threads) threads")
            }
        }
    }

    /// Key lengths that do not add up to a dictionary's key bytes are an error, the same
    /// from the whole-export load (lengths decoded into the key bounds) as from the
    /// dictionaries alone.
    @Test func keyLengthsThatDoNotAddUpAreAnError() throws {
        var files = ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: 1)
        let columns = ExportSegments.idSpaces.flatMap { space -> [SegmentColumnData] in
            let dictionary = Self.sample.dictionaries[keyPath: space.path]
            var lengths = (0..<dictionary.count).map { UInt32(dictionary.starts[$0 + 1] - dictionary.starts[$0]) }
            if space.name == "devices" { lengths[lengths.count / 2] += 1 }
            return [SegmentColumnData("\(space.name).lengths", lengths), SegmentColumnData("\(space.name).bytes", dictionary.keyBytes)]
        }
        files[0].bytes = SegmentWriter.file(table: ExportSegments.dictionaries, rows: 0, columns: columns, blockValues: 500, threads: 1)
        let expected = "key lengths add up to \(Self.sample.dictionaries.devices.keyBytes.count + 1) bytes"
        for threads in [1, 2] {
            #expect {
                try decodeTogether(files, threads: threads)
            } throws: { error in
                "\(error)".hasPrefix("dictionaries.cwseg: table dictionaries, column devices.lengths") && "\(error)".contains(expected)
            }
        }
        let dictionaries = try SegmentFile(bytes: files[0].bytes, name: files[0].name, table: ExportSegments.dictionaries)
        #expect { try ExportSegments.decodeDictionaries(dictionaries, threads: 2) } throws: { "\($0)".contains(expected) }
    }

    /// Every single-byte change of a small export decoded at once is an error or leaves
    /// the data exactly as it was.
    @Test func everyFlippedByteOfAWholeExportIsAnErrorOrHarmless() throws {
        let small = SampleExport.make(orders: 30, seed: 5)
        let files = ExportSegments.encode(small, rowGroupRows: 8, threads: 1)
        let reference = ExportSegments.encode(try decodeTogether(files, threads: 2), threads: 1).map(\.bytes)
        for (fileIndex, file) in files.enumerated() {
            for position in file.bytes.indices {
                for mask: UInt8 in [0x01, 0xFF] {
                    var changed = files
                    changed[fileIndex].bytes[position] ^= mask
                    guard let decoded = try? decodeTogether(changed, threads: 2) else { continue }
                    #expect(ExportSegments.encode(decoded, threads: 1).map(\.bytes) == reference, "\(file.name) byte \(position)")
                }
            }
        }
    }

    /// A footer that claims delta encoding for a column that is not 64-bit is refused
    /// (the delta decoder writes 8-byte values).
    @Test func deltaEncodingOfNarrowValuesIsRefused() throws {
        let crafted = try rewritingFooter(orders) { $0.columns[0].encoding = .deltaShuffled }
        guard case .malformedFooter = failure(crafted)?.problem else {
            Issue.record("expected a malformed footer, got \(String(describing: failure(crafted)))")
            return
        }
    }
    /// A footer naming an encoding this reader does not know is refused with the file,
    /// the table and the column in the message.
    @Test func unknownEncodingNamesFileTableAndColumn() throws {
        let bytes = orders
        let file = try SegmentFile(bytes: bytes, name: "orders.cwseg", table: "orders")
        let column = file.footer.columns[0]
        var footerBytes = file.footer.encoded()
        // table name (u16 length + bytes), rows u64, column count u32, column name, type u8: then the encoding.
        footerBytes[2 + "orders".utf8.count + 8 + 4 + 2 + column.name.utf8.count + 1] = 200
        let trailer = bytes.count - SegmentFormat.trailerSize
        let footerOffset = bytes.count - SegmentFormat.trailerSize - file.footer.encoded().count
        #expect(trailer - footerOffset == footerBytes.count)
        var crafted = Array(bytes[..<footerOffset])
        crafted.append(contentsOf: footerBytes)
        crafted.appendInteger(UInt64(footerOffset))
        crafted.appendInteger(UInt32(footerBytes.count))
        crafted.appendInteger(XXH32.digest(footerBytes))
        crafted.append(contentsOf: SegmentFormat.trailerMagic)
        let error = failure(crafted)
        #expect(error == SegmentError(file: "orders.cwseg", table: "orders", column: column.name, problem: .unknownEncoding(200)))
        #expect(error?.description == "orders.cwseg: table orders, column \(column.name): unknown encoding 200")
    }

    /// A load of some columns decodes exactly those (and checks only them): the rest of
    /// the export stays empty, and a fault in a column left out is not read.
    @Test func chosenColumnsAloneAreDecoded() throws {
        var files = ExportSegments.encode(Self.sample, rowGroupRows: 500, threads: 1)
        let chosen = ExportColumns(
            columns: ["orders": ["shop_id", "created_at"], "logistics": ["tracking_no"]], idSpaces: ["waybills"])
        for threads in [1, 3] {
            let decoded = try decodeTogether(files, columns: chosen, threads: threads)
            #expect(decoded.orders.shop == Self.sample.orders.shop && decoded.orders.createdAt == Self.sample.orders.createdAt)
            #expect(decoded.logistics.waybill == Self.sample.logistics.waybill)
            #expect(decoded.orders.buyer.isEmpty && decoded.logistics.at.isEmpty && decoded.ratings.stars.isEmpty)
            #expect(decoded.dictionaries.waybills.keys == Self.sample.dictionaries.waybills.keys)
            #expect(decoded.dictionaries.accounts.count == 0)
        }
        let orders = files.firstIndex { $0.name == "orders.cwseg" }!
        let file = try SegmentFile(bytes: files[orders].bytes, name: "orders.cwseg", table: "orders")
        for (column, isChosen) in [("buyer_id", false), ("shop_id", true)] {
            var changed = files
            let block = file.footer.columns.first { $0.name == column }!.blocks[0]
            changed[orders].bytes[block.offset + 1] ^= 0x40
            var error: SegmentError?
            do { _ = try decodeTogether(changed, columns: chosen, threads: 2) } catch let failure { error = failure }
            #expect((error?.column == column) == isChosen, "\(column)")
        }
        files.removeAll { $0.name == "ratings.cwseg" }
        #expect(try decodeTogether(files, columns: chosen, threads: 2).ratings.count == 0)
    }
}

/// Gathers a table's columns in the writer's default (compressed) encodings.
private struct CompressedColumns: ColumnVisitor {
    var columns: [SegmentColumnData] = []
    mutating func visit<T: SegmentValue>(_ name: String, _ values: inout Column<T>, _: ValueRule, rows _: Int) {
        columns.append(SegmentColumnData(name, values))
    }
}
