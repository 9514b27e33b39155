import Columnar

/// Finds waybills whose tracking history was copied from another parcel's: an empty-
/// parcel service that must show transit for a parcel that never moved copies the scans
/// of a real one, verbatim or shifted in time. A waybill's history from pickup on is
/// summarised as an order-free signature of its scans' places and times counted back
/// from its own signing, so a shifted copy matches too; waybills sharing a signature
/// with a waybill of another buyer carry the `.copiedTrace` tell. One pass over the scan
/// rows, in any row order.
enum CopiedTraces {
    /// Adds `.copiedTrace` to `tells` (one per waybill) for every signed waybill with at
    /// least `minimumScans` transit, delivery and signed scans whose signature another
    /// signed waybill shares, shipping to another buyer (`buyerOfWaybill`; absent buyers
    /// never match).
    static func mark(
        _ tells: inout [ParcelTells], logistics: LogisticsTable, trajectories: [WaybillTrajectory],
        buyerOfWaybill: [UInt32], minimumScans: Int
    ) {
        let waybillCount = trajectories.count
        var sums = [UInt64](repeating: 0, count: waybillCount)
        var counts = [UInt16](repeating: 0, count: waybillCount)
        let transit = ScanEvent.transit.rawValue, signed = ScanEvent.signed.rawValue
        let signedAtOf = trajectories.map(\.signedAt)
        for row in 0..<logistics.count {
            let waybill = Int(logistics.waybill[row]), event = logistics.event[row]
            guard waybill < waybillCount, event == transit || event == signed else { continue }
            let signedAt = signedAtOf[waybill]
            guard signedAt != Missing.time else { continue }
            let place = UInt64(logistics.location[row]), before = UInt64(bitPattern: signedAt &- logistics.at[row])
            sums[waybill] &+= (place << 40 ^ before ^ UInt64(event) << 36).scrambled
            counts[waybill] &+= 1
        }
        // Per signature its first buyer, and whether a waybill of another buyer shares it.
        var bySignature: [UInt64: (buyer: UInt32, shared: Bool)] = [:]
        func signature(_ waybill: Int) -> UInt64? {
            guard Int(counts[waybill]) >= minimumScans, buyerOfWaybill[waybill] != IdDictionary.absent else { return nil }
            return sums[waybill] ^ UInt64(counts[waybill]).scrambled
        }
        for waybill in 0..<waybillCount {
            guard let signature = signature(waybill) else { continue }
            let buyer = buyerOfWaybill[waybill]
            if let first = bySignature[signature] {
                if !first.shared && first.buyer != buyer { bySignature[signature] = (first.buyer, true) }
            } else {
                bySignature[signature] = (buyer, false)
            }
        }
        for waybill in 0..<waybillCount {
            if let signature = signature(waybill), bySignature[signature]?.shared == true { tells[waybill].insert(.copiedTrace) }
        }
    }
}
