#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPrefetch

/// Interns identifier strings (order, account, item, device ... ids) into dense `UInt32`
/// ids, so that every later stage works on fixed-width integers and per-entity state
/// lives in plain arrays indexed by id.
///
/// Ids are handed out in first-seen order (0, 1, 2 ...), which makes them deterministic
/// for a given input. The bytes of all keys live in one arena; each slot of the hash
/// table holds the high half of the key's hash beside `id + 1`, so a probe rejects most
/// other keys without touching the arena, and growing never rehashes keys. While the keys
/// average at most 8 bytes (accounts, items, devices), a slot also holds the key itself
/// when it fits (`inlineWord`), so that finding such a key reads one cache line, not
/// three (slot, bounds, arena); tables of longer keys (addresses, order ids) stay at one
/// word per slot, since their keys would not fit anyway.
///
/// A reader interns a batch of keys through an `Interner` (`withRoom`): room for the
/// batch is made once, and each key then costs one hash, one probe and, when new, one
/// copy and two stores, with no array bookkeeping per key.
public struct IdDictionary: Sendable {
    /// The id that stands for "no value" in a column whose id is optional.
    public static let absent: UInt32 = .max

    /// All interned keys, back to back in `arena[..<arenaUsed]`; the bytes after are
    /// slack, so that adding a key is one copy (no `Array.append` per key). Empty
    /// while the keys are `mappedKeys`.
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var arenaUsed = 0
    /// The keys of a dictionary loaded from a mapped native export, used in place of the
    /// arena (the file's pages: no fresh memory) until a key is added, which first copies
    /// them into the arena.
    @usableFromInline var mappedKeys: MappedKeys?
    /// `bounds[id] ..< bounds[id + 1]` is the key of `id` in `arena`; entries after
    /// `bounds[count]` are slack. 32-bit offsets (an id space's keys take at most 4 GB):
    /// half the memory of `Int`s for the million keys of near-unique id spaces.
    @usableFromInline var bounds: [UInt32] = [0]
    /// Number of distinct keys.
    @usableFromInline var keyCount = 0
    /// Open-addressing table (linear probing), `slotWords` words per slot: `hash &
    /// 0xFFFF_FFFF_0000_0000 | (id + 1)` (0 for an empty slot), then, in two-word slots,
    /// the key's `inlineWord`. The home slot of a key is its hash's high half masked.
    @usableFromInline var slots: [UInt64]
    /// Words per slot: 2 while the keys average at most 8 bytes, else 1 (chosen when the
    /// table is built; never changes an id).
    @usableFromInline var slotWords = 2
    /// The last `unplacedCount` keys were appended as new (`withRoom(forNewKeys:bytes:_:)`)
    /// and are in the arena and bounds but not yet in the table: `unplacedHashes[i]` is
    /// the high half of the hash of id `keyCount - unplacedCount + i` (its slot tag's). The
    /// table takes them all at once (`placeNewKeys`), in the order of their home slots;
    /// entries from `unplacedCount` on are slack.
    @usableFromInline var unplacedHashes: [UInt32] = []
    @usableFromInline var unplacedCount = 0

    /// Creates an empty dictionary sized for about `capacity` keys.
    public init(capacity: Int = 1024) {
        slots = IdDictionary.emptyTable(slots: IdDictionary.tableSize(for: capacity), words: slotWords)
    }

    /// Makes room for `keys` distinct keys in all without growing the table (a reader that
    /// knows its row count, such as the unique order ids, calls it once). Capacity for
    /// the bounds of `storedKeys` keys (at least `keys`), and arena capacity for them as
    /// long as the keys so far on average, is reserved too, not written: a reader whose
    /// count is an estimate reserves storage for a margin beyond it, since capacity costs
    /// no memory until written while outgrowing it copies the whole arena and bounds,
    /// whereas the table is written whole and is sized for `keys` alone.
    public mutating func reserveCapacity(_ keys: Int, storedKeys: Int = 0) {
        let size = IdDictionary.tableSize(for: keys)
        if size > tableSize { rebuild(size: size) }
        let stored = Swift.max(keys, storedKeys)
        bounds.reserveCapacity(stored + 1)
        if unplacedCount > 0 && stored > keyCount { unplacedHashes.reserveCapacity(unplacedCount + stored - keyCount) }
        if keyCount > 0 && stored > keyCount {
            let capacity = arenaUsed + arenaUsed / keyCount * (stored - keyCount) + 8
            ownKeys(capacity: capacity)
            arena.reserveCapacity(capacity)
        }
    }

