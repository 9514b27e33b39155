@testable import Columnar
import Testing
import TestSupport

@Suite struct IdDictionaryTests {
    @Test func internsInFirstSeenOrder() {
        var dictionary = IdDictionary(capacity: 2)
        #expect(dictionary.intern("shop-a") == 0)
        #expect(dictionary.intern("shop-b") == 1)
        #expect(dictionary.intern("shop-a") == 0)
        #expect(dictionary.count == 2)
        #expect(dictionary.string(1) == "shop-b")
        #expect(dictionary.lookup("shop-c") == nil)
        #expect(dictionary.lookup("shop-b") == 1)
    }

    @Test func agreesWithSwiftDictionaryOnRandomKeys() {
        var generator = SeededRandom(seed: 101)
        var reference: [String: UInt32] = [:]
        var dictionary = IdDictionary(capacity: 4)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let key = String((0..<length).map { _ in "ab0é,\"".randomElement(using: &generator)! })
            let id = dictionary.intern(key)
            if let known = reference[key] {
                #expect(id == known)
            } else {
                #expect(id == UInt32(reference.count))
                reference[key] = id
            }
        }
        #expect(dictionary.count == reference.count)
        for (key, id) in reference { #expect(dictionary.string(id) == key) }
    }
}

extension IdDictionaryTests {
    /// Keys interned in batches through `withRoom` (the readers' path) get the ids one
    /// `intern` at a time gives, and leave the same keys and starts.
    @Test func batchesInternLikeSingleKeys() {
        var generator = SeededRandom(seed: 102)
        var single = IdDictionary(capacity: 2), batched = IdDictionary(capacity: 0)
        var position = 0
        let keys = (0..<30_000).map { _ in
            Array(String((0..<Int.random(in: 0...20, using: &generator)).map { _ in "ab0é".randomElement(using: &generator)! }).utf8)
        }
        while position < keys.count {
            let batch = keys[position..<min(keys.count, position + Int.random(in: 1...700, using: &generator))]
            let bytes = batch.reduce(0) { $0 + $1.count }
            let ids = batched.withRoom(forKeys: batch.count, bytes: bytes) { interner in
                batch.map { key in key.withUnsafeBytes { interner.intern($0) } }
            }
            #expect(ids == batch.map { key in key.withUnsafeBytes { single.intern($0) } })
            position += batch.count
        }
        #expect(batched.keys == single.keys)
        #expect(Array(batched.starts) == Array(single.starts))
        #expect(batched.keyBytes == single.keyBytes)
    }
}

