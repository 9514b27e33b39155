import CLZ4

/// The light encodings of `SegmentEncoding` and the LZ4 step around them, for one block.
/// The loops here are the only raw-memory code of the format; each has a plain
/// reference twin in `SegmentCodecTests`.
enum SegmentCodec {
    /// Compresses the values of `width` bytes at `raw`: a raw block is the bytes
    /// themselves, a plain one their LZ4 (`LZ4_compress_default`), the others the LZ4 of
    /// their light encoding, written into a buffer of their size.
    static func compress(_ raw: UnsafeRawBufferPointer, width: Int, encoding: SegmentEncoding) -> [UInt8] {
        let count = raw.count / width
        switch encoding {
        case .raw: return Array(raw)
        case .plain: return lz4(raw)
        case .shuffled, .deltaShuffled:
            let planes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(raw.count, 1), alignment: 16)
            defer { planes.deallocate() }
            if encoding == .shuffled {
                shuffle(raw, width: width, count: count, into: planes)
            } else {
                deltaShuffle(raw, count: count, into: planes)
            }
            return lz4(UnsafeRawBufferPointer(rebasing: planes[0..<raw.count]))
        }
    }

    /// `input` compressed by `LZ4_compress_default`.
    private static func lz4(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
            written = Int(LZ4_compress_default(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(input.count), Int32(bound)))
            precondition(written > 0 || input.isEmpty, "LZ4_compress_default failed within its own bound")
        }
    }

    /// Decodes a stored block into `destination` (exactly `values * width` bytes) and
    /// counts the values that fail `check` while they are still in registers (or, for a
    /// plain block, in the cache): LZ4 into `scratch` (or straight into `destination` when
    /// the encoding is plain), then one pass that undoes the light encoding. Returns the
    /// bytes LZ4 produced, which the caller compares with the expected size (LZ4 never
    /// writes past the buffer it is given, so a wrong size is an error, not an overflow),
    /// and the number of violations (0 when the size is wrong). A raw block, whose stored
    /// length the caller checked first (it must be exactly the expected size), is copied.
    static func decode(
        _ stored: UnsafeRawBufferPointer, type: SegmentValueType, encoding: SegmentEncoding, check: ValueCheck,
        scratch: BlockScratch, into destination: UnsafeMutableRawBufferPointer
    ) -> (produced: Int, violations: Int) {
        let width = type.width
        let target = encoding == .plain || encoding == .raw ? destination : scratch.bytes(destination.count)
        if encoding == .raw {
            precondition(stored.count == destination.count, "a raw block of the wrong length")
            // Checked in the copy (below): its values are aligned, the file's may not be.
            destination.copyMemory(from: stored)
        } else {
            let produced = Int(LZ4_decompress_safe(
                stored.baseAddress?.assumingMemoryBound(to: CChar.self),
                target.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(stored.count), Int32(target.count)))
            guard produced == destination.count else { return (produced, 0) }
        }
        guard !destination.isEmpty else { return (0, 0) }
        let count = destination.count / width
        let planes = target.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var violations: Int
        switch (encoding, width) {
        case (.shuffled, 4):
            violations = unshuffle4(planes, count: count, into: destination.baseAddress!.assumingMemoryBound(to: UInt32.self), check: check)
        case (.deltaShuffled, 8):
            violations = undeltaUnshuffle8(planes, count: count, into: destination.baseAddress!.assumingMemoryBound(to: Int64.self), check: check)
        default:
            // Plain blocks (u8 columns) and raw blocks are already in place; byte planes
            // of other widths are not written by this engine but are read all the same.
            // Delta blocks of other widths are refused by the footer decoder.
            if encoding == .shuffled { unshuffle(UnsafeRawBufferPointer(target), width: width, count: count, into: destination) }
            violations = check.isNeeded ? check.violations(in: UnsafeRawBufferPointer(destination), width: width) : 0
        }
        if check.rejectsAll { violations = count }
        return (destination.count, violations)
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
        case _ where count == 0: break
        case 4:
            _ = unshuffle4(planes.baseAddress!, count: count, into: output.baseAddress!.assumingMemoryBound(to: UInt32.self), check: .none)
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
        guard count > 0 else { return }
        _ = undeltaUnshuffle8(
            input.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count,
            into: output.baseAddress!.assumingMemoryBound(to: Int64.self), check: .none)
    }

    /// Assembles 32-bit words from four byte planes and counts those failing `check`, in
    /// one pass that vectorises.
    static func unshuffle4(
        _ planes: UnsafePointer<UInt8>, count: Int, into words: UnsafeMutablePointer<UInt32>, check: ValueCheck
    ) -> Int {
        let p0 = planes, p1 = planes + count, p2 = planes + 2 &* count, p3 = planes + 3 &* count
        guard check.isNeeded else {
            for index in 0..<count {
                words[index] = UInt32(p0[index]) | UInt32(p1[index]) << 8 | UInt32(p2[index]) << 16 | UInt32(p3[index]) << 24
            }
            return 0
        }
        let lower = UInt32(truncatingIfNeeded: check.lower), span = UInt32(truncatingIfNeeded: check.span)
        let missing = UInt32(truncatingIfNeeded: check.missing)
        var violations: UInt32 = 0
        for index in 0..<count {
            let word = UInt32(p0[index]) | UInt32(p1[index]) << 8 | UInt32(p2[index]) << 16 | UInt32(p3[index]) << 24
            words[index] = word
            violations &+= ValueCheck.failure(word, lower, span, missing)
        }
        return Int(violations)
    }

    /// The inverse of `deltaShuffle` with a count of values failing `check`, a chunk of
    /// 2048 values at a time: gathering the eight planes and undoing the zigzag
    /// vectorises; the running sum (and the check) then runs over the chunk in L1.
    static func undeltaUnshuffle8(
        _ planes: UnsafePointer<UInt8>, count: Int, into values: UnsafeMutablePointer<Int64>, check: ValueCheck
    ) -> Int {
        let p0 = planes, p1 = p0 + count, p2 = p1 + count, p3 = p2 + count
        let p4 = p3 + count, p5 = p4 + count, p6 = p5 + count, p7 = p6 + count
        var previous: Int64 = 0
        var violations = 0
        var start = 0
        while start < count {
            let end = min(start &+ 2048, count)
            for index in start..<end {
                let low = UInt64(p0[index]) | UInt64(p1[index]) << 8 | UInt64(p2[index]) << 16 | UInt64(p3[index]) << 24
                let high = UInt64(p4[index]) | UInt64(p5[index]) << 8 | UInt64(p6[index]) << 16 | UInt64(p7[index]) << 24
                let zigzag = low | high << 32
                values[index] = Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
            }
            for index in start..<end {
                previous &+= values[index]
                values[index] = previous
            }
            if check.isNeeded {
                violations &+= check.violations(in: UnsafeRawBufferPointer(start: values + start, count: (end &- start) &* 8), width: 8)
            }
            start = end
        }
        return violations
    }

    @inline(__always)
    private static func gather(_ planes: UnsafeBufferPointer<UInt8>, _ index: Int, _ count: Int) -> UInt64 {
        var word: UInt64 = 0
        for byte in 0..<8 { word |= UInt64(planes[byte &* count &+ index]) << (8 &* UInt64(byte)) }
        return word
    }
}