    /// Number of slots in the table.
    var tableSize: Int { slots.count / slotWords }

    /// The table size (a power of two) that holds `keys` keys at most half full.
    static func tableSize(for keys: Int) -> Int {
        var size = 16
        while size < keys * 2 { size <<= 1 }
        return size
    }

    /// A dictionary of keys stored back to back in id order (`arena`, with `starts` as in
    /// the `starts` property), as a segment file keeps it. The hash table is not built
    /// here: a loaded export mostly turns ids into strings and never adds one, so the
    /// table is built when the first key is interned (or, slowly, for a lookup). Keys
    /// must be distinct (a duplicate would be found under its first id only).
    init(arena: [UInt8], starts: [UInt32]) {
        precondition(starts.first == 0 && starts.last.map(Int.init) == arena.count, "starts must span the arena")
        self.arena = arena
        self.arenaUsed = arena.count
        self.bounds = starts
        self.keyCount = starts.count - 1
        self.slots = []
    }

    /// A dictionary of keys stored back to back in id order in `keys` (bytes that live as
    /// long as it does and never change: a mapped file's), used in place; otherwise as
    /// `init(arena:starts:)`.
    init(mappedKeys keys: MappedKeys, starts: [UInt32]) {
        precondition(starts.first == 0 && starts.last.map(Int.init) == keys.bytes.count, "starts must span the keys")
        self.mappedKeys = keys
        self.arenaUsed = keys.bytes.count
        self.bounds = starts
        self.keyCount = starts.count - 1
        self.slots = []
    }

    /// The interned keys back to back in id order (what `init(arena:starts:)` takes).
    var keyBytes: [UInt8] { withKeyBytes { Array($0[..<arenaUsed]) } }

