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
    init(_ rows: UnsafeBufferPointer<UInt32>, scans columns: ScanColumns, signedAt: Int64) {
        guard signedAt != Missing.time else { return }
        let created = ScanEvent.created.rawValue, pickup = ScanEvent.pickup.rawValue
        let transit = ScanEvent.transit.rawValue, signed = ScanEvent.signed.rawValue
        let createdKey = UInt64(created + 1).scrambled, pickupKey = UInt64(pickup + 1).scrambled
        let signedKey = UInt64(signed + 1).scrambled
        var keys: UInt64 = 0, timed: UInt64 = 0, count: UInt16 = 0
        for row in rows {
            let row = Int(row), event = columns.event[row], at = columns.at[row]
            let key: UInt64
            switch event {
            case transit: key = (UInt64(columns.location[row]) << 8 | UInt64(transit + 1)).scrambled
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
    /// Adds `.copiedTrace` to `tells` (one per waybill) for every waybill of at least
    /// `minimumScans` summarised scans whose signature a waybill shipping to another buyer
    /// (`buyerOfWaybill`; absent buyers never match) shares, unless it is its group's
    /// original (see the type). `shopOfWaybill` names each waybill's shop (absent: none,
    /// never the original).
    static func mark(
        _ tells: inout [ParcelTells], signatures: [TraceSignature], buyerOfWaybill: [UInt32], shopOfWaybill: [UInt32],
        shopCount: Int, minimumScans: Int
    ) {
        let table = SignatureTable(signatures: signatures, buyerOfWaybill: buyerOfWaybill, minimumScans: minimumScans)
        // The shared waybills grouped by signature, and per shop its waybills and how
        // many of them are shared.
        var shared: [(signature: UInt64, waybill: Int)] = []
        var shopWaybills = [UInt32](repeating: 0, count: shopCount), shopShared = shopWaybills
        shopWaybills.withUnsafeMutableBufferPointer { shopWaybills in
            shopShared.withUnsafeMutableBufferPointer { shopShared in
                for waybill in signatures.indices {
                    let shop = Int(shopOfWaybill[waybill])
                    if shop < shopCount { shopWaybills[shop] &+= 1 }
                    guard table.isShared(waybill) else { continue }
                    shared.append((signatures[waybill].value, waybill))
                    if shop < shopCount { shopShared[shop] &+= 1 }
                }
            }
        }
        shared.sort { ($0.signature, $0.waybill) < ($1.signature, $1.waybill) }
        func sharedShare(_ waybill: Int) -> Double {
            let shop = Int(shopOfWaybill[waybill])
            return shop < shopCount ? Double(shopShared[shop]) / Double(shopWaybills[shop]) : .infinity
        }
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
                tells[member.waybill].insert(.copiedTrace)
            }
            start = end
        }
    }
}

/// Which waybills share their trace signature with a waybill of another buyer: an open-
/// addressing table over the signatures themselves (already scrambled, so their low bits
/// are the slot), per slot the signature, its first buyer and whether another buyer has
/// it. A general-purpose dictionary hashed every signature again (a tenth of the
/// detector's instructions in `parcel-throughput`).
struct SignatureTable {
    private let signatures: [TraceSignature]
    private let buyerOfWaybill: [UInt32]
    private let minimumScans: Int
    private var slotSignature: [UInt64]
    /// The first buyer per slot; `IdDictionary.absent` marks a free slot.
    private var slotBuyer: [UInt32]
    private var slotShared: [Bool]
    private let mask: Int

    /// The table of every waybill with at least `minimumScans` summarised scans and a buyer.
    init(signatures: [TraceSignature], buyerOfWaybill: [UInt32], minimumScans: Int) {
        self.signatures = signatures
        self.buyerOfWaybill = buyerOfWaybill
        self.minimumScans = minimumScans
        var capacity = 16
        while capacity < 2 * signatures.count { capacity <<= 1 }
        mask = capacity - 1
        slotSignature = [UInt64](repeating: 0, count: capacity)
        slotBuyer = [UInt32](repeating: IdDictionary.absent, count: capacity)
        slotShared = [Bool](repeating: false, count: capacity)
        let mask = mask
        slotSignature.withUnsafeMutableBufferPointer { slotSignature in
            slotBuyer.withUnsafeMutableBufferPointer { slotBuyer in
                slotShared.withUnsafeMutableBufferPointer { slotShared in
                    for waybill in signatures.indices where Self.takesPart(waybill, signatures, buyerOfWaybill, minimumScans) {
                        let signature = signatures[waybill].value, buyer = buyerOfWaybill[waybill]
                        var slot = Int(truncatingIfNeeded: signature) & mask
                        while slotBuyer[slot] != IdDictionary.absent && slotSignature[slot] != signature { slot = (slot &+ 1) & mask }
                        if slotBuyer[slot] == IdDictionary.absent {
                            slotSignature[slot] = signature
                            slotBuyer[slot] = buyer
                        } else if slotBuyer[slot] != buyer {
                            slotShared[slot] = true
                        }
                    }
                }
            }
        }
    }

    /// Whether `waybill` takes part: enough scans, and a buyer.
    private static func takesPart(_ waybill: Int, _ signatures: [TraceSignature], _ buyerOfWaybill: [UInt32], _ minimumScans: Int) -> Bool {
        Int(signatures[waybill].scans) >= minimumScans && buyerOfWaybill[waybill] != IdDictionary.absent
    }

    /// Whether a waybill of another buyer shares the signature of `waybill` (which takes part).
    func isShared(_ waybill: Int) -> Bool {
        guard Self.takesPart(waybill, signatures, buyerOfWaybill, minimumScans) else { return false }
        let signature = signatures[waybill].value
        var slot = Int(truncatingIfNeeded: signature) & mask
        while slotSignature[slot] != signature { slot = (slot &+ 1) & mask }
        return slotShared[slot]
    }
}
