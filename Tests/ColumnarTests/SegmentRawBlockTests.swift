import TestSupport
import Testing

@testable import Columnar

/// Raw blocks (format version 2): the dictionaries' key bytes stored uncompressed, back to
/// back after the other blocks, and used in place by the whole-export load.
@Suite struct SegmentRawBlockTests {
    private static let sample = SampleExport.make(orders: 3000, seed: 11)
    private static let files = ExportSegments.encode(sample, rowGroupRows: 500, threads: 1)

    private func framed(_ files: [(name: String, bytes: [UInt8])]) throws(SegmentError) -> [SegmentFile] {
        var framed: [SegmentFile] = []
        for (name, bytes) in files {
            framed.append(try SegmentFile(bytes: bytes, name: name, table: String(name.dropLast(".cwseg".count))))
        }
        return framed
    }

    private func decodeTogether(_ files: [(name: String, bytes: [UInt8])], threads: Int = 2) throws(SegmentError) -> Export {
        let framed = try framed(files)
        return try ExportSegments.decodeExport(dictionaries: framed[0], tables: Array(framed.dropFirst()), threads: threads)
    }

    @Test func keyBytesAreRawAndBackToBackAfterTheOtherBlocks() throws {
        let file = try framed(Self.files)[0]
        let keyColumns = file.footer.columns.filter { $0.name.hasSuffix(".bytes") }
        let otherEnd = file.footer.columns.filter { !$0.name.hasSuffix(".bytes") }
            .flatMap(\.blocks).map { $0.offset + $0.storedLength }.max()!
        #expect(keyColumns.count == ExportSegments.idSpaces.count)
        for column in keyColumns where !column.blocks.isEmpty {
            #expect(column.encoding == .raw)
            let stretch = try #require(file.rawStretch(of: column), "\(column.name)")
            #expect(stretch.lowerBound >= otherEnd)
            #expect(stretch.count == column.rawBytes)
        }
        #expect(keyColumns.contains { $0.blocks.count > 1 })
    }

    /// The whole-export load keeps the keys in the file's bytes; adding a key copies them
    /// first, and the ids stay.
    @Test func keysInPlaceAreTheFileBytesUntilAKeyIsAdded() throws {
        let decoded = try decodeTogether(Self.files)
        for space in ExportSegments.idSpaces where Self.sample.dictionaries[keyPath: space.path].count > 0 {
            let dictionary = decoded.dictionaries[keyPath: space.path]
            #expect(dictionary.mappedKeys != nil, "\(space.name)")
            #expect(dictionary.keys == Self.sample.dictionaries[keyPath: space.path].keys)
        }
        var accounts = decoded.dictionaries.accounts
        let known = Self.sample.dictionaries.accounts.string(7)
        #expect(accounts.lookup(known) == 7)
        let added = accounts.intern("not an account of the sample")
        #expect(accounts.mappedKeys == nil)
        #expect(Int(added) == Self.sample.dictionaries.accounts.count)
        #expect(accounts.lookup(known) == 7 && accounts.string(7) == known)
        #expect(decoded.dictionaries.accounts.mappedKeys != nil && decoded.dictionaries.accounts.count == Int(added))
    }

    /// Reserving no more keys than it has leaves a dictionary's keys in place; reserving
    /// more copies them once, into capacity for the keys to come, and the ids stay.
    @Test func reservingRoomCopiesKeysInPlaceOnlyForMoreKeys() throws {
        var accounts = try decodeTogether(Self.files).dictionaries.accounts
        let sample = Self.sample.dictionaries.accounts
        accounts.reserveCapacity(accounts.count)
        #expect(accounts.mappedKeys != nil)
        accounts.reserveCapacity(accounts.count + 1000)
        #expect(accounts.mappedKeys == nil)
        #expect(accounts.arena.capacity > accounts.arenaUsed)
        #expect(accounts.keys == sample.keys)
        let added = accounts.intern("not an account of the sample")
        #expect(Int(added) == sample.count && accounts.lookup(sample.string(3)) == 3)
    }

