#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The fast path of record scanning: the bytes that can end or complicate a field
/// (`,` `\n` `"` `\r`) found 64 at a time as a bitmask (simdjson's stage 1, without the
/// quote-parity step), then walked with trailing-zero counts, so that a field costs a
/// few instructions whatever its length.
///
/// It handles only the common record: no quote, no carriage return, whole inside the
/// buffer with at least 64 bytes after its start. On anything else it answers
/// `nil`, and the caller scans that record with `CSVScanner.scanRecord`, which then
/// decides exactly as before (same spans, same errors).
struct StructuralCursor {
    /// Where the current 64-byte block starts.
    private var blockStart = 0
    /// The special bytes of the block not yet consumed, bit `i` for `blockStart + i`.
    private var mask: UInt64 = 0

    /// A cursor whose next special byte is the first at or after `position`.
    init(_ bytes: UnsafeRawBufferPointer, at position: Int) {
        seek(bytes, to: position)
    }

    /// Moves the cursor to `position` (after a record scanned by the slow path).
    mutating func seek(_ bytes: UnsafeRawBufferPointer, to position: Int) {
        blockStart = position
        mask = position &+ 64 <= bytes.count ? Self.specialBytes(bytes.baseAddress! + position) : 0
    }

    /// Scans the record starting at `start` (where the cursor stands) into `fields` and
    /// returns the start of the next record, or nil when the record needs the slow
    /// path (the cursor is then unspecified: `seek` it).
    @inline(__always)
    mutating func scanRecord(
        _ bytes: UnsafeRawBufferPointer, from start: Int, fields: inout FieldSpans
    ) -> Int? {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let limit = bytes.count
        var fieldStart = start
        fields.count = 0
        while true {
            while mask == 0 {
                blockStart &+= 64
                guard blockStart &+ 64 <= limit else { return nil }
                mask = Self.specialBytes(UnsafeRawPointer(base + blockStart))
            }
            let position = blockStart &+ mask.trailingZeroBitCount
            mask &= mask &- 1
            let byte = base[position]
            if byte == CSVScanner.comma {
                fields.append(fieldStart, position)
                fieldStart = position &+ 1
            } else if byte == CSVScanner.lineFeed {
                fields.append(fieldStart, position)
                return position &+ 1
            } else {
                return nil
            }
        }
    }

    /// Bit `i` set when byte `i` of the 64 at `pointer` is `,`, `\n`, `"` or `\r`: four
    /// compares per 16 bytes on x86-64; a byte loop elsewhere. The 64 bytes must be readable.
    @inline(__always)
    static func specialBytes(_ pointer: UnsafeRawPointer) -> UInt64 {
        #if arch(x86_64)
        // SSE2 (baseline x86-64; 256-bit intrinsics crash LLVM's -Onone builds without AVX2).
        let comma = _mm_set1_epi8(0x2C), lineFeed = _mm_set1_epi8(0x0A)
        let quote = _mm_set1_epi8(0x22), carriageReturn = _mm_set1_epi8(0x0D)
        func quarter(_ offset: Int) -> UInt64 {
            let v = pointer.loadUnaligned(fromByteOffset: offset, as: __m128i.self)
            let hits = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, lineFeed)),
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, carriageReturn)))
            return UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(hits)))
        }
        return quarter(0) | quarter(16) << 16 | quarter(32) << 32 | quarter(48) << 48
        #else
        return specialBytesReference(pointer)
        #endif
    }

    /// The plain reference of `specialBytes` (and its implementation off x86-64).
    static func specialBytesReference(_ pointer: UnsafeRawPointer) -> UInt64 {
        var bits: UInt64 = 0
        for index in 0..<64 {
            let byte = pointer.load(fromByteOffset: index, as: UInt8.self)
            if byte == CSVScanner.comma || byte == CSVScanner.lineFeed || byte == CSVScanner.quote
                || byte == CSVScanner.carriageReturn
            {
                bits |= 1 << UInt64(index)
            }
        }
        return bits
    }
}
