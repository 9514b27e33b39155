import Columnar

/// The summary of one waybill's tracking history that a copy of it shares: its created,
/// pickup, transit and signed scans, each with its time counted back from the waybill's
/// own signing, independent of the scans' order and of a shift of all their times. Only
/// a transit scan's place counts: a copy is printed and picked up at its own counter, and
/// its signing place may be rewritten (a locker for the outlet), but its times and hubs
/// are the real parcel's. Per scan a 64-bit key `k` (place and event for transit, event
/// alone otherwise; events numbered from 1, as the scrambler keeps 0 at 0); the
/// signature is `sum(at * k) - signedAt * sum(k)`, which a shift of every time leaves
/// unchanged. Scans without a time are left out.
struct TraceSignature: Sendable, Equatable {
    var value: UInt64 = 0
    /// The scans summarised (0 for a waybill not signed).
    var scans: UInt16 = 0
}

extension TraceSignature {
    /// The signature of one waybill's scan `rows`, signed at `signedAt`.
    init<Scans: ScanSource>(_ rows: UnsafeBufferPointer<UInt32>, scans source: Scans, signedAt: Int64) {
        guard signedAt != Missing.time else { return }
        let created = ScanEvent.created.rawValue, pickup = ScanEvent.pickup.rawValue
        let transit = ScanEvent.transit.rawValue, signed = ScanEvent.signed.rawValue
        let createdKey = UInt64(created + 1).scrambled, pickupKey = UInt64(pickup + 1).scrambled
        let signedKey = UInt64(signed + 1).scrambled
        var keys: UInt64 = 0, timed: UInt64 = 0, count: UInt16 = 0
        for row in rows {
            let row = Int(row), event = source.eventOf(row), at = source.timeOf(row)
            let key: UInt64
            switch event {
            case transit: key = (UInt64(source.locationOf(row)) << 8 | UInt64(transit + 1)).scrambled
            case created: key = createdKey
            case pickup: key = pickupKey
            case signed: key = signedKey
            default: continue
            }
            guard at != Missing.time else { continue }
            keys &+= key
            timed &+= UInt64(bitPattern: at) &* key
            count &+= 1
        }
        value = (timed &- UInt64(bitPattern: signedAt) &* keys) ^ UInt64(count).scrambled
        scans = count
    }
}

/// Finds waybills whose tracking history was copied from another parcel's: an empty-
/// parcel service that must show transit for a parcel that never moved copies the scans
/// of a real one, verbatim or shifted in time. Waybills whose `TraceSignature` a waybill
/// of another buyer shares carry the `.copiedTrace` tell, except the original.
///
/// Nothing on a waybill tells the original from its copies, but its shop does: a shop
/// buying empty parcels has many of its waybills in shared histories, a shop whose real
/// parcel happened to be copied one or two. So in each group of waybills sharing a
/// history whose shops differ, the waybills of the shop with the smallest share of its
/// waybills in shared histories are taken for the original and keep no tell.
enum CopiedTraces {
    /// The waybills that get the `.copiedTrace` tell, grouped by signature: every waybill of
    /// at least `minimumScans` summarised scans whose signature a waybill shipping to another buyer (`buyerOfWaybill`; absent buyers never match)
    /// shares, unless it is its group's original (see the type). `shopOfWaybill` names each
    /// waybill's shop (absent: none, never the original).
    static func copies(
        signatures: [TraceSignature], buyerOfWaybill: [UInt32], shopOfWaybill: [UInt32], shopCount: Int, minimumScans: Int
    ) -> [Int] {
        // The shared waybills grouped by signature, and per shop its waybills and how
        // many of them are shared.
        var shared = SharedSignatures.find(signatures: signatures, buyerOfWaybill: buyerOfWaybill, minimumScans: minimumScans)
        var shopWaybills = [UInt32](repeating: 0, count: shopCount), shopShared = shopWaybills
        shopOfWaybill.withUnsafeBufferPointer { shopOfWaybill in
            shopWaybills.withUnsafeMutableBufferPointer { shopWaybills in
                for waybill in signatures.indices {
                    let shop = Int(shopOfWaybill[waybill])
                    if shop < shopCount { shopWaybills[shop] &+= 1 }
                }
            }
        }
        for member in shared {
            let shop = Int(shopOfWaybill[member.waybill])
            if shop < shopCount { shopShared[shop] &+= 1 }
        }
        shared.sort { ($0.signature, $0.waybill) < ($1.signature, $1.waybill) }
        func sharedShare(_ waybill: Int) -> Double {
            let shop = Int(shopOfWaybill[waybill])
            return shop < shopCount ? Double(shopShared[shop]) / Double(shopWaybills[shop]) : .infinity
        }
        var copies: [Int] = []
        var start = 0
        while start < shared.count {
            var end = start
            var lowest = Double.infinity, highest = -Double.infinity
            while end < shared.count && shared[end].signature == shared[start].signature {
                let share = sharedShare(shared[end].waybill)
                lowest = min(lowest, share)
                highest = max(highest, share)
                end += 1
            }
            for member in shared[start..<end] where lowest == highest || sharedShare(member.waybill) != lowest {
                copies.append(member.waybill)
            }
            start = end
        }
        return copies
    }
}

/// Which waybills share their trace signature with a waybill of another buyer. The
/// waybills taking part are first cut into buckets by the top bits of a multiplicative
/// hash of their signature (a count pass, then a scatter of one 16-byte record each behind
/// its bucket's start), and each bucket is then resolved on its own in a small open-
/// addressing table that stays in cache: per slot the signature, its first buyer and
/// whether another buyer has it. One table over every waybill (over 100 MB at 10M scans)
/// cost a cache miss per waybill on insertion and again on lookup, and clearing its fresh
/// pages.
enum SharedSignatures {
    /// One waybill taking part, as the scatter writes it.
    struct Entry {
        let signature: UInt64
        let buyer: UInt32
        let waybill: UInt32
    }

