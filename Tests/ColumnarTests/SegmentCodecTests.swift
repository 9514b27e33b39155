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

    /// Reference values from the `xxhash` Python package (4.1.0): every path of the
    /// digest (under 4, 8 and 32 bytes, the 32-byte rounds with each kind of tail).
    @Test func xxh64KnownVectors() {
        #expect(XXH64.digest([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.digest(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.digest(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXH64.digest(Array("0123456789abcdef0123456789abcdef01234".utf8)) == 0x3F88_9232_C274_3804)
        #expect(XXH64.digest(Array(repeating: Array(0...255 as ClosedRange<UInt8>), count: 3).flatMap { $0 }) == 0x8E03_C838_C596_036F)
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
    /// `ValueCheck` (a rule in the value's own bits, which the decoders apply) fails
    /// exactly the values `ValueRule` rejects, for every column type.
    @Test func valueCheckAgreesWithValueRule() {
        let rules: [ValueRule] = [
            .any, .id(below: 0), .id(below: 1), .id(below: 5), .id(below: 300), .code(below: 3), ValueRule(1...5),
            ValueRule(0...Int64(Int32.max), orMissing: -1), ValueRule(0...1, orMissing: 255), ValueRule(-5...5),
            ValueRule(.min...0), ValueRule(0...Int64(UInt32.max)), ValueRule(300...400), ValueRule(300...400, orMissing: 7),
        ]
        var random = SeededRandom(seed: 12)
        let edges: [Int64] = [
            0, 1, -1, 4, 5, 6, 7, 255, 256, 299, 300, 400, 401, Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max), .max, .min,
        ]
        let values = edges + (0..<2000).map { _ in Int64(bitPattern: random.next()) >> Int64(random.below(64)) }
        for rule in rules {
            expectAgreement(rule, (0...255).map { UInt8($0) })
            expectAgreement(rule, values.map { Int32(truncatingIfNeeded: $0) })
            expectAgreement(rule, values.map { UInt32(truncatingIfNeeded: $0) })
            expectAgreement(rule, values)
        }
    }

    private func expectAgreement<T: SegmentValue>(_ rule: ValueRule, _ values: [T]) {
        let check = ValueCheck(rule, for: T.self)
        for value in values {
            let rejected = [value].withUnsafeBufferPointer { rule.firstViolation($0) } != nil
            let failed = check.rejectsAll
                || (check.isNeeded && [value].withUnsafeBytes { check.violations(in: $0, width: MemoryLayout<T>.size) } == 1)
            #expect(rejected == failed, "\(rule) \(T.self) \(value)")
        }
    }

    /// The decoders that check while they assemble values count exactly the values the
    /// rule rejects, across the delta decoder's chunk boundaries.
    @Test func fusedDecodersRestoreValuesAndCountViolations() {
        var random = SeededRandom(seed: 5)
        let idRule = ValueRule.id(below: 1000), timeRule = ValueRule(0...Int64.max)
        for count in [1, 7, 2047, 2048, 2049, 5000] {
            let ids = (0..<count).map { _ in random.below(50) == 0 ? IdDictionary.absent : UInt32(random.below(1010)) }
            var planes = [UInt8](repeating: 0, count: count * 4)
            ids.withUnsafeBytes { input in planes.withUnsafeMutableBytes { SegmentCodec.shuffle(input, width: 4, count: count, into: $0) } }
            var words = [UInt32](repeating: 0, count: count)
            let failures = planes.withUnsafeBufferPointer { planes in
                words.withUnsafeMutableBufferPointer {
                    SegmentCodec.unshuffle4(planes.baseAddress!, count: count, into: $0.baseAddress!, check: ValueCheck(idRule, for: UInt32.self))
                }
            }
            #expect(words == ids)
            #expect(failures == ids.filter { $0 != IdDictionary.absent && $0 >= 1000 }.count)

            let times = (0..<count).map { _ in Int64(random.below(1 << 40)) - (1 << 20) }
            var timePlanes = [UInt8](repeating: 0, count: count * 8)
            times.withUnsafeBytes { input in timePlanes.withUnsafeMutableBytes { SegmentCodec.deltaShuffle(input, count: count, into: $0) } }
            var restored = [Int64](repeating: 0, count: count)
            let negatives = timePlanes.withUnsafeBufferPointer { planes in
                restored.withUnsafeMutableBufferPointer {
                    SegmentCodec.undeltaUnshuffle8(planes.baseAddress!, count: count, into: $0.baseAddress!, check: ValueCheck(timeRule, for: Int64.self))
                }
            }
            #expect(restored == times)
            #expect(negatives == times.filter { $0 < 0 }.count)
        }
    }
}