    /// A flipped byte in a key block is a checksum error naming the column and block, the
    /// same from the whole-export load (in place) as from the dictionaries alone (copied).
    @Test func corruptKeyBlockNamesColumnAndBlock() throws {
        var files = Self.files
        let column = try framed(files)[0].footer.columns.first { $0.name == "orders.bytes" }!
        #expect(column.blocks.count > 2)
        files[0].bytes[column.blocks[1].offset + 3] ^= 0x20
        var together: SegmentError?
        do { _ = try decodeTogether(files) } catch { together = error }
        #expect(together?.column == "orders.bytes" && together?.block == 1)
        #expect(together?.description.hasPrefix("dictionaries.cwseg: table dictionaries, column orders.bytes, block 1: checksum mismatch") == true)
        let dictionaries = try framed(files)[0]
        #expect(throws: together!) { try ExportSegments.decodeDictionaries(dictionaries, threads: 2) }
    }

    /// The writer stores every table column raw but the logistics ids, each starting at a
    /// multiple of its width; the whole-export load views them in the file and they hold
    /// the sample's values, while the logistics ids are decoded into memory of their own.
    @Test func tableColumnsAreRawAlignedAndViewedInPlace() throws {
        let framed = try framed(Self.files)
        for file in framed.dropFirst() {
            for column in file.footer.columns {
                let isRaw = ExportSegments.storesRaw(file.footer.table, column.name)
                #expect((column.encoding == .raw) == isRaw, "\(file.name) \(column.name)")
                guard isRaw, let stretch = file.rawStretch(of: column) else { continue }
                #expect(stretch.lowerBound % column.type.width == 0, "\(file.name) \(column.name)")
            }
        }
        let decoded = try decodeTogether(Self.files)
        #expect(decoded.orders.device.isViewingFile && decoded.orders.createdAt.isViewingFile && decoded.orders.status.isViewingFile)
        #expect(decoded.logistics.at.isViewingFile && decoded.ratings.stars.isViewingFile && decoded.accounts.kind.isViewingFile)
        #expect(!decoded.logistics.waybill.isViewingFile && !decoded.logistics.order.isViewingFile)
        #expect(decoded.orders.device == Self.sample.orders.device && decoded.orders.createdAt == Self.sample.orders.createdAt)
        #expect(decoded.orders.status == Self.sample.orders.status && decoded.logistics.at == Self.sample.logistics.at)
        #expect(decoded.logistics.weightGrams == Self.sample.logistics.weightGrams && decoded.logistics.waybill == Self.sample.logistics.waybill)
        #expect(decoded.ratings.stars == Self.sample.ratings.stars && decoded.accounts.registeredAt == Self.sample.accounts.registeredAt)
    }

    /// Raw table columns at an address not aligned for their type (another writer's
    /// layout) are read all the same: decoded into memory of their own, not viewed.
    @Test func unalignedRawTableColumnsAreCopied() throws {
        var files = Self.files
        let orders = files.firstIndex { $0.name == "orders.cwseg" }!
        let file = try framed(files)[orders]
        let gapAt = file.footer.columns.first { $0.name == "created_at" }!.blocks[0].offset
        let footerOffset = files[orders].bytes.count - SegmentFormat.trailerSize - file.footer.encoded().count
        var footer = file.footer
        for column in footer.columns.indices {
            for block in footer.columns[column].blocks.indices where footer.columns[column].blocks[block].offset >= gapAt {
                footer.columns[column].blocks[block].offset += 1
            }
        }
        var moved = Array(files[orders].bytes[..<gapAt]) + [0] + Array(files[orders].bytes[gapAt..<footerOffset])
        SegmentWriter.appendFooter(footer, to: &moved)
        files[orders].bytes = moved
        let decoded = try decodeTogether(files)
        #expect(decoded.orders.amountCents.isViewingFile && !decoded.orders.createdAt.isViewingFile)
        #expect(!decoded.orders.device.isViewingFile && decoded.orders.status.isViewingFile)
        #expect(decoded.orders.createdAt == Self.sample.orders.createdAt && decoded.orders.device == Self.sample.orders.device)
        #expect(decoded.orders.status == Self.sample.orders.status && decoded.orders.amountCents == Self.sample.orders.amountCents)
    }

