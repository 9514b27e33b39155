import CLZ4

/// LZ4-frame compression for test inputs (the engine itself only decompresses).
enum LZ4Frame {
    struct Failure: Error {}

    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(bytes.count, nil))
        let size = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { LZ4F_compressFrame(out.baseAddress, out.count, $0.baseAddress, $0.count, nil) }
        }
        guard LZ4F_isError(size) == 0 else { throw Failure() }
        return Array(output[..<size])
    }
}
