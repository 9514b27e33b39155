/// Keys that must all be new (orders' order ids, whose id is their row), added without a
/// probe each: a reader appends them as they come (`withRoom(forNewKeys:bytes:_:)`,
/// their bytes, bounds and hashes written in order) and the table takes them all at
/// once afterwards (`placeNewKeys`), sorted by home slot, so that placing a million keys
/// walks the table from end to end instead of missing the caches once per key. A key
/// equal to an earlier one is found then, with the same exact comparison as `intern`.
extension IdDictionary {
    /// Slots per window of the table that `placeNewKeys` fills at once: its keys are
    /// grouped by window first, and one window's slots (4 or 8 KB) stay in the first-level
    /// cache while its keys are placed.
    static let placementWindow = 512

    /// Runs `body` with a `NewKeys` that may append up to `keys` keys of `bytes` bytes in
    /// all, each taken as new: ids in order after the keys so far, the same ids `intern`
    /// would give if no key repeats. Until `placeNewKeys`, the table does not know them
    /// (interning and lookups are refused); their bytes and ids are final.
    public mutating func withRoom<Result>(forNewKeys keys: Int, bytes: Int, _ body: (inout NewKeys) -> Result) -> Result {
        makeStorageRoom(keys: keys, bytes: bytes)
        IdDictionary.extend(&unplacedHashes, to: unplacedCount &+ keys)
        var arena: [UInt8] = [], bounds: [UInt32] = [], hashes: [UInt32] = []
        swap(&arena, &self.arena)
        swap(&bounds, &self.bounds)
        swap(&hashes, &unplacedHashes)
        defer {
            swap(&arena, &self.arena)
            swap(&bounds, &self.bounds)
            swap(&hashes, &unplacedHashes)
        }
        let used = arenaUsed, count = keyCount, unplaced = unplacedCount
        let (result, newUsed, newCount) = arena.withUnsafeMutableBytes { arena in
            bounds.withUnsafeMutableBufferPointer { bounds in
                hashes.withUnsafeMutableBufferPointer { hashes in
                    var newKeys = NewKeys(
                        arena: arena.baseAddress!, arenaUsed: used, arenaLimit: used &+ bytes, bounds: bounds.baseAddress!,
                        hashes: hashes.baseAddress! + unplaced, firstHashed: count, count: count, countLimit: count &+ keys)
                    let result = body(&newKeys)
                    return (result, newKeys.arenaUsed, newKeys.count)
                }
            }
        }
        arenaUsed = newUsed
        unplacedCount &+= newCount &- keyCount
        keyCount = newCount
        return result
    }

    /// Appending new keys with the dictionary's storage held open (see
    /// `withRoom(forNewKeys:bytes:_:)`).
    public struct NewKeys {
        let arena: UnsafeMutableRawPointer
        var arenaUsed: Int
        let arenaLimit: Int
        let bounds: UnsafeMutablePointer<UInt32>
        /// The high halves of this room's keys' hashes: `hashes[id - firstHashed]`.
        let hashes: UnsafeMutablePointer<UInt32>
        let firstHashed: Int
        var count: Int
        let countLimit: Int

        /// Appends the first `count` keys of `block` in order, each as a new key, writing
        /// their ids to `ids[0 ..< count]` (`absent` for a missing key): a hash, a copy and
        /// three stores per key, no probe.
        public mutating func append(_ block: KeyBlock, count keys: Int, into ids: UnsafeMutablePointer<UInt32>) {
            precondition(keys <= block.capacity, "more keys than the block holds")
            let starts = block.keys, lengths = block.lengths
            var used = arenaUsed, id = count
            for index in 0..<keys {
                let length = lengths[index]
                guard length >= 0 else {
                    ids[index] = IdDictionary.absent
                    continue
                }
                let key = UnsafeRawBufferPointer(start: starts[index], count: length)
                precondition(id < countLimit && used &+ length <= arenaLimit, "more keys than the room asked for")
                IdDictionary.copy(key, to: arena + used)
                used &+= length
                hashes[id &- firstHashed] = UInt32(truncatingIfNeeded: IdDictionary.hash(key) >> 32)
                ids[index] = UInt32(truncatingIfNeeded: id)
                id &+= 1
                bounds[id] = UInt32(truncatingIfNeeded: used)
            }
            arenaUsed = used
            count = id
        }
    }

