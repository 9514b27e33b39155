import Columnar
import Ingest
import TestSupport
import Testing

/// The export fingerprint: the same value for any thread count and read pattern, a new
/// one for any change of bytes, names or order; checked against a plain serial reference.
@Suite struct ExportFingerprintTests {
    /// The definition written plainly: per file present, in `fileNames` order, its name's
    /// hash and then each `chunkBytes`-byte chunk's hash, mixed in.
    static func reference(_ files: [String: [UInt8]], chunkBytes: Int) -> String {
        func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 { (hash ^ value) &* 0x0000_0100_0000_01B3 ^ (hash >> 29) }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for name in ExportFingerprint.fileNames {
            guard let bytes = files[name] else { continue }
            hash = mix(hash, name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
            for start in stride(from: 0, to: bytes.count, by: chunkBytes) {
                let chunk = Array(bytes[start..<min(start + chunkBytes, bytes.count)])
                hash = mix(hash, chunk.withUnsafeBytes { IdDictionary.hash($0) })
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func export(seed: UInt64) -> [String: [UInt8]] {
        var random = SeededRandom(seed: seed)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }
        return ["orders.csv": bytes(1000), "ratings.csv": bytes(64), "logistics.csv.lz4": bytes(333), "accounts.csv": []]
    }

    @Test(arguments: [1, 2, 3, 8, 64])
    func sameAsTheReferenceForAnyThreadsAndReads(chunkBytes: Int) throws {
        let files = Self.export(seed: UInt64(chunkBytes))
        let expected = Self.reference(files, chunkBytes: chunkBytes)
        for threads in [1, 2, 3, 4] {
            for readLimit in [1, 5, chunkBytes, Int.max] {
                let value = try ExportFingerprint.of(
                    "export", files: MemoryFiles(files, readLimit: readLimit), threads: threads, chunkBytes: chunkBytes)
                #expect(value == expected, "threads \(threads), reads of at most \(readLimit) bytes")
            }
        }
    }

    @Test func anyChangedByteOrNameGivesAnotherValue() throws {
        let files = Self.export(seed: 7)
        let original = try ExportFingerprint.of("export", files: MemoryFiles(files), threads: 2, chunkBytes: 16)
        var flipped = files
        flipped["orders.csv"]![999] ^= 1
        var renamed = files
        renamed["ratings.csv.lz4"] = renamed.removeValue(forKey: "ratings.csv")
        var moved = files
        moved["orders.csv"] = Array(files["orders.csv"]!.dropLast())
        moved["ratings.csv"] = [files["orders.csv"]!.last!] + files["ratings.csv"]!
        for changed in [flipped, renamed, moved] {
            #expect(try ExportFingerprint.of("export", files: MemoryFiles(changed), threads: 2, chunkBytes: 16) != original)
        }
    }

    @Test func errorNamesTheFile() {
        let files = MemoryFiles(Self.export(seed: 3), failAfter: 100)
        let error = #expect(throws: IngestError.self) { try ExportFingerprint.of("export", files: files, threads: 2, chunkBytes: 16) }
        #expect(error?.description.hasPrefix("orders.csv") == true, "\(String(describing: error))")
    }
}
