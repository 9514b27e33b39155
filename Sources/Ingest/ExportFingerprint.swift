import Columnar

/// A hash of an export's files as stored (names and bytes), recorded with every run so
/// that two runs over the same data can be recognised, and a changed export noticed.
///
/// Each file's bytes are hashed in fixed chunks (`chunkBytes`) and the chunk hashes mixed
/// in file order, so the chunks of a batch can be hashed on several cores and the value
/// is the same for any thread count and however the file system splits its reads.
public enum ExportFingerprint {
    /// The files that make up an export, in the order they are hashed.
    public static let fileNames = ExportTable.fileNames + (["dictionaries"] + ExportSegments.tables).map(ExportSegments.fileName)

    /// The bytes hashed as one unit: 4 MiB.
    public static let chunkBytes = 1 << 22

    /// 16 hex digits over the bytes of every export file present in `folder`, its chunks
    /// hashed on up to `threads` cores (at most 8: past that the page cache's reads, not the
    /// hashing, set the pace, and each core's two chunks take memory).
    public static func of(
        _ folder: String, files: any FileAccess = SystemFileAccess(), threads: Int = 1, chunkBytes: Int = chunkBytes
    ) throws(IngestError) -> String {
        let batch = min(max(1, threads), 8) * 2
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes * batch, alignment: 16)
        defer { buffer.deallocate() }
        let chunks = ChunkBuffer(buffer, chunkBytes: chunkBytes)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for name in fileNames {
            let path = folder + "/" + name
            guard files.exists(path) else { continue }
            hash = mix(hash, name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
            var source = try files.open(path, name: name)
            var atEnd = false
            while !atEnd {
                var lengths: [Int] = []
                while lengths.count < batch && !atEnd {
                    let filled = try fill(chunks.chunk(lengths.count, count: chunkBytes), from: &source)
                    if filled > 0 { lengths.append(filled) }
                    atEnd = filled < chunkBytes
                }
                let filledLengths = lengths
                let hashes = ConcurrentTasks.map(count: lengths.count, threads: threads) { index in
                    IdDictionary.hash(UnsafeRawBufferPointer(chunks.chunk(index, count: filledLengths[index])))
                }
                hash = hashes.reduce(hash, mix)
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Reads until `chunk` is full or the file ends; the number of bytes read.
    private static func fill(
        _ chunk: UnsafeMutableRawBufferPointer, from source: inout any ByteSource
    ) throws(IngestError) -> Int {
        var filled = 0
        while filled < chunk.count {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    private static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        (hash ^ value) &* 0x0000_0100_0000_01B3 ^ (hash >> 29)
    }
}

/// The batch buffer, cut into chunks that the hashing tasks read side by side.
private struct ChunkBuffer: @unchecked Sendable {
    let base: UnsafeMutableRawBufferPointer
    let chunkBytes: Int

    init(_ base: UnsafeMutableRawBufferPointer, chunkBytes: Int) {
        self.base = base
        self.chunkBytes = chunkBytes
    }

    func chunk(_ index: Int, count: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: base[index * chunkBytes..<index * chunkBytes + count])
    }
}
