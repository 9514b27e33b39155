/// A key of a `KeyPlaces` table: equal keys have equal `placeHash`, a well-mixed 64-bit
/// hash whose top bits choose the key's first slot.
protocol PlaceKey: Equatable {
    var placeHash: UInt64 { get }
}

/// The places of distinct keys, each key's number in the order it was first entered, by
/// open addressing (linear probing in a table at least twice as large as the keys it is
/// made for). Detection's one general key-to-place table (`SharedSignatures` keeps a
/// per-bucket one of entries in its slots): where a kernel looks up a key per
/// row (an order's buyer-shop pair, a tensor cell), one probe or a few replace a binary
/// search's dozen mispredicted steps or a `Dictionary`'s hashing and resizing. The
/// caller keeps what belongs to a place in its own arrays, indexed by the place.
struct KeyPlaces<Key: PlaceKey> {
    /// The keys entered, each once: a key's place is its index here.
    private(set) var keys: [Key] = []
    /// Per slot, the place of the key it holds, `.max` when free.
    private var slots: [UInt32]
    /// Shifts a key's hash down to its first slot.
    private let shift: UInt64

    /// An empty table for up to `capacity` distinct keys, their array reserved (growing it
    /// key by key copied the keys a dozen times over).
    init(capacity: Int) {
        precondition(capacity < Int(UInt32.max), "places are 32-bit")
        let bits = max(4, Int.bitWidth - (2 * capacity).leadingZeroBitCount)
        shift = UInt64(UInt64.bitWidth - bits)
        slots = [UInt32](repeating: .max, count: 1 << bits)
        keys.reserveCapacity(capacity)
    }

    /// The table of `keys`, which are distinct: each key's place is its index there.
    init(distinct keys: [Key]) {
        self.init(capacity: keys.count)
        for key in keys {
            let isNew = enter(key).isNew
            precondition(isNew, "keys are not distinct")
        }
    }

    /// The place of `key`, nil when it was never entered.
    @inline(__always)
    func place(of key: Key) -> Int? {
        var slot = firstSlot(of: key)
        while true {
            let place = slots[slot]
            if place == .max { return nil }
            if keys[Int(place)] == key { return Int(place) }
            slot = (slot &+ 1) & (slots.count &- 1)
        }
    }

    /// The place of `key`; a key not entered yet is entered at the next place (`isNew`).
    /// At most `capacity` distinct keys: the table stays at most half full (checked in
    /// debug builds; one more key than it has free slots would probe for ever).
    @inline(__always)
    mutating func enter(_ key: Key) -> (place: Int, isNew: Bool) {
        var slot = firstSlot(of: key)
        while true {
            let place = slots[slot]
            if place == .max {
                assert(2 * keys.count < slots.count, "more keys than the table was made for")
                slots[slot] = UInt32(keys.count)
                keys.append(key)
                return (keys.count - 1, true)
            }
            if keys[Int(place)] == key { return (Int(place), false) }
            slot = (slot &+ 1) & (slots.count &- 1)
        }
    }

    @inline(__always)
    private func firstSlot(of key: Key) -> Int {
        Int(truncatingIfNeeded: key.placeHash >> shift)
    }
}

/// A `buyer << 32 | shop` pair key, or any other 64-bit key: its hash is the product with
/// 2^64 over the golden ratio (Fibonacci hashing), whose top bits depend on every bit.
extension UInt64: PlaceKey {
    var placeHash: UInt64 { self &* 0x9E37_79B9_7F4A_7C15 }
}
