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

    /// Keys in runs appended a run at a time (`appendRuns`, the path of logistics'
    /// waybills), a run's key now and then an earlier run's or one interned before, with
    /// missing keys between them, over several rounds: once placed and merged
    /// (`placeNewKeysMergingRepeats`), the ids renumbered are the ids interning gives one
    /// key at a time, the dictionary holds the same keys (bytes, bounds, lookups, the next
    /// new key's id), and a renumbering comes exactly when a key was appended twice.
    @Test(arguments: [6, 8, 17, 30])
    func runsMergedWithEarlierKeysGetTheIdsInterningGives(longest: Int) {
        var generator = SeededRandom(seed: UInt64(longest) &+ 1000)
        let block = IdDictionary.KeyBlock(capacity: 32)
        defer { block.deallocate() }
        var dictionary = IdDictionary(capacity: 0), reference = IdDictionary(capacity: 0)
        var pool: [[UInt8]] = []
        func randomKey() -> [UInt8] {
            (0..<Int.random(in: 1...longest, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        for _ in 0..<Int.random(in: 0...50, using: &generator) {
            let key = randomKey()
            pool.append(key)
            _ = key.withUnsafeBytes { dictionary.intern($0) }
            _ = key.withUnsafeBytes { reference.intern($0) }
        }
        var ids: [UInt32] = [], expected: [UInt32] = []
        for _ in 0..<4 {
            var keys: [[UInt8]?] = []
            let rows = Int.random(in: 1...4000, using: &generator)
            while keys.count < rows {
                let pick = Int.random(in: 0..<40, using: &generator)
                let key: [UInt8]? = pick == 0 ? nil : pick < 4 && !pool.isEmpty ? pool.randomElement(using: &generator) : randomKey()
                if let key { pool.append(key) }
                keys += repeatElement(key, count: Int.random(in: 1...8, using: &generator))
            }
            let countBefore = dictionary.count
            ids += Self.append(keys, to: &dictionary, through: block, runs: true, using: &generator)
            let appended = dictionary.count - countBefore, distinctBefore = reference.count
            for key in keys { expected.append(key.map { key in key.withUnsafeBytes { reference.intern($0) } } ?? IdDictionary.absent) }
            let renumbering = dictionary.placeNewKeysMergingRepeats()
            #expect((renumbering != nil) == (appended != reference.count - distinctBefore))
            renumbering?.apply(to: &ids)
            #expect(renumbering.map { $0.count == reference.count } ?? true)
            #expect(ids == expected)
            #expect(dictionary.count == reference.count)
            #expect(dictionary.keyBytes == reference.keyBytes)
            #expect(Array(dictionary.starts) == Array(reference.starts))
        }
        let bytes = reference.keyBytes, starts = Array(reference.starts)
        for id in 0..<reference.count {
            let key = Array(bytes[Int(starts[id])..<Int(starts[id + 1])])
            #expect(key.withUnsafeBytes { dictionary.lookup($0) } == UInt32(id))
        }
        #expect(dictionary.intern("not among them") == UInt32(reference.count))
    }

    /// Appends `keys` (nil: a missing value) as new keys in rooms and blocks of random
    /// size, as the CSV reader does (a run at a time with `runs`); their ids.
    private static func append(
        _ keys: [[UInt8]?], to dictionary: inout IdDictionary, through block: IdDictionary.KeyBlock, runs: Bool = false,
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
                        if runs {
                            newKeys.appendRuns(block, count: count, into: &blockIDs)
                        } else {
                            newKeys.append(block, count: count, into: &blockIDs)
                        }
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
