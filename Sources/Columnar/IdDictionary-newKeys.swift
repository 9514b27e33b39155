/// Keys that must all be new (orders' order ids, whose id is their row), added without a
/// probe each: a reader appends them as they come (`withRoom(forNewKeys:bytes:_:)`,
/// their bytes, bounds and hashes written in order) and the table takes them all at
/// once afterwards (`placeNewKeys`), sorted by home slot, so that placing a million keys
/// walks the table from end to end instead of missing the caches once per key. A key
/// equal to an earlier one is found then, with the same exact comparison as `intern`.
///
/// Keys that come in runs of equal keys, a run's key nearly always new (logistics'
/// waybills, about six scans each), are appended a run at a time
/// (`NewKeys.appendRuns`): the rare run whose key an earlier run had gets a provisional
/// id, merged into the earlier key's when the keys are placed
/// (`placeNewKeysMergingRepeats`), so that the ids are first-seen ids again.
extension IdDictionary {
    /// Slots per window of the table that `placeNewKeys` fills at once: its keys are
    /// grouped by window first, and one window's slots (4 or 8 KB) stay in the first-level
    /// cache while its keys are placed.
    static let placementWindow = 512

    /// Runs `body` with a `NewKeys` that may append up to `keys` keys of `bytes` bytes in
    /// all, each taken as new: ids in order after the keys so far, the same ids `intern`
    /// would give if no key repeats. Until `placeNewKeys`, the table does not know them
    /// (interning and lookups are refused). Keys from `NewKeys.append` keep their bytes
    /// and ids; those from `NewKeys.appendRuns` are provisional until
    /// `placeNewKeysMergingRepeats` merges the repeated runs' keys.
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
            append(block, count: keys, into: ids, runs: false)
        }

        /// Appends the first `count` keys of `block` (one key a row) in order, each key
        /// that differs from the key before it as a new key, writing their ids to
        /// `ids[0 ..< count]` (`absent` for a missing key): a key equal to the key before
        /// it (for the block's first key, the key of the id the block's previous call gave
        /// last) takes its id without a hash. A key equal to an earlier run's is appended
        /// again, under a provisional id that `placeNewKeysMergingRepeats` merges.
        public mutating func appendRuns(_ block: KeyBlock, count keys: Int, into ids: UnsafeMutablePointer<UInt32>) {
            precondition(block.keysPerRow == 1, "rows of several keys")
            append(block, count: keys, into: ids, runs: true)
            if keys > 0 { block.previousIDs[0] = ids[keys &- 1] }
        }

        /// `append` and, with `runs`, `appendRuns` (a constant where it is called).
        @inline(__always)
        private mutating func append(_ block: KeyBlock, count keys: Int, into ids: UnsafeMutablePointer<UInt32>, runs: Bool) {
            precondition(keys <= block.capacity, "more keys than the block holds")
            let starts = block.keys, lengths = block.lengths
            // The id of the key before (kept from the call before for the first key): what
            // a repeat takes (a missing key before is never repeated, so it is not kept).
            var used = arenaUsed, id = count, previousID = block.previousIDs[0]
            for index in 0..<keys {
                let length = lengths[index]
                guard length >= 0 else {
                    ids[index] = IdDictionary.absent
                    continue
                }
                let key = UnsafeRawBufferPointer(start: starts[index], count: length)
                if runs && block.repeatsPrevious(key, at: index, keyCount: id, bounds: bounds, arena: arena) {
                    ids[index] = previousID
                    continue
                }
                precondition(id < countLimit && used &+ length <= arenaLimit, "more keys than the room asked for")
                IdDictionary.copy(key, to: arena + used)
                used &+= length
                hashes[id &- firstHashed] = UInt32(truncatingIfNeeded: IdDictionary.hash(key) >> 32)
                ids[index] = UInt32(truncatingIfNeeded: id)
                previousID = ids[index]
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
        placeUnplaced().lazy.map(\.id).min().map { UInt32(truncatingIfNeeded: $0) }
    }

    /// Puts the keys appended by `withRoom(forNewKeys:bytes:_:)` into the table, as
    /// `placeNewKeys` does, and merges each that repeats a key with a smaller id into
    /// that key: the repeat's bytes leave the arena and the ids after it move down, so
    /// that ids are again the ids `intern` would have given (first-seen order). Returns
    /// how the appended ids changed, nil when none did (no key repeated).
    public mutating func placeNewKeysMergingRepeats() -> IdRenumbering? {
        let repeats = placeUnplaced().sorted { $0.id < $1.id }
        guard let firstRepeat = repeats.first?.id else { return nil }
        var newIDs = [UInt32](repeating: 0, count: keyCount &- firstRepeat)
        var removedBytes = 0
        arena.withUnsafeMutableBytes { arena in
            bounds.withUnsafeMutableBufferPointer { bounds in
                newIDs.withUnsafeMutableBufferPointer { newIDs in
                    removedBytes = IdDictionary.removeRepeats(
                        repeats, from: firstRepeat, count: keyCount, arena: arena.baseAddress!, bounds: bounds.baseAddress!,
                        newIDs: newIDs.baseAddress!)
                }
            }
        }
        let renumbering = IdRenumbering(firstChanged: firstRepeat, newIDs: newIDs, count: keyCount &- repeats.count)
        keyCount = renumbering.count
        arenaUsed &-= removedBytes
        let words = slotWords
        slots.withUnsafeMutableBufferPointer { slots in
            for index in stride(from: 0, to: slots.count, by: words) where slots[index] != 0 {
                let id = UInt32(truncatingIfNeeded: slots[index] & 0xFFFF_FFFF) &- 1
                guard Int(id) >= firstRepeat else { continue }
                slots[index] = slots[index] & 0xFFFF_FFFF_0000_0000 | UInt64(renumbering[id] &+ 1)
            }
        }
        return renumbering
    }

    /// Removes the keys of `repeats` (ids in increasing order, from `first` on, each with
    /// the smaller id of its key) from the `count` keys of `arena` and `bounds`, the keys
    /// between them moved down a run at a time, and writes the id each id from `first`
    /// on becomes to `newIDs[id - first]`; the bytes removed.
    private static func removeRepeats(
        _ repeats: [(id: Int, earlier: Int)], from first: Int, count: Int, arena: UnsafeMutableRawPointer,
        bounds: UnsafeMutablePointer<UInt32>, newIDs: UnsafeMutablePointer<UInt32>
    ) -> Int {
        var removedBytes = 0, id = first
        for removed in 0...repeats.count {
            let end = removed < repeats.count ? repeats[removed].id : count
            if end > id {
                let lower = Int(bounds[id]), upper = Int(bounds[end])
                (arena + (lower &- removedBytes)).copyMemory(from: arena + lower, byteCount: upper &- lower)
                for kept in id..<end {
                    newIDs[kept &- first] = UInt32(truncatingIfNeeded: kept &- removed)
                    bounds[kept &- removed &+ 1] = bounds[kept &+ 1] &- UInt32(truncatingIfNeeded: removedBytes)
                }
            }
            guard removed < repeats.count else { break }
            let earlier = repeats[removed].earlier
            newIDs[end &- first] = earlier < first ? UInt32(truncatingIfNeeded: earlier) : newIDs[earlier &- first]
            removedBytes &+= Int(bounds[end &+ 1] &- bounds[end])
            id = end &+ 1
        }
        return removedBytes
    }

    /// `placeNewKeys`' work: places the unplaced keys (no longer unplaced after it) in
    /// the table, grown first when they need it, and returns each that repeats a key with
    /// a smaller id, with that id.
    private mutating func placeUnplaced() -> [(id: Int, earlier: Int)] {
        guard unplacedCount > 0 else { return [] }
        let size = IdDictionary.tableSize(for: keyCount)
        let words = fittingSlotWords
        if slots.isEmpty || size > tableSize || words != slotWords { rebuild(size: Swift.max(size, tableSize)) }
        let repeats = slotWords == 2 ? placeUnplaced(words: 2) : placeUnplaced(words: 1)
        unplacedHashes = []
        unplacedCount = 0
        return repeats
    }

    /// `placeNewKeys`' work for slots of `words` words (a constant where it is called):
    /// a counting sort of the unplaced keys' tags (and, for two-word slots, their inline
    /// words, read from the arena in id order) by window, then each placed from its home
    /// slot; each repeated id with the smaller id of its key (equal keys share a home
    /// slot, so a window places them in id order and the first is in the table).
    @inline(__always)
    private mutating func placeUnplaced(words: Int) -> [(id: Int, earlier: Int)] {
        let first = keyCount &- unplacedCount, count = unplacedCount
        let mask = tableSize &- 1, window = IdDictionary.placementWindow
        let windows = (tableSize &+ window &- 1) / window
        // Scratch: where each window's entries go, then the tags (and inline words) by
        // window; every entry of `sorted` is written by the counting sort before it is read.
        let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: windows &+ 1)
        let sorted = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count &* words)
        defer {
            next.deallocate()
            sorted.deallocate()
        }
        next.initialize(repeating: 0)
        var repeats: [(id: Int, earlier: Int)] = []
        unplacedHashes.withUnsafeBufferPointer { hashes in
            bounds.withUnsafeBufferPointer { bounds in
                arena.withUnsafeBytes { arena in
                    slots.withUnsafeMutableBufferPointer { slots in
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
                                    let earlier = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) &- 1
                                    let other = key(earlier), mine = key(id)
                                    if (words == 2 && word != IdDictionary.longKey)
                                        || (other.count == mine.count && IdDictionary.bytesEqual(other.baseAddress, 0, mine))
                                    {
                                        repeats.append((id, earlier))
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
        return repeats
    }
}

/// How the ids of an id space changed when keys appended as new turned out to repeat
/// earlier keys and were merged into them (`IdDictionary.placeNewKeysMergingRepeats`):
/// ids below `firstChanged` stay; the others map through `newIDs`. Whatever stored the
/// provisional ids (a column, per-id totals) applies it so that its ids match the
/// dictionary's again.
public struct IdRenumbering: Sendable {
    /// The smallest id that changed (the first repeat).
    public let firstChanged: Int
    /// `newIDs[id - firstChanged]` is the id that `id` became.
    @usableFromInline let newIDs: [UInt32]
    /// The ids in the space after the merge.
    public let count: Int

    public init(firstChanged: Int, newIDs: [UInt32], count: Int) {
        self.firstChanged = firstChanged
        self.newIDs = newIDs
        self.count = count
    }

    /// The id that `id` (a provisional id, or `IdDictionary.absent`) became.
    @inlinable
    public subscript(id: UInt32) -> UInt32 {
        Int(id) < firstChanged || id == IdDictionary.absent ? id : newIDs[Int(id) &- firstChanged]
    }

    /// The ids that were provisional: from `firstChanged` up to before the merge.
    public var changed: Range<Int> { firstChanged..<(firstChanged + newIDs.count) }

    /// Rewrites every id of `ids` to the id it became.
    public func apply(to ids: inout [UInt32]) {
        ids.withUnsafeMutableBufferPointer { ids in
            for index in ids.indices { ids[index] = self[ids[index]] }
        }
    }
}
