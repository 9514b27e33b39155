import Testing
import TestSupport

@testable import Detection

/// The key-to-place table against a plain `Dictionary` that numbers keys as they first
/// come.
@Suite struct KeyPlacesTests {
    /// A key whose hash puts every key in the table's last three slots: the probes run
    /// long and wrap around to the table's start.
    struct Crowded: PlaceKey, Hashable {
        let value: UInt64
        var placeHash: UInt64 { UInt64.max - value % 3 }
    }

    /// Enters `keys` one by one, then looks up every key of `probes`, each step checked
    /// against the reference.
    static func checkAgainstDictionary<Key: PlaceKey & Hashable>(_ keys: [Key], probes: [Key], capacity: Int) {
        var table = KeyPlaces<Key>(capacity: capacity)
        var reference: [Key: Int] = [:]
        var firstSeen: [Key] = []
        for key in keys {
            let expected = reference[key]
            if expected == nil {
                reference[key] = firstSeen.count
                firstSeen.append(key)
            }
            let entered = table.enter(key)
            #expect(entered.place == reference[key]! && entered.isNew == (expected == nil), "\(key)")
        }
        #expect(table.keys == firstSeen)
        for key in probes { #expect(table.place(of: key) == reference[key], "\(key)") }
    }

    @Test(arguments: 0..<20) func pairKeysMatchADictionary(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 4_100)
        let count = Int(random.next() % 400)
        // Few buyers and shops, so that keys repeat; probes half of them never entered.
        func key() -> UInt64 { (random.next() % 30) << 32 | random.next() % 20 }
        let keys = (0..<count).map { _ in key() }
        let probes = (0..<(count + 40)).map { _ in key() | (random.next() % 2) << 63 }
        Self.checkAgainstDictionary(keys, probes: probes, capacity: count)
    }

    @Test(arguments: 0..<10) func crowdedKeysMatchADictionary(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 4_200)
        let count = 1 + Int(random.next() % 60)
        let keys = (0..<count).map { _ in Crowded(value: random.next() % 40) }
        let probes = (0..<100).map { Crowded(value: UInt64($0)) }
        Self.checkAgainstDictionary(keys, probes: probes, capacity: count)
    }

    /// A table of distinct keys places each at its index, and knows no other key.
    @Test func distinctKeysArePlacedAtTheirIndex() {
        var random = SeededRandom(seed: 4_300)
        let keys = Array(Set((0..<500).map { _ in random.next() % 100_000 })).sorted()
        let table = KeyPlaces(distinct: keys)
        #expect(keys.indices.allSatisfy { table.place(of: keys[$0]) == $0 })
        #expect(table.place(of: 100_000) == nil && table.place(of: .max) == nil)
    }

    /// A table made for no keys still holds one: a tensor or a kept-pair list may be empty.
    @Test func anEmptyTableFindsNothing() {
        var table = KeyPlaces<UInt64>(capacity: 0)
        #expect(table.place(of: 7) == nil)
        let entered = table.enter(7)
        #expect(entered.place == 0 && entered.isNew && table.place(of: 7) == 0)
    }
}
