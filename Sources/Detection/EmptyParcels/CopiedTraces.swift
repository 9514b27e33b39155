import Columnar

/// The summary of one waybill's tracking history from pickup on that a copy of it
/// shares: its transit and signed scans (place, event, and time counted back from its
/// own signing), independent of the scans' order and of a shift of all their times.
/// Per scan, a 64-bit key `k` of place and event; the signature is
/// `sum(at * k) - signedAt * sum(k)`, which a shift of every time leaves unchanged.
struct TraceSignature: Sendable, Equatable {
    var value: UInt64 = 0
    /// The transit and signed scans summarised (0 for a waybill not signed).
    var scans: UInt16 = 0

    /// The signature of one waybill's scan `rows`, signed at `signedAt`.
    init(_ rows: UnsafeBufferPointer<UInt32>, scans columns: ScanColumns, signedAt: Int64) {
        guard signedAt != Missing.time else { return }
        let transit = ScanEvent.transit.rawValue, signed = ScanEvent.signed.rawValue
        var keys: UInt64 = 0, timed: UInt64 = 0, count: UInt16 = 0
        for row in rows {
            let row = Int(row), event = columns.event[row]
            guard event == transit || event == signed else { continue }
            let key = (UInt64(columns.location[row]) << 8 | UInt64(event)).scrambled
            keys &+= key
            timed &+= UInt64(bitPattern: columns.at[row]) &* key
            count &+= 1
        }
        value = (timed &- UInt64(bitPattern: signedAt) &* keys) ^ UInt64(count).scrambled
        scans = count
    }
}

/// Finds waybills whose tracking history was copied from another parcel's: an empty-
/// parcel service that must show transit for a parcel that never moved copies the scans
/// of a real one, verbatim or shifted in time. Waybills whose `TraceSignature` a waybill
/// of another buyer shares carry the `.copiedTrace` tell.
enum CopiedTraces {
    /// Adds `.copiedTrace` to `tells` (one per waybill) for every waybill of at least
    /// `minimumScans` summarised scans whose signature a waybill shipping to another buyer
    /// (`buyerOfWaybill`; absent buyers never match) shares.
    static func mark(
        _ tells: inout [ParcelTells], signatures: [TraceSignature], buyerOfWaybill: [UInt32], minimumScans: Int
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
        for waybill in signatures.indices {
            if let signature = signature(waybill), bySignature[signature]?.shared == true { tells[waybill].insert(.copiedTrace) }
        }
    }
}
