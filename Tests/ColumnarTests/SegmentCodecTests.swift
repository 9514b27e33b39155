import CLZ4
import TestSupport
import Testing

@testable import Columnar

@Suite struct SegmentCodecTests {
    @Test func xxh32KnownVectors() {
        #expect(XXH32.digest([]) == 0x02CC_5D05)
        #expect(XXH32.digest(Array("a".utf8)) == 0x550D_7456)
        #expect(XXH32.digest(Array("abc".utf8)) == 0x32D1_53FF)
    }

    /// LZ4 frames carry the XXH32 of their content: liblz4 is an independent reference.
    @Test func xxh32AgreesWithLZ4FrameChecksum() {
        var random = SeededRandom(seed: 7)
        for length in Array(0...70) + [255, 1000, 4099] {
            let content = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(XXH32.digest(content) == lz4FrameContentChecksum(content), "length \(length)")
        }
    }

    private func lz4FrameContentChecksum(_ content: [UInt8]) -> UInt32 {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        let bound = LZ4F_compressFrameBound(content.count, &preferences)
        var frame = [UInt8](repeating: 0, count: bound)
        let size = content.withUnsafeBytes { input in
            frame.withUnsafeMutableBytes { output in
                LZ4F_compressFrame(output.baseAddress, bound, input.baseAddress, content.count, &preferences)
            }
        }
        let end = Int(size)
        return UInt32(frame[end - 4]) | UInt32(frame[end - 3]) << 8 | UInt32(frame[end - 2]) << 16 | UInt32(frame[end - 1]) << 24
    }

    @Test(arguments: [1, 4, 8])
    func shuffleMatchesPlainReference(width: Int) {
        var random = SeededRandom(seed: UInt64(width))
        for count in [0, 1, 7, 1000] {
            let input = (0..<count * width).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var reference = [UInt8](repeating: 0, count: input.count)
            for index in 0..<count { for byte in 0..<width { reference[byte * count + index] = input[index * width + byte] } }
            var shuffled = [UInt8](repeating: 0, count: input.count)
            var restored = [UInt8](repeating: 0, count: input.count)
            input.withUnsafeBytes { input in
                shuffled.withUnsafeMutableBytes { SegmentCodec.shuffle(input, width: width, count: count, into: $0) }
            }
            #expect(shuffled == reference)
            shuffled.withUnsafeBytes { planes in
                restored.withUnsafeMutableBytes { SegmentCodec.unshuffle(planes, width: width, count: count, into: $0) }
            }
            #expect(restored == input)
        }
    }

    @Test func deltaMatchesPlainReference() {
        var random = SeededRandom(seed: 3)
        let values: [Int64] = [0, .min, .max, -1, 1, Missing.time] + (0..<1000).map { _ in Int64(bitPattern: random.next()) >> Int64(random.below(64)) }
        var planes = [UInt8](repeating: 0, count: values.count * 8)
        var restored = [Int64](repeating: 0, count: values.count)
        values.withUnsafeBytes { input in
            planes.withUnsafeMutableBytes { SegmentCodec.deltaShuffle(input, count: values.count, into: $0) }
        }
        var previous: Int64 = 0
        for (index, value) in values.enumerated() {
            let delta = value &- previous
            previous = value
            let zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            for byte in 0..<8 { #expect(planes[byte * values.count + index] == UInt8(truncatingIfNeeded: zigzag >> (8 * UInt64(byte)))) }
        }
        planes.withUnsafeBytes { planes in
            restored.withUnsafeMutableBytes { SegmentCodec.undeltaUnshuffle(planes, count: values.count, into: $0) }
        }
        #expect(restored == values)
    }

    @Test func valueRuleFindsTheFirstViolation() {
        let rule = ValueRule.id(below: 10)
        let values: [UInt32] = [0, 9, IdDictionary.absent, 10, 3, 11]
        #expect(values.withUnsafeBufferPointer { rule.firstViolation($0) } == 3)
        #expect(values.prefix(3).withUnsafeBufferPointer { rule.firstViolation($0) } == nil)
        let stars: [UInt8] = [1, 5, 0]
        #expect(stars.withUnsafeBufferPointer { ValueRule(1...5).firstViolation($0) } == 2)
    }
}