@Suite struct LoadedIdDictionaryTests {
    /// A dictionary rebuilt from stored key bytes has no table until it needs one, and
    /// then behaves exactly like the dictionary it was stored from.
    @Test func storedKeysLookUpAndInternLikeTheOriginal() {
        var original = IdDictionary(capacity: 2)
        let keys = (0..<500).map { "key-\($0 * 7919 % 1000)" }
        for key in keys { _ = original.intern(key) }
        var loaded = IdDictionary(arena: original.keyBytes, starts: Array(original.starts))
        #expect(loaded.keys == original.keys)
        #expect(loaded.lookup("key-7") == original.lookup("key-7"))
        #expect(loaded.lookup("absent") == nil)
        for key in keys { #expect(loaded.intern(key) == original.lookup(key)) }
        #expect(loaded.intern("new") == UInt32(original.count))
        #expect(loaded.lookup("new") == UInt32(original.count))
        var reserved = IdDictionary(arena: original.keyBytes, starts: Array(original.starts))
        reserved.reserveCapacity(5000)
        #expect(reserved.lookup("key-14") == original.lookup("key-14"))
    }
}

extension IdDictionaryTests {
    /// Keys interned in blocks (`intern(_:count:into:)`, the readers' path) get the
    /// first-seen ids of a plain dictionary: keys of every length up to `longest`, empty
    /// keys, missing keys (`absent`, no id used), many repeats, blocks of 1-64 keys, and
    /// the table growing between batches from no room at all. The first keys are short,
    /// so with long keys later the slots narrow from two words to one on the way.
    @Test(arguments: [9, 40])
    func keysInternedInBlocksGetFirstSeenIDs(longest: Int) {
        var generator = SeededRandom(seed: 103)
        var reference: [[UInt8]: UInt32] = [:]
        var dictionary = IdDictionary(capacity: 0)
        let pool = (0..<3000).map { _ in
            (0..<Int.random(in: 0...longest, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) &* 85 }
        }
        let short = pool.filter { $0.count <= 8 }
        let keys: [[UInt8]?] = (0..<10_000).map { _ in short.randomElement(using: &generator)! }
            + (0..<30_000).map { _ in Int.random(in: 0..<20, using: &generator) == 0 ? nil : pool.randomElement(using: &generator)! }
        let block = IdDictionary.KeyBlock(capacity: 64)
        defer { block.deallocate() }
        var position = 0
        while position < keys.count {
            let batch = Array(keys[position..<min(keys.count, position + Int.random(in: 1...900, using: &generator))])
            let batchIDs = Self.intern(batch, into: &dictionary, through: block) { Int.random(in: 1...64, using: &generator) }
            for (key, id) in zip(batch, batchIDs) {
                guard let key else {
                    #expect(id == IdDictionary.absent)
                    continue
                }
                let expected = reference[key] ?? UInt32(reference.count)
                reference[key] = expected
                #expect(id == expected)
            }
            position += batch.count
        }
        #expect(dictionary.count == reference.count)
        #expect(dictionary.slotWords == (longest > 9 ? 1 : 2))
        let bytes = dictionary.keyBytes, starts = dictionary.starts
        for (key, id) in reference { #expect(Array(bytes[Int(starts[Int(id)])..<Int(starts[Int(id) + 1])]) == key) }
    }
}

extension IdDictionaryTests {
    /// Different keys that are kept in their slot get different inline words, and exactly
    /// the keys longer than 8 bytes or of 8 bytes ending below 8 are compared in the arena:
    /// every key of 0-3 bytes over bytes that stress the length byte, and random keys of
    /// 4-9 bytes with trailing zeros.
    @Test func inlineWordsTellShortKeysApart() {
        var generator = SeededRandom(seed: 104)
        let alphabet: [UInt8] = [0, 1, 3, 7, 8, 255]
        var keys: [[UInt8]] = [[]]
        for _ in 1...3 { keys += keys.filter { $0.count == keys.last!.count }.flatMap { key in alphabet.map { key + [$0] } } }
        for _ in 0..<20_000 {
            var key = (0..<Int.random(in: 4...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            if Bool.random(using: &generator) { key[key.count - 1] = 0 }
            keys.append(key)
        }
        var owners: [UInt64: [UInt8]] = [:]
        for key in keys {
            let word = key.withUnsafeBytes { IdDictionary.inlineWord($0) }
            let long = key.count > 8 || (key.count == 8 && key[7] < 8)
            #expect((word == IdDictionary.longKey) == long)
            guard !long else { continue }
            if let owner = owners[word] { #expect(owner == key) } else { owners[word] = key }
        }
    }
}

extension IdDictionaryTests {
    /// Keys in runs (the same field of consecutive rows equal, as a waybill's scans listed
    /// together): a key that repeats the one `keysPerRow` places before it takes its id
    /// without a probe, and ids are still the first-seen ids of a plain dictionary, for
    /// rows of 1-3 keys, missing keys inside runs, blocks of whole rows cut anywhere, and
    /// one block shared by two dictionaries in turn (the id a block keeps from its last
    /// call belongs to the other dictionary then, and must not be taken on trust).
    @Test(arguments: [1, 2, 3])
    func keysInRunsGetFirstSeenIDs(keysPerRow: Int) {
        var generator = SeededRandom(seed: 105)
        let pool = (0..<500).map { _ in
            (0..<Int.random(in: 0...20, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) &* 85 }
        }
        var rows: [[[UInt8]?]] = []
        for _ in 0..<20_000 {
            rows.append((0..<keysPerRow).map { field in
                if let last = rows.last, Int.random(in: 0..<10, using: &generator) < 7 { return last[field] }
                return Int.random(in: 0..<20, using: &generator) == 0 ? nil : pool.randomElement(using: &generator)!
            })
        }
        let capacity = 32
        let block = IdDictionary.KeyBlock(capacity: capacity, keysPerRow: keysPerRow)
        defer { block.deallocate() }
        var dictionaries = [IdDictionary(capacity: 0), IdDictionary(capacity: 0)]
        var references: [[[UInt8]: UInt32]] = [[:], [:]]
        var position = 0
        while position < rows.count {
            let which = Int.random(in: 0..<4, using: &generator) == 0 ? 1 : 0
            let batch = Array(rows[position..<min(rows.count, position + Int.random(in: 1...300, using: &generator))])
            let keys = batch.flatMap { $0 }
            let batchIDs = Self.intern(keys, into: &dictionaries[which], through: block) {
                Int.random(in: 1...(capacity / keysPerRow), using: &generator) * keysPerRow
            }
            for (key, id) in zip(keys, batchIDs) {
                guard let key else {
                    #expect(id == IdDictionary.absent)
                    continue
                }
                let expected = references[which][key] ?? UInt32(references[which].count)
                references[which][key] = expected
                #expect(id == expected)
            }
            position += batch.count
        }
        for which in 0..<2 { #expect(dictionaries[which].count == references[which].count) }
    }

    /// Block lookups give what `lookup` gives one key at a time: known keys their ids,
    /// unknown and missing keys `absent`, in two-word and one-word tables and in a
    /// dictionary stored without its table (as a segment file loads it).
    @Test(arguments: [8, 20])
    func blockLookupsAgreeWithSingleLookups(longest: Int) {
        var generator = SeededRandom(seed: 106)
        let pool = (0..<4000).map { _ in
            (0..<Int.random(in: 0...longest, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) &* 85 }
        }
        var dictionary = IdDictionary(capacity: 0)
        for key in pool.prefix(2000) { _ = key.withUnsafeBytes { dictionary.intern($0) } }
        let stored = IdDictionary(arena: dictionary.keyBytes, starts: Array(dictionary.starts))
        let keys: [[UInt8]?] = (0..<5000).map { _ in
            Int.random(in: 0..<10, using: &generator) == 0 ? nil : pool.randomElement(using: &generator)!
        }
        let block = IdDictionary.KeyBlock(capacity: 32)
        defer { block.deallocate() }
        let bytes = keys.flatMap { $0 ?? [] }
        for table in [dictionary, stored] {
            var ids = [UInt32](repeating: 0, count: 32)
            bytes.withUnsafeBytes { bytes in
                var start = 0, offset = 0
                while start < keys.count {
                    let count = min(keys.count - start, Int.random(in: 1...32, using: &generator))
                    block.place(keys[start..<(start + count)], in: bytes, at: &offset)
                    table.lookup(block, count: count, into: &ids)
                    for index in 0..<count {
                        let single = keys[start + index].flatMap { key in key.withUnsafeBytes { table.lookup($0) } }
                        #expect(ids[index] == single ?? IdDictionary.absent)
                    }
                    start += count
                }
            }
        }
        #expect(dictionary.slotWords == (longest > 8 ? 1 : 2))
    }

    /// Interns `keys` (nil: an empty field) into `dictionary` through `block` as the CSV
    /// reader does, in blocks of `blockSize()` keys (cut at the end), and returns their ids.
    private static func intern(
        _ keys: [[UInt8]?], into dictionary: inout IdDictionary, through block: IdDictionary.KeyBlock,
        blockSize: () -> Int
    ) -> [UInt32] {
        let bytes = keys.flatMap { $0 ?? [] }
        var ids = [UInt32](repeating: 0, count: keys.count)
        return bytes.withUnsafeBytes { bytes in
            dictionary.withRoom(forKeys: keys.count, bytes: bytes.count) { interner in
                var internedIDs: [UInt32] = []
                var start = 0, offset = 0
                while start < keys.count {
                    let count = min(keys.count - start, blockSize())
                    block.place(keys[start..<(start + count)], in: bytes, at: &offset)
                    interner.intern(block, count: count, into: &ids)
                    internedIDs += ids[..<count]
                    start += count
                }
                return internedIDs
            }
        }
    }
}

extension IdDictionary.KeyBlock {
    /// Points the block's first `keys.count` keys at the keys' bytes, which lie back to
    /// back in `bytes` from `offset` on (nil: a missing key, no bytes); moves `offset` past them.
    func place(_ keys: ArraySlice<[UInt8]?>, in bytes: UnsafeRawBufferPointer, at offset: inout Int) {
        for (index, key) in keys.enumerated() {
            self.keys[index] = bytes.baseAddress! + offset
            lengths[index] = key?.count ?? -1
            offset += key?.count ?? 0
        }
    }
}
