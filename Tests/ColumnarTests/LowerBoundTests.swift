import Columnar
import Testing
import TestSupport

/// `lowerBound` against its plain reference: the first position of the range, scanned
/// from the left, whose element is not below the key.
@Suite struct LowerBoundTests {
    static func linear(_ key: Int, in values: [Int], _ range: Range<Int>) -> Int {
        range.first { values[$0] >= key } ?? range.upperBound
    }

    @Test func agreesWithALinearScanOnRandomSortedColumns() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...40, using: &random)
            let spread = Int.random(in: 1...8, using: &random)
            let values = (0..<count).map { _ in Int.random(in: 0..<spread, using: &random) }.sorted()
            let start = Int.random(in: 0...count, using: &random), end = Int.random(in: start...count, using: &random)
            for key in -1...spread {
                #expect(values.lowerBound(of: key) == Self.linear(key, in: values, 0..<count))
                #expect(values.lowerBound(of: key, in: start..<end) == Self.linear(key, in: values, start..<end))
                #expect(values.lowerBound { $0 < key } == Self.linear(key, in: values, 0..<count))
            }
        }
    }

    @Test func edges() {
        let empty: [UInt32] = []
        #expect(empty.lowerBound(of: 3) == 0)
        let equal = [UInt64](repeating: 5, count: 9)
        #expect(equal.lowerBound(of: 5) == 0)
        #expect(equal.lowerBound(of: 4) == 0)
        #expect(equal.lowerBound(of: 6) == 9)
        #expect(equal.lowerBound(of: 6, in: 2..<4) == 4)
        #expect(equal.lowerBound(of: 5, in: 3..<3) == 3)
        let ascending = [1, 3, 3, 7]
        #expect(ascending.lowerBound(of: 0) == 0)
        #expect(ascending.lowerBound(of: 8) == 4)
        #expect(ascending.lowerBound(of: 2) == 1)
        #expect(ascending.lowerBound(of: 3) == 1)
        #expect(ascending.lowerBound(of: 4) == 3)
    }

    @Test func searchesAnUnsafeBufferAndASlice() {
        let keys: [UInt32] = [0, 0, 2, 4, 4, 4, 9]
        keys.withUnsafeBufferPointer { buffer in
            #expect(buffer.lowerBound { Int($0) < 4 } == 3)
            #expect(buffer.lowerBound { Int($0) < 10 } == buffer.count)
        }
        let slice = keys[2...]
        #expect(slice.lowerBound(of: 4) == 3)
        #expect(slice.lowerBound(of: 0) == 2)
    }
}
