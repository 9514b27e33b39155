@testable import Columnar
import Testing
import TestSupport

/// Keys appended as new and placed in the table afterwards (`withRoom(forNewKeys:)`,
/// `placeNewKeys`, the path of orders' order ids) against a plain dictionary that interns
/// the same keys one at a time.
@Suite struct IdDictionaryNewKeysTests {
    /// Distinct keys get the ids interning gives, in tables of one and two words, after
    /// keys interned the usual way (kept) and in several rounds of appending and placing,
    /// so that the table grows and narrows under keys already placed: afterwards every
    /// key is found, unknown keys are not, and the stored keys are the same.
    @Test(arguments: [6, 8, 13, 30])
    func distinctKeysPlacedLaterGetTheIdsInterningGives(longest: Int) {
        var generator = SeededRandom(seed: UInt64(longest))
        var seen = Set<[UInt8]>()
        var keys: [[UInt8]] = []
        while keys.count < 12_000 {
            let key = (0..<Int.random(in: 0...longest, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if seen.insert(key).inserted { keys.append(key) }
        }
        var reference = IdDictionary(capacity: 0), dictionary = IdDictionary(capacity: 0)
        for key in keys { _ = key.withUnsafeBytes { reference.intern($0) } }
        let block = IdDictionary.KeyBlock(capacity: 32)
        defer { block.deallocate() }
        let interned = Int.random(in: 0...50, using: &generator)
        for key in keys[..<interned] { _ = key.withUnsafeBytes { dictionary.intern($0) } }
        var position = interned
        while position < keys.count {
            let round = min(keys.count, position + Int.random(in: 1...5000, using: &generator))
            let ids = Self.append(keys[position..<round].map { Optional($0) }, to: &dictionary, through: block, using: &generator)
            #expect(ids == (position..<round).map { UInt32($0) })
            #expect(dictionary.placeNewKeys() == nil)
            position = round
        }
        #expect(dictionary.count == keys.count)
        #expect(dictionary.keyBytes == reference.keyBytes)
        #expect(Array(dictionary.starts) == Array(reference.starts))
        #expect(dictionary.slotWords == reference.slotWords)
        for (id, key) in keys.enumerated() { #expect(key.withUnsafeBytes { dictionary.lookup($0) } == UInt32(id)) }
        #expect([UInt8](repeating: 7, count: longest + 1).withUnsafeBytes { dictionary.lookup($0) } == nil)
        #expect(dictionary.intern("not among them") == UInt32(keys.count))
    }

    /// With repeated keys, `placeNewKeys` names the first key (in appending order) equal
    /// to an earlier one, whether the earlier one was placed before or appended with it:
    /// random keys with a few repeats anywhere, of lengths that make both table widths,
    /// and missing keys (no id) between them.
    @Test(arguments: [5, 12, 40])
    func theFirstRepeatedKeyIsNamed(longest: Int) {
        var generator = SeededRandom(seed: UInt64(longest))
        let block = IdDictionary.KeyBlock(capacity: 32)
        defer { block.deallocate() }
        for _ in 0..<40 {
            let count = Int.random(in: 1...3000, using: &generator)
            var keys: [[UInt8]?] = (0..<count).map { _ in
                Int.random(in: 0..<30, using: &generator) == 0
                    ? nil : (0..<Int.random(in: 0...longest, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let from = Int.random(in: 0..<count, using: &generator), to = Int.random(in: 0..<count, using: &generator)
                keys[to] = keys[from]
            }
            var dictionary = IdDictionary(capacity: 0), reference = IdDictionary(capacity: 0)
            let placedFirst = Int.random(in: 0...count, using: &generator) / 2
            var expected: UInt32?
            var nextID: UInt32 = 0
            for (index, key) in keys.enumerated() {
                guard let key else { continue }
                let before = reference.count
                _ = key.withUnsafeBytes { reference.intern($0) }
                if reference.count == before && index >= placedFirst && expected == nil { expected = nextID }
                if reference.count > before || index >= placedFirst { nextID += 1 }
            }
            for key in keys[..<placedFirst] { if let key { _ = key.withUnsafeBytes { dictionary.intern($0) } } }
            _ = Self.append(Array(keys[placedFirst...]), to: &dictionary, through: block, using: &generator)
            #expect(dictionary.placeNewKeys() == expected)
        }
    }

    /// Appends `keys` (nil: a missing value) as new keys in rooms and blocks of random
    /// size, as the CSV reader does; their ids.
    private static func append(
        _ keys: [[UInt8]?], to dictionary: inout IdDictionary, through block: IdDictionary.KeyBlock,
        using generator: inout SeededRandom
    ) -> [UInt32] {
        var ids: [UInt32] = []
        var blockIDs = [UInt32](repeating: 0, count: block.capacity)
        var room = 0
        while room < keys.count {
            let roomKeys = Array(keys[room..<min(keys.count, room + Int.random(in: 1...700, using: &generator))])
            let bytes = roomKeys.flatMap { $0 ?? [] }
            bytes.withUnsafeBytes { bytes in
                dictionary.withRoom(forNewKeys: roomKeys.count, bytes: bytes.count) { newKeys in
                    var start = 0, offset = 0
                    while start < roomKeys.count {
                        let count = min(roomKeys.count - start, Int.random(in: 1...block.capacity, using: &generator))
                        block.place(roomKeys[start..<(start + count)], in: bytes, at: &offset)
                        newKeys.append(block, count: count, into: &blockIDs)
                        ids += blockIDs[..<count]
                        start += count
                    }
                }
            }
            room += roomKeys.count
        }
        return ids
    }
}
