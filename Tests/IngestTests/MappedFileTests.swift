import Columnar
import Foundation
@testable import Ingest
import Testing

/// Plain files on disk are mapped (`ByteSource.mapWhole`) and framed in place: the same
/// export, report rows and errors as reading the same texts through `read` in chunks,
/// and the files themselves untouched by the in-place unquoting.
@Suite struct MappedFileTests {
    /// Writes `files` into a new temporary folder.
    static func folder(_ files: [String: String]) throws -> String {
        let path = NSTemporaryDirectory() + "creditwatch-mapped-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(path)/\(name)")) }
        return path
    }

    /// The export's orders, ratings and logistics as one comparable text, or the error.
    static func outcome(_ reader: ExportReader, _ folder: String) -> String {
        do {
            let loaded = try reader.load(folder)
            let export = loaded.export
            return "\(export.dictionaries.orders.keys) \(export.dictionaries.accounts.keys) \(export.orders.buyer) "
                + "\(export.orders.createdAt) \(export.dictionaries.addresses.keys) \(export.ratings.order) "
                + "\(export.dictionaries.waybills.keys) \(export.logistics.at) \(loaded.report.files.map(\.rows))"
        } catch {
            return error.description
        }
    }

    @Test(arguments: [7, 300, 1 << 20], [1, 2])
    func mappedFilesReadAsChunkedOnes(chunkSize: Int, threads: Int) throws {
        var lines = ""
        for row in 0..<400 {
            let address = row % 7 == 0 ? "\"street \(row)\nfloor \"\"\(row % 3)\"\"\"" : "a\(row % 50)"
            lines += "o\(row),b\(row % 31),s\(row % 5),i1,\(row).5,2026-11-01T08:\(10 + row % 40):00Z,,,paid,\(address),,,"
                + (row % 5 == 0 ? "\r\n" : "\n")
        }
        let good: [String: String] = [
            "orders.csv": ordersHeader + lines,
            "ratings.csv": "order_id,buyer_id,shop_id,stars,created_at\no3,b1,s1,5,2026-11-04T00:00:00Z\n",
            "logistics.csv": "tracking_no,order_id,courier_id,event,at,location,weight_g\n"
                + "w1,o1,c1,pickup,2026-11-01T10:00:00Z,hub7,850\nw1,o1,c1,signed,2026-11-02T10:00:00Z,,\n",
        ]
        var brokenLate = good
        brokenLate["orders.csv"] = ordersHeader + lines + "o9999,b1,s1,i1,1,2026-11-01T08:15:00Z,,,lost,a1,,,\n"
        var unclosed = good
        unclosed["orders.csv"] = ordersHeader + lines + "o9999,b1,s1,i1,1,2026-11-01T08:15:00Z,,,paid,\"a1,,,\n"
        for files in [good, brokenLate, unclosed] {
            let path = try Self.folder(files)
            defer { try? FileManager.default.removeItem(atPath: path) }
            var onDisk = ExportReader(chunkSize: chunkSize)
            onDisk.threads = threads
            var inMemory = ExportReader(files: MemoryFiles(texts: files), chunkSize: chunkSize)
            inMemory.threads = threads
            let mapped = Self.outcome(onDisk, path)
            #expect(mapped == Self.outcome(inMemory, path))
            for (name, text) in files {
                #expect(try String(contentsOfFile: "\(path)/\(name)", encoding: .utf8) == text, "\(name) changed on disk")
            }
        }
    }

    @Test func aMappedRecordLongerThanTheLimitIsTooLong() throws {
        let long = String(repeating: "x", count: CSVFileReader.maxLineBytes + 10)
        let files = ["orders.csv": ordersHeader + "o1,b1,s1,i1,1,2026-11-01T08:15:00Z,,,paid,\"\(long)\",,,\n"]
        let path = try Self.folder(files)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let message = Self.outcome(ExportReader(), path)
        #expect(message.contains("line longer than"))
        #expect(message == Self.outcome(ExportReader(files: MemoryFiles(texts: files)), path))
    }
}
