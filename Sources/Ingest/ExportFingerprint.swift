import Columnar

/// A hash of an export's files as stored (names and bytes), recorded with every run so
/// that two runs over the same data can be recognised, and a changed export noticed.
public enum ExportFingerprint {
    /// The files that make up an export, in the order they are hashed.
    public static let fileNames = ["orders", "ratings", "logistics", "accounts"].flatMap { ["\($0).csv", "\($0).csv.lz4"] }
        + (["dictionaries"] + ExportSegments.tables).map(ExportSegments.fileName)

    /// 16 hex digits over the bytes of every export file present in `folder`.
    public static func of(_ folder: String, files: any FileAccess = SystemFileAccess()) throws(IngestError) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 22, alignment: 16)
        defer { buffer.deallocate() }
        for name in fileNames {
            let path = folder + "/" + name
            guard files.exists(path) else { continue }
            hash = mix(hash, name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
            var source = try files.open(path, name: name)
            while true {
                let count = try source.read(into: buffer)
                if count == 0 { break }
                hash = mix(hash, IdDictionary.hash(UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        (hash ^ value) &* 0x0000_0100_0000_01B3 ^ (hash >> 29)
    }
}
