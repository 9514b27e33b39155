import CLZ4

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a generated export could not be written.
public struct ExportWriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// One output file of the export, plain or as an LZ4 frame (`NAME.csv.lz4`). This is the
/// generator's only door to the file system: every byte written goes through here.
final class ExportFile {
    let path: String
    private let descriptor: Int32
    private var context: OpaquePointer?
    private var compressed: [UInt8] = []

    init(folder: String, name: String, compress: Bool) throws {
        path = folder + "/" + name + (compress ? ".csv.lz4" : ".csv")
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw ExportWriteError(path: path, reason: String(cString: strerror(errno))) }
        guard compress else { return }
        var created: OpaquePointer?
        try check(LZ4F_createCompressionContext(&created, UInt32(LZ4F_VERSION)))
        context = created
        compressed = [UInt8](repeating: 0, count: Int(LZ4F_HEADER_SIZE_MAX))
        let size = try check(compressed.withUnsafeMutableBytes {
            LZ4F_compressBegin(context, $0.baseAddress, $0.count, nil)
        })
        try compressed.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    }

    /// Appends `bytes` to the file (compressing them when the file is an LZ4 frame).
    func write(_ buffer: CSVBuffer) throws { try buffer.withBytes { try write($0) } }

    /// Appends `bytes` to the file (compressing them when the file is an LZ4 frame).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let context else { return try writeAll(bytes) }
        let bound = LZ4F_compressBound(bytes.count, nil)
        if compressed.count < bound { compressed = [UInt8](repeating: 0, count: bound) }
        let size = try check(compressed.withUnsafeMutableBytes { output in
            LZ4F_compressUpdate(context, output.baseAddress, output.count, bytes.baseAddress, bytes.count, nil)
        })
        try compressed.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    }

    /// Ends the LZ4 frame if any and closes the file.
    func close() throws {
        defer {
            if let context { LZ4F_freeCompressionContext(context) }
            context = nil
            _ = Glibc.close(descriptor)
        }
        guard let context else { return }
        let bound = LZ4F_compressBound(0, nil)
        if compressed.count < bound { compressed = [UInt8](repeating: 0, count: bound) }
        let size = try check(compressed.withUnsafeMutableBytes {
            LZ4F_compressEnd(context, $0.baseAddress, $0.count, nil)
        })
        try compressed.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ExportWriteError(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    @discardableResult
    private func check(_ result: Int) throws -> Int {
        if LZ4F_isError(result) != 0 {
            throw ExportWriteError(path: path, reason: "lz4: " + String(cString: LZ4F_getErrorName(result)))
        }
        return result
    }
}
