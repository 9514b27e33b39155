import Columnar
import Foundation
import Ingest
import Testing
import TestSupport

@Suite struct SegmentExportReaderTests {
    private func writeNative(_ export: Export, into folder: TemporaryDirectory) throws {
        for (name, bytes) in ExportSegments.encode(export, rowGroupRows: 700, threads: 2) {
            try Data(bytes).write(to: URL(fileURLWithPath: folder.path(name)))
        }
    }

    /// Every file of `folder` by name, for a fake door.
    private func files(of folder: TemporaryDirectory) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            contents[name] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder.path(name))))
        }
        return contents
    }

    @Test func loadsNativeFilesIdenticallyForAnyThreadCount() throws {
        let folder = try TemporaryDirectory()
        let sample = SampleExport.make(orders: 5000, seed: 21)
        try writeNative(sample, into: folder)
        for threads in [1, 2, 5] {
            var reader = ExportReader()
            reader.threads = threads
            let loaded = try reader.load(folder.path)
            #expect(loaded.report.files.map(\.name) == ["dictionaries.cwseg", "orders.cwseg", "ratings.cwseg", "logistics.cwseg", "accounts.cwseg"])
            #expect(loaded.report.files[1].rows == 5000)
            #expect(loaded.report.files[1].segmentColumns.count == 12)
            #expect(ExportSegments.encode(loaded.export, threads: 1).map(\.bytes) == ExportSegments.encode(sample, threads: 1).map(\.bytes))
        }
    }

    /// The system door maps the files; a fake door's files are read into memory (with
    /// short reads here): the same export either way.
    @Test func mappedAndReadFilesLoadTheSameExport() throws {
        let folder = try TemporaryDirectory()
        let sample = SampleExport.make(orders: 3000, seed: 4)
        try writeNative(sample, into: folder)
        let mapped = try ExportReader().load(folder.path)
        let contents = try files(of: folder)
        let read = try ExportReader(files: MemoryFiles(contents, readLimit: 1000)).load(folder.path)
        let expected = ExportSegments.encode(sample, threads: 1).map(\.bytes)
        #expect(ExportSegments.encode(mapped.export, threads: 1).map(\.bytes) == expected)
        #expect(ExportSegments.encode(read.export, threads: 1).map(\.bytes) == expected)
        #expect(mapped.report.files.map(\.bytesRead) == read.report.files.map(\.bytesRead))
    }

    @Test func wholeFileOfTheSystemDoorHoldsTheFileBytes() throws {
        let folder = try TemporaryDirectory()
        let text = String(repeating: "0123456789abcdef", count: 1000) + "end"
        let path = try folder.write("some.bin", text)
        let mapped = try SystemFileAccess().wholeFile(path, name: "some.bin")
        #expect(Array(mapped.bytes) == Array(text.utf8))
        let empty = try SystemFileAccess().wholeFile(try folder.write("empty.bin", ""), name: "empty.bin")
        #expect(empty.count == 0)
        #expect(throws: IngestError.self) { try SystemFileAccess().wholeFile(folder.path("absent.bin"), name: "absent.bin") }
    }

    @Test func emptyOrUnreadableSegmentFileIsAnError() throws {
        let folder = try TemporaryDirectory()
        try writeNative(SampleExport.make(orders: 100, seed: 3), into: folder)
        try Data().write(to: URL(fileURLWithPath: folder.path("orders.cwseg")))
        #expect {
            try ExportReader().load(folder.path)
        } throws: { error in
            "\(error)".hasPrefix("orders.cwseg: table orders: truncated file (0 bytes)")
        }
        let contents = try files(of: folder)
        #expect(throws: IngestError(file: "dictionaries.cwseg", problem: .unreadable("Input/output error"))) {
            try ExportReader(files: MemoryFiles(contents, failAfter: 100)).load(folder.path)
        }
    }

    @Test func corruptBlockIsAnIngestErrorNamingFileTableColumnAndBlock() throws {
        let folder = try TemporaryDirectory()
        try writeNative(SampleExport.make(orders: 3000, seed: 2), into: folder)
        let path = folder.path("logistics.cwseg")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let file = try SegmentFile(bytes: bytes, name: "logistics.cwseg", table: "logistics")
        let block = file.footer.columns.first { $0.name == "at" }!.blocks[1]
        bytes[block.offset + block.storedLength - 1] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try ExportReader().load(folder.path)
        } throws: { error in
            "\(error)".hasPrefix("logistics.cwseg: table logistics, column at, block 1: checksum mismatch")
        }
    }

    @Test func csvBesideNativeFilesIsAmbiguous() throws {
        let folder = try TemporaryDirectory()
        try writeNative(SampleExport.make(orders: 10, seed: 1), into: folder)
        try folder.write("ratings.csv", "buyer_id,shop_id,stars,created_at\n")
        #expect(throws: IngestError(file: "ratings.csv", problem: .ambiguousFile("dictionaries.cwseg"))) {
            try ExportReader().load(folder.path)
        }
    }

    @Test func tableWithoutDictionariesIsAnError() throws {
        let folder = try TemporaryDirectory()
        try writeNative(SampleExport.make(orders: 10, seed: 1), into: folder)
        try FileManager.default.removeItem(atPath: folder.path("dictionaries.cwseg"))
        #expect(throws: IngestError(file: "dictionaries.cwseg", problem: .missingFile)) {
            try ExportReader().load(folder.path)
        }
    }
}
