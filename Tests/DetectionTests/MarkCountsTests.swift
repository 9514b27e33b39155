import Columnar
import Testing
import TestSupport

@testable import Detection

@Suite struct MarkCountsTests {
    /// Plain reference: per entity its rows, and per mark those on a waybill carrying it,
    /// one `if` per mark.
    static func reference(entityOf: [UInt32], waybillOf: [UInt32]?, entityCount: Int, marks: [WaybillMarks]) -> [[UInt32]] {
        let named: [WaybillMarks] = [.shipped, .empty, .signedAtCounter, .reusedNumber, .weightless, .conclusive, .bought, .remoteStart]
        var counts = [[UInt32]](repeating: [UInt32](repeating: 0, count: entityCount), count: named.count)
        for row in entityOf.indices {
            let entity = Int(entityOf[row]), waybill = waybillOf.map { Int($0[row]) } ?? row
            guard entity < entityCount, waybill < marks.count else { continue }
            for (lane, mark) in named.enumerated() where marks[waybill].contains(mark) { counts[lane][entity] += 1 }
        }
        return counts
    }

    static func lanes(_ counts: MarkCounts) -> [[UInt32]] {
        [counts.total, counts.empty, counts.signedAtCounter, counts.reusedNumber, counts.weightless, counts.conclusive, counts.bought, counts.remoteStart]
    }

    /// The vector kernel against the reference on random rows: every mark byte, absent and
    /// out-of-range entities and waybills, rows through a waybill column and direct.
    @Test func countsMatchReference() {
        var random = SeededRandom(seed: 8)
        for trial in 0..<30 {
            let entityCount = 1 + Int(random.next() % 40), waybillCount = 1 + Int(random.next() % 300)
            let marks = (0..<waybillCount).map { _ in WaybillMarks(rawValue: UInt8(truncatingIfNeeded: random.next())) }
            let rows = Int(random.next() % 600)
            func id(below count: Int) -> UInt32 {
                switch random.next() % 16 {
                case 0: IdDictionary.absent
                case 1: UInt32(count + Int(random.next() % 3))
                default: UInt32(random.next() % UInt64(count))
                }
            }
            let entityOf = (0..<rows).map { _ in id(below: entityCount) }
            let waybillOf = (0..<rows).map { _ in id(below: waybillCount) }
            let through = MarkCounts(entityOf: entityOf, waybillOf: waybillOf, entityCount: entityCount, marks: marks)
            #expect(Self.lanes(through) == Self.reference(entityOf: entityOf, waybillOf: waybillOf, entityCount: entityCount, marks: marks), "trial \(trial)")
            let direct = MarkCounts(entityOf: entityOf, waybillOf: nil, entityCount: entityCount, marks: marks)
            #expect(Self.lanes(direct) == Self.reference(entityOf: entityOf, waybillOf: nil, entityCount: entityCount, marks: marks), "trial \(trial)")
        }
    }

    /// Each mark is its own lane: a waybill with one mark counts in the total and that lane only.
    @Test func eachMarkHasItsLane() {
        let named: [WaybillMarks] = [.empty, .signedAtCounter, .reusedNumber, .weightless, .conclusive, .bought, .remoteStart]
        for (index, mark) in named.enumerated() {
            let counts = Self.lanes(MarkCounts(entityOf: [0, 0, 1], waybillOf: nil, entityCount: 2, marks: [[.shipped, mark], .shipped, [.shipped, mark]]))
            #expect(counts[0] == [2, 1])
            for lane in 1..<8 { #expect(counts[lane] == (lane == index + 1 ? [1, 1] : [0, 0]), "mark \(index), lane \(lane)") }
        }
    }

    /// The marks of a waybill from its tells, verdict and origins.
    @Test func marksFollowTells() {
        #expect(WaybillMarks([], empty: false, bought: false, remoteStart: false) == .shipped)
        #expect(WaybillMarks([.copiedTrace, .weightless], empty: true, bought: true, remoteStart: false)
            == [.shipped, .empty, .conclusive, .weightless, .bought])
        #expect(WaybillMarks([.reusedNumber, .signedAtCounter], empty: true, bought: true, remoteStart: true)
            == [.shipped, .empty, .reusedNumber, .conclusive, .signedAtCounter, .bought, .remoteStart])
        #expect(WaybillMarks([.pickupBeforePayment, .fast], empty: false, bought: false, remoteStart: false) == [.shipped, .conclusive])
    }
}