    /// A flipped byte in a raw table block is a checksum error naming file, table, column
    /// and block, the same from the whole-export load (in place) as from the table alone.
    @Test func corruptRawTableBlockNamesColumnAndBlock() throws {
        var files = Self.files
        let orders = files.firstIndex { $0.name == "orders.cwseg" }!
        let column = try framed(files)[orders].footer.columns.first { $0.name == "paid_at" }!
        #expect(column.encoding == .raw && column.blocks.count > 3)
        files[orders].bytes[column.blocks[2].offset + 5] ^= 0x08
        var together: SegmentError?
        do { _ = try decodeTogether(files) } catch { together = error }
        #expect(together?.description.hasPrefix("orders.cwseg: table orders, column paid_at, block 2: checksum mismatch") == true)
        var export = Self.sample
        let file = try framed(files)[orders]
        #expect(throws: together!) { try ExportSegments.decodeTable(file, into: &export, threads: 2) }
    }

    /// An id past its dictionary in a raw table block (checksum made to match: a crafted
    /// or buggy writer) is the rule's error, with the row, from the load in place.
    @Test func outOfRangeIdInARawBlockIsTheRuleError() throws {
        var files = Self.files
        let orders = files.firstIndex { $0.name == "orders.cwseg" }!
        let file = try framed(files)[orders]
        var footer = file.footer
        let index = footer.columns.firstIndex { $0.name == "device_id" }!
        let block = footer.columns[index].blocks[3]
        let devices = UInt32(Self.sample.dictionaries.devices.count)
        let position = block.offset + 7 * 4
        withUnsafeBytes(of: devices.littleEndian) { files[orders].bytes.replaceSubrange(position..<position + 4, with: $0) }
        footer.columns[index].blocks[3].checksum = files[orders].bytes[block.offset..<block.offset + block.storedLength]
            .withUnsafeBytes { SegmentFormat.blockChecksum($0, version: SegmentFormat.version) }
        let footerOffset = files[orders].bytes.count - SegmentFormat.trailerSize - file.footer.encoded().count
        var rewritten = Array(files[orders].bytes[..<footerOffset])
        SegmentWriter.appendFooter(footer, to: &rewritten)
        files[orders].bytes = rewritten
        let expected = SegmentError(
            file: "orders.cwseg", table: "orders", column: "device_id", block: 3,
            problem: .valueOutOfRange(row: 3 * 500 + 7, value: Int64(devices), limit: Int(devices) - 1))
        #expect(throws: expected) { try decodeTogether(files) }
    }

    /// Version 1 had no raw encoding: the same dictionaries file under version 1 is refused
    /// at its first raw column, named with the file and table.
    @Test func rawColumnInAVersionOneFileIsAnUnknownEncoding() throws {
        var bytes = Self.files[0].bytes
        let firstRaw = try framed(Self.files)[0].footer.columns.first { $0.encoding == .raw }!
        bytes[8] = 1
        var error: SegmentError?
        do { _ = try SegmentFile(bytes: bytes, name: "dictionaries.cwseg", table: "dictionaries") } catch let thrown { error = thrown }
        #expect(error == SegmentError(file: "dictionaries.cwseg", table: "dictionaries", column: firstRaw.name, problem: .unknownEncoding(3)))
        #expect(error?.description == "dictionaries.cwseg: table dictionaries, column \(firstRaw.name): unknown encoding 3")
    }

