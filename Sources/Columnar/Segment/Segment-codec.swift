import CLZ4

/// The light encodings of `SegmentEncoding` and the LZ4 step around them, for one block.
/// The loops here are the only raw-memory code of the format; each has a plain
/// reference twin in `SegmentCodecTests`.
enum SegmentCodec {
    /// Compresses `count` values of `width` bytes at `raw`: light encoding into
    /// `scratch` (at least `count * width` bytes), then `LZ4_compress_default`.
    static func compress(
        _ raw: UnsafeRawBufferPointer, width: Int, encoding: SegmentEncoding, scratch: UnsafeMutableRawBufferPointer
    ) -> [UInt8] {
        let count = raw.count / width
        let input: UnsafeRawBufferPointer
        switch encoding {
        case .plain: input = raw
        case .shuffled:
            shuffle(raw, width: width, count: count, into: scratch)
            input = UnsafeRawBufferPointer(rebasing: scratch[0..<raw.count])
        case .deltaShuffled:
            deltaShuffle(raw, count: count, into: scratch)
            input = UnsafeRawBufferPointer(rebasing: scratch[0..<raw.count])
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
            written = Int(LZ4_compress_default(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(input.count), Int32(bound)))
            precondition(written > 0 || input.isEmpty, "LZ4_compress_default failed within its own bound")
        }
    }

    /// Decompresses a stored block into `destination` (exactly `values * width` bytes);
    /// `scratch` holds the encoded bytes when the encoding is not plain. Returns the bytes
    /// LZ4 produced, which the caller compares with the expected size (LZ4 never writes
    /// past the buffer it is given, so a wrong size is an error, not an overflow).
    static func decompress(
        _ stored: UnsafeRawBufferPointer, width: Int, encoding: SegmentEncoding,
        scratch: UnsafeMutableRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) -> Int {
        let target = encoding == .plain ? destination : UnsafeMutableRawBufferPointer(rebasing: scratch[0..<destination.count])
        let produced = Int(LZ4_decompress_safe(
            stored.baseAddress?.assumingMemoryBound(to: CChar.self),
            target.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(stored.count), Int32(target.count)))
        guard produced == destination.count else { return produced }
        let count = destination.count / width
        switch encoding {
        case .plain: break
        case .shuffled: unshuffle(UnsafeRawBufferPointer(target), width: width, count: count, into: destination)
        case .deltaShuffled: undeltaUnshuffle(UnsafeRawBufferPointer(target), count: count, into: destination)
        }
        return produced
    }

    /// Byte planes: `output[b * count + i] = input[i * width + b]`.
    static func shuffle(_ input: UnsafeRawBufferPointer, width: Int, count: Int, into output: UnsafeMutableRawBufferPointer) {
        for byte in 0..<width {
            for index in 0..<count { output[byte &* count &+ index] = input[index &* width &+ byte] }
        }
    }

    /// The inverse of `shuffle`; widths 4 and 8 assemble whole words so the loop vectorises.
    static func unshuffle(_ input: UnsafeRawBufferPointer, width: Int, count: Int, into output: UnsafeMutableRawBufferPointer) {
        let planes = input.bindMemory(to: UInt8.self)
        switch width {
        case 4:
            let words = output.bindMemory(to: UInt32.self)
            for index in 0..<count {
                words[index] = UInt32(planes[index]) | UInt32(planes[count &+ index]) << 8
                    | UInt32(planes[2 &* count &+ index]) << 16 | UInt32(planes[3 &* count &+ index]) << 24
            }
        case 8:
            let words = output.bindMemory(to: UInt64.self)
            for index in 0..<count { words[index] = gather(planes, index, count) }
        default:
            for byte in 0..<width {
                for index in 0..<count { output[index &* width &+ byte] = planes[byte &* count &+ index] }
            }
        }
    }

    /// 64-bit values as zigzag differences from their predecessor (the first from 0),
    /// then shuffled.
    static func deltaShuffle(_ input: UnsafeRawBufferPointer, count: Int, into output: UnsafeMutableRawBufferPointer) {
        var previous: Int64 = 0
        for index in 0..<count {
            let value = input.loadUnaligned(fromByteOffset: index &* 8, as: Int64.self)
            let delta = value &- previous
            previous = value
            let zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            for byte in 0..<8 { output[byte &* count &+ index] = UInt8(truncatingIfNeeded: zigzag >> (8 &* UInt64(byte))) }
        }
    }

    /// The inverse of `deltaShuffle`: gather, un-zigzag, running sum.
    static func undeltaUnshuffle(_ input: UnsafeRawBufferPointer, count: Int, into output: UnsafeMutableRawBufferPointer) {
        let planes = input.bindMemory(to: UInt8.self)
        let values = output.bindMemory(to: Int64.self)
        var previous: Int64 = 0
        for index in 0..<count {
            let zigzag = gather(planes, index, count)
            previous &+= Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
            values[index] = previous
        }
    }

    @inline(__always)
    private static func gather(_ planes: UnsafeBufferPointer<UInt8>, _ index: Int, _ count: Int) -> UInt64 {
        var word: UInt64 = 0
        for byte in 0..<8 { word |= UInt64(planes[byte &* count &+ index]) << (8 &* UInt64(byte)) }
        return word
    }
}
