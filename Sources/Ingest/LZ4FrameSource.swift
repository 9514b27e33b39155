import CLZ4

/// The decompressed bytes of an LZ4-frame file (`orders.csv.lz4`), decoded a piece at a
/// time with `LZ4F_decompress`, so a compressed export is never held whole in memory.
/// A frame that ends early is a `truncatedLZ4` error, never a silently short file.
final class LZ4FrameSource: ByteSource {
    private var compressed: any ByteSource
    private let name: String
    private let context: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    /// `LZ4F_decompress`'s hint: 0 once a frame is complete, so the end of the file there
    /// is a clean end.
    private var expected = 1

    var bytesRead: Int { compressed.bytesRead }

    init(_ compressed: any ByteSource, name: String, inputSize: Int = 1 << 16) {
        self.compressed = compressed
        self.name = name
        var context: OpaquePointer?
        let code = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        precondition(LZ4F_isError(code) == 0 && context != nil, "cannot create an LZ4 decompression context")
        self.context = context!
        input = .allocate(byteCount: inputSize, alignment: 16)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        while true {
            if inputStart == inputEnd {
                inputStart = 0
                inputEnd = try compressed.read(into: input)
                if inputEnd == 0 {
                    if expected != 0 { throw IngestError(file: name, problem: .truncatedLZ4) }
                    return 0
                }
            }
            var produced = buffer.count
            var consumed = inputEnd - inputStart
            let hint = LZ4F_decompress(
                context, buffer.baseAddress, &produced, input.baseAddress! + inputStart, &consumed, nil)
            if LZ4F_isError(hint) != 0 {
                throw IngestError(file: name, problem: .corruptLZ4(String(cString: LZ4F_getErrorName(hint))))
            }
            inputStart += consumed
            expected = hint
            if produced > 0 { return produced }
        }
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        input.deallocate()
    }
}
