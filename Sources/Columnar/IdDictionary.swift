#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns identifier strings (order, account, item, device ... ids) into dense `UInt32`
/// ids, so that every later stage works on fixed-width integers and per-entity state
/// lives in plain arrays indexed by id.
///
/// Ids are handed out in first-seen order (0, 1, 2 ...), which makes them deterministic
/// for a given input. The bytes of all keys live in one arena; the hash table holds
/// only `id + 1` per slot, so memory grows with the number of distinct keys.
public struct IdDictionary: Sendable {
    /// The id that stands for "no value" in a column whose id is optional.
    public static let absent: UInt32 = .max

    /// All interned keys, back to back.
    public private(set) var arena: [UInt8] = []
    /// `starts[id] ..< starts[id + 1]` is the key of `id` in `arena`.
    public private(set) var starts: [Int] = [0]
    /// Low 32 bits of each key's hash, by id (used to grow the table without rehashing
    /// and to skip most byte comparisons).
    private var hashes: [UInt32] = []
    /// Open-addressing table (linear probing) of `id + 1`; 0 is an empty slot.
    private var slots: [UInt32]

    /// Creates an empty dictionary sized for about `capacity` keys.
    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        hashes.reserveCapacity(capacity)
        starts.reserveCapacity(capacity + 1)
    }

    /// Rebuilds a dictionary from its keys back to back in id order (`arena`, with
    /// `starts` as in the stored property), as a segment file keeps it: hashes and table
    /// are computed again, so lookups and interning work as before. Keys must be
    /// distinct (a duplicate would be found under its first id only).
    init(arena: [UInt8], starts: [Int]) {
        precondition(starts.first == 0 && starts.last == arena.count, "starts must span the arena")
        let count = starts.count - 1
        var size = 16
        while size < count * 2 { size <<= 1 }
        self.arena = arena
        self.starts = starts
        slots = [UInt32](repeating: 0, count: size)
        let full: [UInt64] = arena.withUnsafeBytes { arena in
            (0..<count).map { IdDictionary.hash(UnsafeRawBufferPointer(rebasing: arena[starts[$0]..<starts[$0 + 1]])) }
        }
        hashes = full.map { UInt32(truncatingIfNeeded: $0) }
        for id in 0..<count { place(id: UInt32(id), hash: full[id]) }
    }

    /// Number of distinct keys.
    public var count: Int { hashes.count }

    /// Returns the id of `key`, adding it if it is new.
    @inlinable
    public mutating func intern(_ key: UnsafeRawBufferPointer) -> UInt32 {
        let hash = IdDictionary.hash(key)
        if let id = find(key, hash: hash) { return id }
        return insertNew(key, hash: hash)
    }

    /// Returns the id of `key`, adding it if it is new.
    public mutating func intern(_ key: String) -> UInt32 {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The id of `key`, or nil when it was never interned.
    @inlinable
    public func lookup(_ key: UnsafeRawBufferPointer) -> UInt32? {
        find(key, hash: IdDictionary.hash(key))
    }

    /// The id of `key`, or nil when it was never interned.
    public func lookup(_ key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// The key of `id` as a string (for reports and evidence, never on a hot path).
    public func string(_ id: UInt32) -> String {
        let lower = starts[Int(id)], upper = starts[Int(id) + 1]
        return arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[lower..<upper]), as: UTF8.self)
        }
    }

    /// The key of `id`, or `fallback` when `id` is `absent`.
    public func string(_ id: UInt32, absent fallback: String) -> String {
        id == IdDictionary.absent ? fallback : string(id)
    }

    /// All keys in id order.
    public var keys: [String] { (0..<count).map { string(UInt32($0)) } }

    @usableFromInline
    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UInt32? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            let tag = UInt32(truncatingIfNeeded: hash)
            var index = Int(truncatingIfNeeded: hash >> 32) & mask
            while true {
                let slot = slots[index]
                if slot == 0 { return nil }
                let id = Int(slot &- 1)
                if hashes[id] == tag && keyEquals(id, key) { return UInt32(id) }
                index = (index &+ 1) & mask
            }
        }
    }

    @usableFromInline
    mutating func insertNew(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UInt32 {
        precondition(count < Int(IdDictionary.absent) - 1, "more than 4 billion distinct ids in one id space")
        let id = UInt32(count)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        hashes.append(UInt32(truncatingIfNeeded: hash))
        if count * 2 > slots.count { grow() }
        place(id: id, hash: hash)
        return id
    }

    private func keyEquals(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let lower = starts[id], upper = starts[id + 1]
        guard upper - lower == key.count else { return false }
        if key.count == 0 { return true }
        return arena.withUnsafeBytes { arena in
            memcmp(arena.baseAddress! + lower, key.baseAddress!, key.count) == 0
        }
    }

    private mutating func place(id: UInt32, hash: UInt64) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash >> 32) & mask
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[index] != 0 { index = (index &+ 1) & mask }
            slots[index] = id &+ 1
        }
    }

    private mutating func grow() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        for id in 0..<count {
            let lower = starts[id], upper = starts[id + 1]
            let hash = arena.withUnsafeBytes {
                IdDictionary.hash(UnsafeRawBufferPointer(rebasing: $0[lower..<upper]))
            }
            place(id: UInt32(id), hash: hash)
        }
    }

    /// A fast 64-bit hash of a short key: 8-byte words folded with a multiply-rotate
    /// step, then a murmur3 finaliser so that both halves are well mixed.
    @inlinable
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: key.count)
        var offset = 0
        let n = key.count
        while offset + 8 <= n {
            let word = key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            h = ((h ^ word) &* 0xBF58_476D_1CE4_E5B9).rotatedLeft(31)
            offset &+= 8
        }
        if offset < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < n {
                tail |= UInt64(key[offset]) << shift
                shift &+= 8
                offset &+= 1
            }
            h = ((h ^ tail) &* 0xBF58_476D_1CE4_E5B9).rotatedLeft(31)
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}

extension UInt64 {
    @inlinable
    func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 &- count)) }
}