/// A `ValueRule` narrowed to the bits of one column type, so that the decoders check each
/// value with one subtraction and two compares in the value's own width (which
/// vectorises), instead of widening it to `Int64`. `failure` agrees with
/// `ValueRule.firstViolation` on every value of the type (tested).
struct ValueCheck: Sendable {
    /// False when the rule admits every value of the type: nothing to check.
    var isNeeded: Bool
    /// True when the rule admits no value of the type at all.
    var rejectsAll: Bool
    /// The lowest admitted value's bits, the admitted span above it, and the bits of the
    /// missing-value sentinel (the lowest value when there is none).
    var lower: UInt64
    var span: UInt64
    var missing: UInt64

    static let none = ValueCheck(isNeeded: false, rejectsAll: false, lower: 0, span: .max, missing: 0)

    private init(isNeeded: Bool, rejectsAll: Bool, lower: UInt64, span: UInt64, missing: UInt64) {
        self.isNeeded = isNeeded
        self.rejectsAll = rejectsAll
        self.lower = lower
        self.span = span
        self.missing = missing
    }

    init<T: SegmentValue>(_ rule: ValueRule, for _: T.Type) {
        let typeMin = Int64(T.min), typeMax = Int64(T.max)
        let low = max(rule.lower, typeMin), high = min(rule.upper, typeMax)
        let mask: UInt64 = T.bitWidth == 64 ? .max : (1 << UInt64(T.bitWidth)) &- 1
        let sentinel = rule.sentinel.flatMap { (typeMin...typeMax).contains($0) ? $0 : nil }
        if low > high {
            // Only the sentinel (if the type can hold it) is admitted.
            isNeeded = true
            rejectsAll = sentinel == nil
            lower = UInt64(bitPattern: sentinel ?? 0) & mask
            span = 0
            missing = lower
        } else {
            isNeeded = low != typeMin || high != typeMax
            rejectsAll = false
            lower = UInt64(bitPattern: low) & mask
            span = UInt64(bitPattern: high &- low)
            missing = sentinel.map { UInt64(bitPattern: $0) & mask } ?? lower
        }
    }

