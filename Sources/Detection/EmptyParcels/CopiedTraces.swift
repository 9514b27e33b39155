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

    /// The signature of one waybill's scan `rows`, signed at `signedAt`.
    init(_ rows: UnsafeBufferPointer<UInt32>, scans columns: ScanColumns, signedAt: Int64) {
        guard signedAt != Missing.time else { return }
        let transit = ScanEvent.transit.rawValue
        let summarised: UInt8 = [ScanEvent.created, .pickup, .transit, .signed].reduce(0) { $0 | 1 << $1.rawValue }
        var keys: UInt64 = 0, timed: UInt64 = 0, count: UInt16 = 0
        for row in rows {
            let row = Int(row), event = columns.event[row], at = columns.at[row]
            guard at != Missing.time, event < 8, summarised >> event & 1 != 0 else { continue }
            let place = event == transit ? UInt64(columns.location[row]) : 0
            let key = (place << 8 | UInt64(event + 1)).scrambled
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
        // Per signature its first buyer, and whether a waybill of another buyer shares it.
        var bySignature: [UInt64: (buyer: UInt32, shared: Bool)] = [:]
        func signature(_ waybill: Int) -> UInt64? {
            guard Int(signatures[waybill].scans) >= minimumScans, buyerOfWaybill[waybill] != IdDictionary.absent else { return nil }
            return signatures[waybill].value
        }
        for waybill in signatures.indices {
            guard let signature = signature(waybill) else { continue }
            let buyer = buyerOfWaybill[waybill]
            if let first = bySignature[signature] {
                if !first.shared && first.buyer != buyer { bySignature[signature] = (first.buyer, true) }
            } else {
                bySignature[signature] = (buyer, false)
            }
        }
        // The shared waybills grouped by signature, and per shop its waybills and how
        // many of them are shared.
        var shared: [(signature: UInt64, waybill: Int)] = []
        var shopWaybills = [UInt32](repeating: 0, count: shopCount), shopShared = shopWaybills
        for waybill in signatures.indices {
            let shop = Int(shopOfWaybill[waybill])
            if shop < shopCount { shopWaybills[shop] &+= 1 }
            guard let signature = signature(waybill), bySignature[signature]?.shared == true else { continue }
            shared.append((signature, waybill))
            if shop < shopCount { shopShared[shop] &+= 1 }
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
