import Testing
import TestSupport

@testable import Detection

/// `SortedKeys` against plain references.
@Suite struct SortedKeysTests {
    /// The runs cover every position once, in order, each a maximal stretch of one key.
    @Test(arguments: 0..<20) func runsAreTheMaximalStretchesOfOneKey(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 900)
        let keys = (0..<Int(random.next() % 60)).map { _ in UInt32(random.next() % 6) }.sorted()
        var runs: [(key: UInt32, run: Range<Int>)] = []
        SortedKeys.forEachRun(count: keys.count, key: { keys[$0] }) { key, run in runs.append((key, run)) }
        #expect(runs.map(\.run.lowerBound) == [0] + runs.dropLast().map(\.run.upperBound))
        #expect(runs.last?.run.upperBound ?? 0 == keys.count)
        #expect(runs.map(\.key) == Array(Set(keys)).sorted())
        for (key, run) in runs {
            #expect(keys[run].allSatisfy { $0 == key })
        }
    }
}