    /// Raw blocks not back to back in the file (another writer's layout) are read all the
    /// same: copied block by block, not used in place.
    @Test func rawBlocksApartAreCopied() throws {
        var files = Self.files
        let file = try framed(files)[0]
        let devices = file.footer.columns.first { $0.name == "devices.bytes" }!
        #expect(devices.blocks.count > 1)
        let gapAt = devices.blocks[1].offset
        let trailer = files[0].bytes.count - SegmentFormat.trailerSize
        let footerOffset = trailer - file.footer.encoded().count
        var footer = file.footer
        for column in footer.columns.indices {
            for block in footer.columns[column].blocks.indices where footer.columns[column].blocks[block].offset >= gapAt {
                footer.columns[column].blocks[block].offset += 5
            }
        }
        var moved = Array(files[0].bytes[..<gapAt]) + [0, 0, 0, 0, 0] + Array(files[0].bytes[gapAt..<footerOffset])
        SegmentWriter.appendFooter(footer, to: &moved)
        files[0].bytes = moved
        let reframed = try framed(files)[0]
        #expect(reframed.rawStretch(of: reframed.footer.columns.first { $0.name == "devices.bytes" }!) == nil)
        let decoded = try decodeTogether(files)
        #expect(decoded.dictionaries.devices.mappedKeys == nil)
        #expect(decoded.dictionaries.devices.keys == Self.sample.dictionaries.devices.keys)
        #expect(decoded.dictionaries.accounts.mappedKeys != nil)
        #expect(decoded.orders.device == Self.sample.orders.device)
    }

    /// A raw block whose stored length is not its values' size is an error, not a short
    /// or long copy.
    @Test func rawBlockOfTheWrongLengthIsAnError() throws {
        var files = Self.files
        let file = try framed(files)[0]
        let trailer = files[0].bytes.count - SegmentFormat.trailerSize
        let footerOffset = trailer - file.footer.encoded().count
        var footer = file.footer
        let index = footer.columns.firstIndex { $0.name == "items.bytes" }!
        footer.columns[index].blocks[0].values -= 1
        var crafted = Array(files[0].bytes[..<footerOffset])
        SegmentWriter.appendFooter(footer, to: &crafted)
        files[0].bytes = crafted
        let stored = footer.columns[index].blocks[0].storedLength
        let expected = SegmentError(
            file: "dictionaries.cwseg", table: "dictionaries", column: "items.bytes", block: 0,
            problem: .rawLength(expected: stored - 1, stored: stored))
        #expect(throws: expected) { try decodeTogether(files) }
        #expect(expected.description.hasSuffix("raw block of \(stored) bytes, expected \(stored - 1)"))
    }

    /// A raw column of wider values read alone (not by the whole-export load) is copied and
    /// checked against its rule like any other; the writer starts it at a multiple of its
    /// width (after a column of 2 bytes here), so that a load can also view it in place.
    @Test func rawColumnOfIdsIsCheckedAgainstItsRule() throws {
        var values = (0..<1000).map { UInt32($0 % 97) }
        values[400] = IdDictionary.absent
        func column(_ values: [UInt32]) throws -> [UInt32] {
            let flags = SegmentColumnData("flag", [UInt8](repeating: 1, count: 2))
            let bytes = SegmentWriter.file(
                table: "t", rows: 2, columns: [flags, SegmentColumnData("id", values, encoding: .raw)], blockValues: 64,
                threads: 2)
            let file = try SegmentFile(bytes: bytes, name: "t.cwseg", table: "t")
            #expect(file.footer.columns[1].blocks[0].offset % 4 == 0)
            return try file.column("id", as: UInt32.self, rule: .id(below: 97), threads: 2)
        }
        #expect(try column(values) == values)
        values[700] = 97
        #expect(throws: SegmentError(
            file: "t.cwseg", table: "t", column: "id", block: 10, problem: .valueOutOfRange(row: 700, value: 97, limit: 96)
        )) { try column(values) }
    }
}
