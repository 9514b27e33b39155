/// xxHash32 (Yann Collet's XXH32, seed 0 unless given): the checksum of a `.cwseg`
/// file's footer, and of every block in format version 1 (version 2 blocks use `XXH64`).
/// It is the checksum LZ4 frames use, fast enough to verify on every load (several GB/s
/// per core), and it catches flipped bits before a block reaches the decompressor.
public enum XXH32 {
    @usableFromInline static let prime1: UInt32 = 2_654_435_761
    @usableFromInline static let prime2: UInt32 = 2_246_822_519
    @usableFromInline static let prime3: UInt32 = 3_266_489_917
    @usableFromInline static let prime4: UInt32 = 668_265_263
    @usableFromInline static let prime5: UInt32 = 374_761_393

    /// The XXH32 digest of `bytes`.
    public static func digest(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        let count = bytes.count
        var offset = 0
        var hash: UInt32
        if count >= 16 {
            var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
            while offset + 16 <= count {
                v1 = round(v1, bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
                v2 = round(v2, bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian)
                v3 = round(v3, bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian)
                v4 = round(v4, bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self).littleEndian)
                offset &+= 16
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
        } else {
            hash = seed &+ prime5
        }
        hash &+= UInt32(truncatingIfNeeded: count)
        while offset + 4 <= count {
            hash &+= bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian &* prime3
            hash = rotate(hash, 17) &* prime4
            offset &+= 4
        }
        while offset < count {
            hash &+= UInt32(bytes[offset]) &* prime5
            hash = rotate(hash, 11) &* prime1
            offset &+= 1
        }
        hash ^= hash >> 15
        hash &*= prime2
        hash ^= hash >> 13
        hash &*= prime3
        hash ^= hash >> 16
        return hash
    }

    /// The XXH32 digest of `bytes`.
    public static func digest(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { digest($0, seed: seed) }
    }

    @inline(__always)
    static func round(_ accumulator: UInt32, _ lane: UInt32) -> UInt32 {
        rotate(accumulator &+ lane &* prime2, 13) &* prime1
    }

    @inline(__always)
    static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { (value << count) | (value >> (32 &- count)) }
}

/// xxHash64 (Yann Collet's XXH64, seed 0 unless given): in format version 2 a block's
/// checksum is its low 32 bits (`SegmentFormat.blockChecksum`). It hashes 32 bytes per
/// round where XXH32 hashes 16, about twice as fast, and every load verifies about 1 GB
/// of blocks at 10M orders (XXH32 took 15% of such a load's CPU).
public enum XXH64 {
    @usableFromInline static let prime1: UInt64 = 11_400_714_785_074_694_791
    @usableFromInline static let prime2: UInt64 = 14_029_467_366_897_019_727
    @usableFromInline static let prime3: UInt64 = 1_609_587_929_392_839_161
    @usableFromInline static let prime4: UInt64 = 9_650_029_242_287_828_579
    @usableFromInline static let prime5: UInt64 = 2_870_177_450_012_600_261

    /// The XXH64 digest of `bytes`.
    public static func digest(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        var offset = 0
        var hash: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
            while offset &+ 32 <= count {
                v1 = round(v1, word(bytes, offset))
                v2 = round(v2, word(bytes, offset &+ 8))
                v3 = round(v3, word(bytes, offset &+ 16))
                v4 = round(v4, word(bytes, offset &+ 24))
                offset &+= 32
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            hash = merge(hash, v1)
            hash = merge(hash, v2)
            hash = merge(hash, v3)
            hash = merge(hash, v4)
        } else {
            hash = seed &+ prime5
        }
        hash &+= UInt64(truncatingIfNeeded: count)
        while offset &+ 8 <= count {
            hash ^= round(0, word(bytes, offset))
            hash = rotate(hash, 27) &* prime1 &+ prime4
            offset &+= 8
        }
        if offset &+ 4 <= count {
            hash ^= UInt64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian) &* prime1
            hash = rotate(hash, 23) &* prime2 &+ prime3
            offset &+= 4
        }
        while offset < count {
            hash ^= UInt64(bytes[offset]) &* prime5
            hash = rotate(hash, 11) &* prime1
            offset &+= 1
        }
        hash ^= hash >> 33
        hash &*= prime2
        hash ^= hash >> 29
        hash &*= prime3
        hash ^= hash >> 32
        return hash
    }

    /// The XXH64 digest of `bytes`.
    public static func digest(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { digest($0, seed: seed) }
    }

    @inline(__always)
    static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
    }

    @inline(__always)
    static func round(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        rotate(accumulator &+ lane &* prime2, 31) &* prime1
    }

    @inline(__always)
    static func merge(_ hash: UInt64, _ lane: UInt64) -> UInt64 { (hash ^ round(0, lane)) &* prime1 &+ prime4 }

    @inline(__always)
    static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 &- count)) }
}
