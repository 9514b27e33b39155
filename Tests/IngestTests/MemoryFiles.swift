import Columnar
import Ingest

/// An export held in memory behind the `FileAccess` seam, with optional faults: reads
/// that return at most `readLimit` bytes, and a read that fails after `failAfter` bytes.
struct MemoryFiles: FileAccess {
    var files: [String: [UInt8]]
    var readLimit = Int.max
    var failAfter: Int?

    init(_ files: [String: [UInt8]], readLimit: Int = .max, failAfter: Int? = nil) {
        self.files = files
        self.readLimit = readLimit
        self.failAfter = failAfter
    }

    init(texts: [String: String]) {
        self.init(texts.mapValues { Array($0.utf8) })
    }

    func exists(_ path: String) -> Bool { files[Self.name(path)] != nil }

    func open(_ path: String, name: String) throws(IngestError) -> any ByteSource {
        MemoryFile(bytes: files[Self.name(path)]!, name: name, readLimit: readLimit, failAfter: failAfter)
    }

    private static func name(_ path: String) -> String { String(path.split(separator: "/").last!) }
}

private struct MemoryFile: ByteSource {
    let bytes: [UInt8]
    let name: String
    let readLimit: Int
    let failAfter: Int?
    var bytesRead = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        if let failAfter, bytesRead >= failAfter {
            throw IngestError(file: name, problem: .unreadable("Input/output error"))
        }
        let count = min(buffer.count, readLimit, bytes.count - bytesRead)
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + bytesRead, byteCount: count)
        }
        bytesRead += count
        return count
    }
}

/// The export of `files` (name -> CSV text), read with `chunkSize`-byte chunks (only
/// `columns`, when given; on `threads` cores, when given).
func load(
    _ files: [String: String], chunkSize: Int = 7, columns: ExportColumns? = nil, threads: Int? = nil
) throws(IngestError) -> LoadedExport {
    var reader = ExportReader(files: MemoryFiles(texts: files), chunkSize: chunkSize)
    if let threads { reader.threads = threads }
    return try reader.load("export", columns: columns)
}

/// The message of the error that loading `files` stops with, or nil when it loads.
func loadError(_ files: [String: String], chunkSize: Int = 7, columns: ExportColumns? = nil, threads: Int? = nil) -> String? {
    do {
        _ = try load(files, chunkSize: chunkSize, columns: columns, threads: threads)
        return nil
    } catch {
        return error.description
    }
}

let ordersHeader = "order_id,buyer_id,shop_id,item_id,amount,created_at,paid_at,confirmed_at,status,ship_to,device_id,ip,payment_id\n"

/// `orders.csv` with a valid first order and then `rows`.
func orders(_ rows: String...) -> String {
    ordersHeader + "o1,b1,s1,i1,19.90,2026-11-01T08:15:00Z,,,paid,a1,,,\n" + rows.map { $0 + "\n" }.joined()
}