    /// Runs `body` with the keys' bytes: the arena, or the mapped keys.
    @inlinable
    func withKeyBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let mappedKeys { return body(mappedKeys.bytes) }
        return arena.withUnsafeBytes(body)
    }

    /// Copies mapped keys into the arena, before a key is added, into capacity for
    /// `capacity` bytes (the keys' and those about to be added), so that the arena is not
    /// copied again to grow.
    @usableFromInline
    mutating func ownKeys(capacity: Int) {
        guard let keys = mappedKeys else { return }
        var owned: [UInt8] = []
        owned.reserveCapacity(Swift.max(capacity, keys.bytes.count))
        owned.append(contentsOf: keys.bytes)
        arena = owned
        mappedKeys = nil
    }

    /// `starts[id] ..< starts[id + 1]` is the key of `id` in `keyBytes`; `count + 1` entries.
    public var starts: ArraySlice<UInt32> { bounds[...keyCount] }

    /// Number of distinct keys.
    public var count: Int { keyCount }

    /// Returns the id of `key`, adding it if it is new.
    @inlinable
    public mutating func intern(_ key: UnsafeRawBufferPointer) -> UInt32 {
        withRoom(forKeys: 1, bytes: key.count) { $0.intern(key) }
    }

    /// Runs `body` with an `Interner` that may add up to `keys` new keys of `bytes` bytes
    /// in all: the table, arena and bounds are grown for them first, then held open.
    @inlinable
    public mutating func withRoom<Result>(forKeys keys: Int, bytes: Int, _ body: (inout Interner) -> Result) -> Result {
        makeRoom(keys: keys, bytes: bytes)
        var slots: [UInt64] = [], arena: [UInt8] = [], bounds: [UInt32] = []
        swap(&slots, &self.slots)
        swap(&arena, &self.arena)
        swap(&bounds, &self.bounds)
        defer {
            swap(&slots, &self.slots)
            swap(&arena, &self.arena)
            swap(&bounds, &self.bounds)
        }
        let used = arenaUsed, count = keyCount, words = slotWords
        let (result, newUsed, newCount) = slots.withUnsafeMutableBufferPointer { slots in
            arena.withUnsafeMutableBytes { arena in
                bounds.withUnsafeMutableBufferPointer { bounds in
                    var interner = Interner(
                        slots: slots.baseAddress!, words: words, mask: slots.count / words &- 1, arena: arena.baseAddress!,
                        arenaUsed: used, arenaLimit: used &+ bytes, bounds: bounds.baseAddress!, count: count,
                        countLimit: count &+ keys)
                    let result = body(&interner)
                    return (result, interner.arenaUsed, interner.count)
                }
            }
        }
        arenaUsed = newUsed
        keyCount = newCount
        return result
    }

    /// Grows the table, the arena's slack and the bounds' slack for `keys` more keys of
    /// `bytes` bytes (each at least doubling, so growth is amortised). The arena and the
    /// bounds get zeroed slack for this batch only, in capacity reserved ahead (pages the
    /// system hands out when first written), so that neither a generous reservation nor
    /// a doubling touches memory no key uses.
    @usableFromInline
    mutating func makeRoom(keys: Int, bytes: Int) {
        precondition(unplacedCount == 0, "new keys appended and not yet placed (placeNewKeys)")
        makeStorageRoom(keys: keys, bytes: bytes)
        if slots.isEmpty || (keyCount &+ keys) &* 2 > tableSize {
            rebuild(size: IdDictionary.tableSize(for: Swift.max(keyCount &+ keys, tableSize)))
        }
    }

    /// Grows the arena's and the bounds' slack for `keys` more keys of `bytes` bytes (the
    /// table is `makeRoom`'s).
    @usableFromInline
    mutating func makeStorageRoom(keys: Int, bytes: Int) {
        precondition(keyCount + keys < Int(IdDictionary.absent) - 1, "more than 4 billion distinct ids in one id space")
        precondition(arenaUsed + bytes + 8 <= Int(UInt32.max), "more than 4 GB of keys in one id space")
        ownKeys(capacity: arenaUsed &+ bytes &+ 8)
        // 8 bytes of slack beyond the keys, so arena pointers stay valid for empty keys.
        IdDictionary.extend(&arena, to: arenaUsed &+ bytes &+ 8)
        IdDictionary.extend(&bounds, to: keyCount &+ keys &+ 1)
    }

    /// Appends zeros to `array` up to `count` elements, in capacity that at least doubles
    /// when it runs out (`reserveCapacity` alone does not write the new memory).
    static func extend<Element: BinaryInteger>(_ array: inout [Element], to count: Int) {
        guard count > array.count else { return }
        array.append(count - array.count, copiesOf: 0, growth: 2)
    }

    /// A batch of interning with the dictionary's storage held open (see `withRoom`).
    public struct Interner {
        @usableFromInline let slots: UnsafeMutablePointer<UInt64>
        @usableFromInline let words: Int
        @usableFromInline let mask: Int
        @usableFromInline let arena: UnsafeMutableRawPointer
        @usableFromInline var arenaUsed: Int
        @usableFromInline let arenaLimit: Int
        @usableFromInline let bounds: UnsafeMutablePointer<UInt32>
        @usableFromInline var count: Int
        @usableFromInline let countLimit: Int

        @usableFromInline
        init(slots: UnsafeMutablePointer<UInt64>, words: Int, mask: Int, arena: UnsafeMutableRawPointer,
             arenaUsed: Int, arenaLimit: Int, bounds: UnsafeMutablePointer<UInt32>, count: Int, countLimit: Int) {
            self.slots = slots
            self.words = words
            self.mask = mask
            self.arena = arena
            self.arenaUsed = arenaUsed
            self.arenaLimit = arenaLimit
            self.bounds = bounds
            self.count = count
            self.countLimit = countLimit
        }

        /// Returns the id of `key`, adding it if it is new (within the room asked for).
        @inlinable
        public mutating func intern(_ key: UnsafeRawBufferPointer) -> UInt32 {
            let hash = IdDictionary.hash(key)
            return intern(key, hash: hash, home: Int(truncatingIfNeeded: hash >> 32) & mask, words: words)
        }

        /// Interns the first `count` keys of `block` in order, writing their ids to
        /// `ids[0 ..< count]` (`absent` for a missing key): the ids `intern` gives one key
        /// at a time. A reader interning keys at random from a table larger than the caches
        /// passes a block of keys at once (the CSV reader: `ColumnGroup.keysAhead`), so
        /// that their cache misses overlap instead of coming one after the other: each key
        /// is hashed once and its home slot fetched as soon as it is known, then the keys
        /// are probed in order from those home slots. A key compared in the arena whose
        /// home slot holds a key of its hash half then has that key's bounds and bytes
        /// fetched too (`fetchCandidates`): most often it is the key itself, a repeated
        /// account or device.
        ///
        /// A key equal to the key `block.keysPerRow` places before it (the same field of
        /// the row before; for the block's first row, the key whose id the block's
        /// previous call gave last, compared with its bytes in this dictionary) takes that
        /// key's id without hashing or probing: exports list a waybill's scans or a shop's
        /// orders together, and equal bytes are the same key, so ids do not change.
        public mutating func intern(_ block: KeyBlock, count: Int, into ids: UnsafeMutablePointer<UInt32>) {
            precondition(count <= block.capacity, "more keys than the block holds")
            let keys = block.keys, lengths = block.lengths, hashes = block.hashes, homes = block.homes
            let slots = slots, words = words, mask = mask, stride = block.keysPerRow
            for index in 0..<count where lengths[index] >= 0 {
                let key = UnsafeRawBufferPointer(start: keys[index], count: lengths[index])
                if block.repeatsPrevious(key, at: index, keyCount: self.count, bounds: bounds, arena: arena) {
                    homes[index] = -1
                    continue
                }
                let hash = IdDictionary.hash(key)
                let home = Int(truncatingIfNeeded: hash >> 32) & mask
                hashes[index] = hash
                homes[index] = home
                cw_prefetch(slots + home &* words)
            }
            IdDictionary.fetchCandidates(block, count: count, slots: slots, words: words, bounds: bounds, arena: arena)
            if words == 2 { probe(block, count: count, into: ids, words: 2) } else { probe(block, count: count, into: ids, words: 1) }
            for index in Swift.max(0, count &- stride)..<count { block.previousIDs[index % stride] = ids[index] }
        }

        /// The second pass of `intern(_:count:into:)`, for slots of `words` words (a
        /// constant where it is called, so the slot arithmetic folds); a repeated key
        /// (home slot -1) takes the id of the key it repeats.
        @inline(__always)
        mutating func probe(_ block: KeyBlock, count: Int, into ids: UnsafeMutablePointer<UInt32>, words: Int) {
            let keys = block.keys, lengths = block.lengths, hashes = block.hashes, homes = block.homes
            let stride = block.keysPerRow
            for index in 0..<count {
                let length = lengths[index]
                if length < 0 {
                    ids[index] = IdDictionary.absent
                } else if homes[index] < 0 {
                    ids[index] = index >= stride ? ids[index &- stride] : block.previousIDs[index]
                } else {
                    ids[index] = intern(
                        UnsafeRawBufferPointer(start: keys[index], count: length), hash: hashes[index], home: homes[index],
                        words: words)
                }
            }
        }

        /// Returns the id of `key`, whose `IdDictionary.hash` is `hash` and home slot
        /// `home`, adding it if it is new (within the room asked for).
        @inlinable @inline(__always)
        mutating func intern(_ key: UnsafeRawBufferPointer, hash: UInt64, home: Int, words: Int) -> UInt32 {
            let word = IdDictionary.inlineWord(key)
            let found = IdDictionary.probe(
                key, hash: hash, home: home, word: word, slots: slots, words: words, mask: mask, bounds: bounds,
                arena: UnsafeRawPointer(arena))
            if found >= 0 { return UInt32(truncatingIfNeeded: found) }
            let end = arenaUsed &+ key.count
            precondition(count < countLimit && end <= arenaLimit, "more keys than the room asked for")
            IdDictionary.copy(key, to: arena + arenaUsed)
            arenaUsed = end
            let id = count
            count = id &+ 1
            bounds[count] = UInt32(truncatingIfNeeded: end)
            let index = ~found &* words
            slots[index] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(id &+ 1)
            if words == 2 { slots[index &+ 1] = word }
            return UInt32(truncatingIfNeeded: id)
        }
    }

    /// A block of keys to intern together (`Interner.intern(_:count:into:)`): each key as
    /// its start and length (negative for a missing value), and room for what interning
    /// works out per key (hash, home slot), so that nothing is worked out twice. A reader
    /// allocates one and reuses it for every block; `deallocate` frees it.
    ///
    /// Keys come `keysPerRow` to a row (a row's fields in order, every block starting at a
    /// row's first field), so that a key can be compared with the same field of the row
    /// before; the ids of the last row interned are kept for the next block's first row.
    public struct KeyBlock {
        /// The most keys the block holds.
        public let capacity: Int
        /// Keys per row: a key repeats the key this many places before it.
        public let keysPerRow: Int
        /// Where each key starts.
        public let keys: UnsafeMutablePointer<UnsafeRawPointer>
        /// Each key's length in bytes; negative for a missing value.
        public let lengths: UnsafeMutablePointer<Int>
        let hashes: UnsafeMutablePointer<UInt64>
        let homes: UnsafeMutablePointer<Int>
        /// The ids `fetchCandidates` fetches the keys of.
        let candidates: UnsafeMutablePointer<Int>
        /// The ids of the last row's keys interned (`absent` at first).
        let previousIDs: UnsafeMutablePointer<UInt32>

        /// An uninitialised block of `capacity` keys, `keysPerRow` to a row.
        public init(capacity: Int, keysPerRow: Int = 1) {
            precondition(keysPerRow >= 1 && keysPerRow <= capacity, "a row must fit in the block")
            self.capacity = capacity
            self.keysPerRow = keysPerRow
            keys = .allocate(capacity: capacity)
            lengths = .allocate(capacity: capacity)
            hashes = .allocate(capacity: capacity)
            homes = .allocate(capacity: capacity)
            candidates = .allocate(capacity: capacity)
            previousIDs = .allocate(capacity: keysPerRow)
            previousIDs.initialize(repeating: IdDictionary.absent, count: keysPerRow)
        }

        /// Frees the block's memory.
        public func deallocate() {
            keys.deallocate()
            lengths.deallocate()
            hashes.deallocate()
            homes.deallocate()
            candidates.deallocate()
            previousIDs.deallocate()
        }

        /// Whether `key`, the key at `index`, equals the key `keysPerRow` places before it
        /// or, in the block's first row, the key of the id kept from the call before when
        /// that id is one of the `keyCount` keys so far (its bytes at `bounds` in `arena`).
        @inline(__always)
        func repeatsPrevious(_ key: UnsafeRawBufferPointer, at index: Int, keyCount: Int,
                             bounds: UnsafePointer<UInt32>, arena: UnsafeRawPointer) -> Bool {
            if index >= keysPerRow {
                return lengths[index &- keysPerRow] == key.count && IdDictionary.bytesEqual(keys[index &- keysPerRow], 0, key)
            }
            let id = Int(previousIDs[index])
            guard id < keyCount else { return false }
            let lower = Int(bounds[id])
            return Int(bounds[id &+ 1]) &- lower == key.count && IdDictionary.bytesEqual(arena, lower, key)
        }
    }

    /// Copies `key` to `target` a word at a time (the last word overlapping; two
    /// overlapping half words for keys of 4 to 7 bytes), bytes for shorter keys.
    @inlinable @inline(__always)
    static func copy(_ key: UnsafeRawBufferPointer, to target: UnsafeMutableRawPointer) {
        let count = key.count
        guard let source = key.baseAddress else { return }
        if count < 8 && count >= 4 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: count &- 4, as: UInt32.self)
            return
        }
        if count < 8 {
            for index in 0..<count {
                target.storeBytes(of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self)
            }
            return
        }
        var index = 0
        while index &+ 8 < count {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: index, as: UInt64.self), toByteOffset: index, as: UInt64.self)
            index &+= 8
        }
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self),
                          toByteOffset: count &- 8, as: UInt64.self)
    }

    /// Returns the id of `key`, adding it if it is new.
    public mutating func intern(_ key: String) -> UInt32 {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The id of `key`, or nil when it was never interned.
    @inlinable
    public func lookup(_ key: UnsafeRawBufferPointer) -> UInt32? {
        guard !slots.isEmpty else { return withTable().find(key, hash: IdDictionary.hash(key)) }
        return find(key, hash: IdDictionary.hash(key))
    }

    /// Looks up the first `count` keys of `block` without adding any, writing their ids
    /// to `ids[0 ..< count]` (`absent` for a missing or unknown key): the ids `lookup`
    /// gives one key at a time, with every key's home slot fetched ahead as
    /// `Interner.intern(_:count:into:)` does, so that a block's cache misses overlap (a
    /// reader resolving ratings' order ids in a table of the orders larger than the caches).
    public func lookup(_ block: KeyBlock, count: Int, into ids: UnsafeMutablePointer<UInt32>) {
        precondition(count <= block.capacity, "more keys than the block holds")
        precondition(unplacedCount == 0, "new keys appended and not yet placed (placeNewKeys)")
        guard !slots.isEmpty else { return withTable().lookup(block, count: count, into: ids) }
        let keys = block.keys, lengths = block.lengths, hashes = block.hashes, homes = block.homes
        let words = slotWords
        slots.withUnsafeBufferPointer { slots in
            bounds.withUnsafeBufferPointer { bounds in
                withKeyBytes { arena in
                    let mask = slots.count / words &- 1
                    for index in 0..<count where lengths[index] >= 0 {
                        let hash = IdDictionary.hash(UnsafeRawBufferPointer(start: keys[index], count: lengths[index]))
                        hashes[index] = hash
                        homes[index] = Int(truncatingIfNeeded: hash >> 32) & mask
                        cw_prefetch(slots.baseAddress! + homes[index] &* words)
                    }
                    IdDictionary.fetchCandidates(
                        block, count: count, slots: slots.baseAddress!, words: words, bounds: bounds.baseAddress!, arena: arena.baseAddress)
                    for index in 0..<count {
                        guard lengths[index] >= 0 else {
                            ids[index] = IdDictionary.absent
                            continue
                        }
                        let key = UnsafeRawBufferPointer(start: keys[index], count: lengths[index])
                        let found = IdDictionary.probe(
                            key, hash: hashes[index], home: homes[index], word: IdDictionary.inlineWord(key),
                            slots: slots.baseAddress!, words: words, mask: mask, bounds: bounds.baseAddress!,
                            arena: arena.baseAddress)
                        ids[index] = found >= 0 ? UInt32(truncatingIfNeeded: found) : IdDictionary.absent
                    }
                }
            }
        }
    }

    /// The fetch pass after the home slots' (`Interner.intern(_:count:into:)`,
    /// `lookup(_:count:into:)`): each key of `block` compared in the arena (every key in
    /// one-word slots, those over 8 bytes in two-word slots) whose home slot holds a key
    /// with its hash half has that key's bounds fetched, then, once all are asked for, its
    /// bytes, so that the probe's compare does not wait on two misses one after the other
    /// (a repeated account or device in tables larger than the caches).
    @inline(__always)
    static func fetchCandidates(
        _ block: KeyBlock, count: Int, slots: UnsafePointer<UInt64>, words: Int, bounds: UnsafePointer<UInt32>,
        arena: UnsafeRawPointer?
    ) {
        guard let arena else { return }
        let lengths = block.lengths, hashes = block.hashes, homes = block.homes, candidates = block.candidates
        var found = 0
        for index in 0..<count where lengths[index] > (words == 1 ? -1 : 8) && homes[index] >= 0 {
            let tag = slots[homes[index] &* words]
            guard tag != 0 && (tag ^ hashes[index]) >> 32 == 0 else { continue }
            let id = Int(truncatingIfNeeded: tag & 0xFFFF_FFFF) &- 1
            cw_prefetch(bounds + id)
            candidates[found] = id
            found &+= 1
        }
        for candidate in 0..<found { cw_prefetch(arena + Int(bounds[candidates[candidate]])) }
    }

    /// A copy with its hash table built (for a lookup in a dictionary loaded without
    /// one; costs a pass over the keys, so readers that look up often intern first).
    @usableFromInline
    func withTable() -> IdDictionary {
        var copy = self
        copy.grow()
        return copy
    }

    /// The id of `key`, or nil when it was never interned.
    public func lookup(_ key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// The key of `id` as a string (for reports and evidence, never on a hot path).
    public func string(_ id: UInt32) -> String {
        let lower = Int(bounds[Int(id)]), upper = Int(bounds[Int(id) + 1])
        return withKeyBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[lower..<upper]), as: UTF8.self) }
    }

    /// The key of `id`, or `fallback` when `id` is `absent`.
    public func string(_ id: UInt32, absent fallback: String) -> String {
        id == IdDictionary.absent ? fallback : string(id)
    }

    /// All keys in id order.
    public var keys: [String] { (0..<count).map { string(UInt32($0)) } }

    /// Probes from the key's home slot until the key or an empty slot.
    @usableFromInline
    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UInt32? {
        precondition(unplacedCount == 0, "new keys appended and not yet placed (placeNewKeys)")
        let probe = probe(key, hash: hash)
        return probe >= 0 ? UInt32(truncatingIfNeeded: probe) : nil
    }

    /// Probes from the key's home slot: the key's id (>= 0) when present, else `~index`
    /// of the empty slot where it belongs (< 0).
    @inlinable
    func probe(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        slots.withUnsafeBufferPointer { slots in
            bounds.withUnsafeBufferPointer { bounds in
                withKeyBytes { arena in
                    let mask = slots.count / slotWords &- 1
                    return IdDictionary.probe(
                        key, hash: hash, home: Int(truncatingIfNeeded: hash >> 32) & mask, word: IdDictionary.inlineWord(key),
                        slots: slots.baseAddress!, words: slotWords, mask: mask, bounds: bounds.baseAddress!,
                        arena: arena.baseAddress)
                }
            }
        }
    }

    /// Probes `slots` (`words` words a slot, table size `mask + 1`) from `home`, the home
    /// slot of `key`, whose hash is `hash` and inline word `word`: the key's id (>= 0) when
    /// present, else `~index` of the empty slot where it belongs (< 0). A slot holds the
    /// key when its hash half matches and then, in a two-word slot, its inline word does
    /// (enough unless both are `longKey`), and otherwise the key's bytes in the arena do.
    @inlinable @inline(__always)
    static func probe(
        _ key: UnsafeRawBufferPointer, hash: UInt64, home: Int, word: UInt64, slots: UnsafePointer<UInt64>, words: Int,
        mask: Int, bounds: UnsafePointer<UInt32>, arena: UnsafeRawPointer?
    ) -> Int {
        let high = hash & 0xFFFF_FFFF_0000_0000
        var index = home
        while true {
            let tag = slots[index &* words]
            if tag == 0 { return ~index }
            if tag & 0xFFFF_FFFF_0000_0000 == high && (words == 1 || slots[index &* 2 &+ 1] == word) {
                let id = Int(truncatingIfNeeded: tag & 0xFFFF_FFFF) &- 1
                if words == 2 && word != longKey { return id }
                let lower = Int(bounds[id])
                if Int(bounds[id &+ 1]) &- lower == key.count && bytesEqual(arena, lower, key) { return id }
            }
            index = (index &+ 1) & mask
        }
    }

    /// The inline word of a key that is not kept in its slot (longer than 8 bytes, or 8
    /// bytes ending in a byte below 8): no key's `inlineWord` can equal it, since a key
    /// of one byte has zeros in bytes 1 to 6.
    @usableFromInline
    static let longKey: UInt64 = 0x01FF_FFFF_FFFF_FF00

    /// The key itself as one word, different for different keys, when it fits: a key of
    /// 0-7 bytes has its bytes in the low bytes and its length in the top byte (0-7); a
    /// key of 8 bytes is its bytes when its last byte is 8 or more (any text id). Other
    /// keys get `longKey` and are compared in the arena.
    @inlinable @inline(__always)
    static func inlineWord(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let count = key.count
        if count == 8 {
            let word = key.loadUnaligned(as: UInt64.self)
            return word >> 56 >= 8 ? word : longKey
        }
        if count > 8 { return longKey }
        var word = UInt64(truncatingIfNeeded: count) << 56
        if count >= 4 {
            word |= UInt64(key.loadUnaligned(as: UInt32.self))
                | UInt64(key.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)) << ((count &- 4) &* 8)
        } else if count > 0 {
            word |= UInt64(key[0]) | UInt64(key[count >> 1]) << ((count >> 1) &* 8)
                | UInt64(key[count &- 1]) << ((count &- 1) &* 8)
        }
        return word
    }

    /// Whether `key` equals the `key.count` bytes at `offset` of `arena`, compared a
    /// word at a time (the last word overlapping) instead of calling `memcmp`.
    @inlinable
    static func bytesEqual(_ arena: UnsafeRawPointer?, _ offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let count = key.count
        guard count > 0, let arena, let bytes = key.baseAddress else { return true }
        let stored = arena + offset
        if count < 8 {
            if count >= 4 {
                return stored.loadUnaligned(as: UInt32.self) == bytes.loadUnaligned(as: UInt32.self)
                    && stored.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
                        == bytes.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            }
            for index in 0..<count where stored.load(fromByteOffset: index, as: UInt8.self) != key[index] {
                return false
            }
            return true
        }
        var index = 0
        while index &+ 8 < count {
            if stored.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                != bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            {
                return false
            }
            index &+= 8
        }
        return stored.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            == bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
    }

    /// Puts a slot (its tag and, in two-word slots, inline word) into the first empty slot
    /// from its home slot.
    private static func place(_ tag: UInt64, _ word: UInt64, in slots: UnsafeMutableBufferPointer<UInt64>, words: Int) {
        let mask = slots.count / words &- 1
        var index = Int(truncatingIfNeeded: tag >> 32) & mask
        while slots[index &* words] != 0 { index = (index &+ 1) & mask }
        slots[index &* words] = tag
        if words == 2 { slots[index &* 2 &+ 1] = word }
    }

    /// Doubles the table.
    @usableFromInline
    mutating func grow() { rebuild(size: tableSize * 2) }

    /// The slot width (`slotWords`) for the keys so far: 2 while they average at most 8
    /// bytes (the key's `inlineWord` beside its hash half and id), else 1.
    var fittingSlotWords: Int { keyCount == 0 || arenaUsed <= 8 &* keyCount ? 2 : 1 }

    /// Moves the slots into a table of `size` slots (their hash half gives the new
    /// home), choosing the slot width for the keys so far; a dictionary loaded without a
    /// table, or changing width, gets one from its keys (those not waiting to be placed).
    mutating func rebuild(size: Int) {
        let words = fittingSlotWords
        var table = IdDictionary.emptyTable(slots: max(size, IdDictionary.tableSize(for: count + 1)), words: words)
        table.withUnsafeMutableBufferPointer { table in
            if slots.isEmpty || words != slotWords {
                withKeyBytes { bytes in
                    for id in 0..<(keyCount - unplacedCount) {
                        let key = UnsafeRawBufferPointer(rebasing: bytes[Int(bounds[id])..<Int(bounds[id + 1])])
                        let tag = IdDictionary.hash(key) & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
                        IdDictionary.place(tag, IdDictionary.inlineWord(key), in: table, words: words)
                    }
                }
            } else {
                for index in stride(from: 0, to: slots.count, by: words) where slots[index] != 0 {
                    IdDictionary.place(slots[index], words == 2 ? slots[index + 1] : 0, in: table, words: words)
                }
            }
        }
        slots = table
        slotWords = words
    }

    /// A table of `slots` empty slots of `words` words. A table written whole here and
    /// probed at random afterwards; on huge pages when it spans several (`HugePages`):
    /// the order ids' and the waybills' tables of a million keys (16 MB each) then fault
    /// 8 times instead of 4,096 and their probes miss the TLB less.
    static func emptyTable(slots: Int, words: Int) -> [UInt64] {
        let count = slots &* words
        return [UInt64](unsafeUninitializedCapacity: count) { table, initialized in
            let slots = UnsafeMutableBufferPointer(rebasing: table[..<count])
            HugePages.advise(slots)
            slots.initialize(repeating: 0)
            initialized = count
        }
    }

    /// A fast 64-bit hash of a short key: 8-byte words folded with a multiply-rotate
    /// step (a partial last word is read as the key's last 8 bytes, overlapping; keys
    /// under 8 bytes as two overlapping halves), then a murmur3 finaliser so that both
    /// halves are well mixed. The length is in the seed, so overlaps cannot collide.
    @inlinable
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        var offset = 0
        while offset &+ 8 <= n {
            h = mix(h, key.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset &+= 8
        }
        if offset < n {
            let tail: UInt64
            if n >= 8 {
                tail = key.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            } else if n >= 4 {
                tail = UInt64(key.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                    | UInt64(key.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)) << 32
            } else {
                tail = UInt64(key[0]) | UInt64(key[n >> 1]) << 8 | UInt64(key[n &- 1]) << 16
            }
            h = mix(h, tail)
        }
        return h.scrambled
    }

    @inlinable
    static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
        ((h ^ word) &* 0xBF58_476D_1CE4_E5B9).rotatedLeft(31)
    }
}

extension UInt64 {
    @inlinable
    func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 &- count)) }

    /// The value through the murmur3 64-bit finaliser: a bijection that spreads every input
    /// bit over every output bit (hash tables, signatures summed over many values).
    @inlinable
    public var scrambled: UInt64 {
        var h = self
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}

/// Key bytes of an id dictionary in a mapped file (`IdDictionary.mappedKeys`): the bytes,
/// and the file that holds them as long as a dictionary uses them.
public final class MappedKeys: @unchecked Sendable {
    /// The keys back to back; valid while this object lives, never written.
    public let bytes: UnsafeRawBufferPointer
    private let file: FileBytes

    /// Bytes `range` of `file`.
    public init(_ file: FileBytes, range: Range<Int>) {
        self.file = file
        bytes = UnsafeRawBufferPointer(rebasing: file.bytes[range])
    }
}