    /// 1 when the value with bits `value` fails (outside `lower ... lower + span` and not
    /// the sentinel), else 0. Two selects and an `&`, not `&&`: a branch would stop the
    /// loops around it from vectorising.
    @inline(__always)
    static func failure<U: FixedWidthInteger & UnsignedInteger>(_ value: U, _ lower: U, _ span: U, _ missing: U) -> UInt32 {
        let outside: UInt32 = value &- lower > span ? 1 : 0
        let present: UInt32 = value != missing ? 1 : 0
        return outside & present
    }

    /// The values of `width` bytes in `bytes` that fail.
    func violations(in bytes: UnsafeRawBufferPointer, width: Int) -> Int {
        switch width {
        case 1: count(bytes.bindMemory(to: UInt8.self))
        case 4: count(bytes.bindMemory(to: UInt32.self))
        default: count(bytes.bindMemory(to: UInt64.self))
        }
    }

    private func count<U: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<U>) -> Int {
        let lower = U(truncatingIfNeeded: self.lower), span = U(truncatingIfNeeded: self.span)
        let missing = U(truncatingIfNeeded: self.missing)
        var failures: UInt32 = 0
        for value in values { failures &+= Self.failure(value, lower, span, missing) }
        return Int(failures)
    }
}

/// Scratch memory of one worker, reused for every block it decodes (blocks are up to a
/// few MB: allocating one per block would fault fresh pages in each time): room for a
/// block's encoded bytes, and for its values on their way into a column of a wider type
/// (key lengths into key bounds).
final class BlockScratch {
    private var encoded = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var narrow = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// At least `count` bytes for a block's encoded bytes (contents undefined).
    func bytes(_ count: Int) -> UnsafeMutableRawBufferPointer { Self.room(&encoded, count) }

    /// Room for `count` values of type `T` before they are widened (contents undefined).
    func values<T: SegmentValue>(_ count: Int, as _: T.Type) -> UnsafeMutablePointer<T> {
        Self.room(&narrow, count * MemoryLayout<T>.stride).baseAddress!.bindMemory(to: T.self, capacity: count)
    }

    private static func room(_ buffer: inout UnsafeMutableRawBufferPointer, _ count: Int) -> UnsafeMutableRawBufferPointer {
        if buffer.count < count {
            buffer.deallocate()
            buffer = .allocate(byteCount: max(count, 4096), alignment: 64)
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
    }

    deinit {
        encoded.deallocate()
        narrow.deallocate()
    }
}