    /// One slot of a bucket's table.
    struct Slot {
        var signature: UInt64
        var buyer: UInt32
        var state: UInt32
        static let free: UInt32 = 0, oneBuyer: UInt32 = 1, shared: UInt32 = 2
    }

    /// Most buckets (2^10): enough for about 2,000 waybills a bucket at 10M scans.
    static let largestBucketBits = 10

    /// The waybills with at least `minimumScans` summarised scans and a buyer (absent
    /// buyers never take part) whose signature a waybill of another buyer shares, with
    /// that signature; in no particular order.
    static func find(
        signatures: [TraceSignature], buyerOfWaybill: [UInt32], minimumScans: Int
    ) -> [(signature: UInt64, waybill: Int)] {
        // About 4,096 waybills (a few thousand taking part) per bucket.
        let bucketBits = min(largestBucketBits, UInt64.bitWidth - UInt64(signatures.count >> 12).leadingZeroBitCount)
        var starts = [Int](repeating: 0, count: (1 << bucketBits) + 1)
        let entries: OwnedBuffer<Entry> = signatures.withUnsafeBufferPointer { signatures in
            buyerOfWaybill.withUnsafeBufferPointer { buyers in
                starts.withUnsafeMutableBufferPointer { starts in
                    func takesPart(_ waybill: Int) -> Bool {
                        Int(signatures[waybill].scans) >= minimumScans && buyers[waybill] != IdDictionary.absent
                    }
                    for waybill in signatures.indices where takesPart(waybill) {
                        starts[bucket(hash(signatures[waybill].value), bits: bucketBits) &+ 1] &+= 1
                    }
                    for index in 1..<starts.count { starts[index] &+= starts[index &- 1] }
                    let entries = OwnedBuffer<Entry>(count: starts[starts.count &- 1])
                    var cursor = Array(starts.dropLast())
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        for waybill in signatures.indices where takesPart(waybill) {
                            let signature = signatures[waybill].value
                            let bucket = bucket(hash(signature), bits: bucketBits)
                            entries.values[cursor[bucket]] = Entry(
                                signature: signature, buyer: buyers[waybill], waybill: UInt32(truncatingIfNeeded: waybill))
                            cursor[bucket] &+= 1
                        }
                    }
                    return entries
                }
            }
        }
        var largest = 0
        for bucket in 0..<(starts.count - 1) { largest = max(largest, starts[bucket + 1] - starts[bucket]) }
        let table = OwnedBuffer<Slot>(count: tableSize(for: largest))
        var shared: [(signature: UInt64, waybill: Int)] = []
        for bucket in 0..<(starts.count - 1) where starts[bucket + 1] > starts[bucket] {
            resolve(
                UnsafeBufferPointer(rebasing: entries.values[starts[bucket]..<starts[bucket + 1]]), bucketBits: bucketBits,
                table: table.values, into: &shared)
        }
        return shared
    }

    /// Appends to `shared` every entry of one bucket whose signature an entry of another
    /// buyer shares: each entry is entered into an open-addressing table of at least twice
    /// as many slots as entries (the first `tableSize(for: entries.count)` of `table`,
    /// cleared first), then each is looked up.
    static func resolve(
        _ entries: UnsafeBufferPointer<Entry>, bucketBits: Int, table: UnsafeMutableBufferPointer<Slot>,
        into shared: inout [(signature: UInt64, waybill: Int)]
    ) {
        let size = tableSize(for: entries.count), mask = size &- 1
        let slotShift = UInt64.bitWidth &- size.trailingZeroBitCount
        func firstSlot(_ signature: UInt64) -> Int {
            Int(truncatingIfNeeded: (hash(signature) &<< bucketBits) &>> slotShift) & mask
        }
        for slot in 0..<size { table[slot] = Slot(signature: 0, buyer: 0, state: Slot.free) }
        for entry in entries {
            var slot = firstSlot(entry.signature)
            while table[slot].state != Slot.free && table[slot].signature != entry.signature { slot = (slot &+ 1) & mask }
            if table[slot].state == Slot.free {
                table[slot] = Slot(signature: entry.signature, buyer: entry.buyer, state: Slot.oneBuyer)
            } else if table[slot].buyer != entry.buyer {
                table[slot].state = Slot.shared
            }
        }
        for entry in entries {
            var slot = firstSlot(entry.signature)
            while table[slot].signature != entry.signature { slot = (slot &+ 1) & mask }
            if table[slot].state == Slot.shared { shared.append((entry.signature, Int(entry.waybill))) }
        }
    }

    /// Slots of a table for `entries` entries: a power of two, at least twice as many and at least 16.
    static func tableSize(for entries: Int) -> Int {
        var size = 16
        while size < 2 * entries { size <<= 1 }
        return size
    }

    /// A multiplicative hash of `signature`: its top bits choose the bucket, the bits
    /// after them the slot.
    @inline(__always)
    static func hash(_ signature: UInt64) -> UInt64 { signature &* 0x9E37_79B9_7F4A_7C15 }

    /// The bucket of `hash` among `2^bits`.
    @inline(__always)
    static func bucket(_ hash: UInt64, bits: Int) -> Int {
        bits == 0 ? 0 : Int(truncatingIfNeeded: hash &>> (UInt64.bitWidth &- bits))
    }
}