    /// Puts the keys appended by `withRoom(forNewKeys:bytes:_:)` into the table (grown
    /// first when they need it): grouped by window of their home slots in one pass, in id
    /// order within a window, then placed a window at a time. Returns the smallest of
    /// their ids whose key equals a key with a smaller id, nil when every key is new: the
    /// first repeat in the order the keys were appended. A repeated key is left out of the
    /// table (its bytes stay under its id), so a dictionary with a repeat is for an error
    /// message, not for lookups.
    public mutating func placeNewKeys() -> UInt32? {
        guard unplacedCount > 0 else { return nil }
        let size = IdDictionary.tableSize(for: keyCount)
        let words = fittingSlotWords
        if slots.isEmpty || size > tableSize || words != slotWords { rebuild(size: Swift.max(size, tableSize)) }
        let repeated = slotWords == 2 ? placeUnplaced(words: 2) : placeUnplaced(words: 1)
        unplacedHashes = []
        unplacedCount = 0
        return repeated.map { UInt32(truncatingIfNeeded: $0) }
    }

    /// `placeNewKeys`' work for slots of `words` words (a constant where it is called):
    /// a counting sort of the unplaced keys' tags (and, for two-word slots, their inline
    /// words, read from the arena in id order) by window, then each placed from its home
    /// slot; the smallest repeated id.
    @inline(__always)
    private mutating func placeUnplaced(words: Int) -> Int? {
        let first = keyCount &- unplacedCount, count = unplacedCount
        let mask = tableSize &- 1, window = IdDictionary.placementWindow
        let windows = (tableSize &+ window &- 1) / window
        var next = [Int](repeating: 0, count: windows &+ 1)
        // Every entry is written by the counting sort before it is read.
        var sorted = [UInt64](unsafeUninitializedCapacity: count &* words) { _, initialized in initialized = count &* words }
        var repeated: Int?
        unplacedHashes.withUnsafeBufferPointer { hashes in
            bounds.withUnsafeBufferPointer { bounds in
                arena.withUnsafeBytes { arena in
                    slots.withUnsafeMutableBufferPointer { slots in
                        next.withUnsafeMutableBufferPointer { next in
                            sorted.withUnsafeMutableBufferPointer { sorted in
                                func home(_ tag: UInt64) -> Int { Int(truncatingIfNeeded: tag >> 32) & mask }
                                func key(_ id: Int) -> UnsafeRawBufferPointer {
                                    let lower = Int(bounds[id])
                                    return UnsafeRawBufferPointer(start: arena.baseAddress! + lower, count: Int(bounds[id &+ 1]) &- lower)
                                }
                                func tag(_ index: Int) -> UInt64 {
                                    UInt64(hashes[index]) << 32 | UInt64(truncatingIfNeeded: first &+ index &+ 1)
                                }
                                for index in 0..<count { next[home(tag(index)) / window &+ 1] &+= 1 }
                                for part in 0..<windows { next[part &+ 1] &+= next[part] }
                                for index in 0..<count {
                                    let tag = tag(index), part = home(tag) / window
                                    let at = next[part] &* words
                                    next[part] &+= 1
                                    sorted[at] = tag
                                    if words == 2 { sorted[at &+ 1] = IdDictionary.inlineWord(key(first &+ index)) }
                                }
                                let high: UInt64 = 0xFFFF_FFFF_0000_0000
                                for entry in 0..<count {
                                    let tag = sorted[entry &* words], word = words == 2 ? sorted[entry &* 2 &+ 1] : 0
                                    var index = home(tag)
                                    while true {
                                        let slot = slots[index &* words]
                                        if slot == 0 {
                                            slots[index &* words] = tag
                                            if words == 2 { slots[index &* 2 &+ 1] = word }
                                            break
                                        }
                                        if slot & high == tag & high && (words == 1 || slots[index &* 2 &+ 1] == word) {
                                            let id = Int(truncatingIfNeeded: tag & 0xFFFF_FFFF) &- 1
                                            let other = key(Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) &- 1), mine = key(id)
                                            if (words == 2 && word != IdDictionary.longKey)
                                                || (other.count == mine.count && IdDictionary.bytesEqual(other.baseAddress, 0, mine))
                                            {
                                                repeated = Swift.min(repeated ?? id, id)
                                                break
                                            }
                                        }
                                        index = (index &+ 1) & mask
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return repeated
    }
}
