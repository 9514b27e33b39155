import CLZ4
import TestSupport

/// LZ4-frame compression for test inputs (the engine itself only decompresses).
enum LZ4Frame {
    struct Failure: Error {}

    /// What a frame's header may declare (LZ4 frame format, `lz4frame.h`).
    struct Options {
        var linkedBlocks = true
        var blockChecksum = false
        var contentChecksum = false
        var contentSize = false
        /// 64 KB blocks, so that a small input spans several.
        var smallBlocks = false
    }

    static func compress(_ bytes: [UInt8], _ options: Options = Options()) throws -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockMode = options.linkedBlocks ? LZ4F_blockLinked : LZ4F_blockIndependent
        preferences.frameInfo.blockChecksumFlag = options.blockChecksum ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum
        preferences.frameInfo.contentChecksumFlag = options.contentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
        preferences.frameInfo.contentSize = options.contentSize ? UInt64(bytes.count) : 0
        preferences.frameInfo.blockSizeID = options.smallBlocks ? LZ4F_max64KB : LZ4F_max4MB
        var output = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(bytes.count, &preferences))
        let size = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { LZ4F_compressFrame(out.baseAddress, out.count, $0.baseAddress, $0.count, &preferences) }
        }
        guard LZ4F_isError(size) == 0 else { throw Failure() }
        return Array(output[..<size])
    }

    /// A skippable frame (magic 0x184D2A50 + `variant`) holding `payload`, which a
    /// reader must pass over.
    static func skippable(_ payload: [UInt8], variant: UInt8 = 0) -> [UInt8] {
        let size = UInt32(payload.count)
        return [0x50 | (variant & 0x0F), 0x2A, 0x4D, 0x18]
            + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)] + payload
    }

    /// `bytes` as one to three concatenated frames with randomly chosen options, and a
    /// skippable frame before or between them by chance: every shape a writer may give.
    static func compressAnyHow(_ bytes: [UInt8], random: inout SeededRandom) throws -> [UInt8] {
        var cuts = (0..<random.below(3)).map { _ in random.below(bytes.count + 1) }.sorted()
        cuts = [0] + cuts + [bytes.count]
        var out: [UInt8] = []
        for piece in 0..<(cuts.count - 1) {
            if random.chance(0.3) { out += skippable(Array("metadata".utf8), variant: UInt8(random.below(16))) }
            let options = Options(
                linkedBlocks: random.chance(0.5), blockChecksum: random.chance(0.5), contentChecksum: random.chance(0.5),
                contentSize: random.chance(0.5), smallBlocks: random.chance(0.7))
            out += try compress(Array(bytes[cuts[piece]..<cuts[piece + 1]]), options)
        }
        return out
    }
}
