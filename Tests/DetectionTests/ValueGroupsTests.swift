import Columnar
import Testing
import TestSupport

@testable import Detection

/// `ValueGroups` against its plain reference: the rows `EntityGroups` groups by the same
/// keys, each mapped to its value.
@Suite struct ValueGroupsTests {
    @Test(arguments: 0..<20) func valuesFollowEntityGroups(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 500)
        let groups = Int(random.next() % 12)
        // Keys below the group count, absent, or beyond it (left out like absent).
        let keys = (0..<Int(random.next() % 200)).map { _ -> UInt32 in
            switch random.next() % 8 {
            case 0: IdDictionary.absent
            case 1: UInt32(groups) + UInt32(random.next() % 3)
            default: groups == 0 ? IdDictionary.absent : UInt32(random.next() % UInt64(groups))
            }
        }
        let grouped = ValueGroups(rows: keys.count, groups: groups, key: { keys[$0] }, value: { $0 * 7 + 1 })
        let reference = EntityGroups(keys: keys.map { Int($0) < groups ? $0 : IdDictionary.absent }, entityCount: groups)
        #expect(grouped.offsets == reference.offsets)
        for group in 0..<groups {
            #expect(Array(grouped.values(of: group)) == reference.rows(of: group).map { Int($0) * 7 + 1 })
        }
    }
}
