import Columnar
import Testing

@testable import Detection

/// Tracking histories copied from another parcel, verbatim or shifted in time.
@Suite struct CopiedTracesTests {
    /// Appends one waybill's scans: created and pickup at `start`, then transit scans at
    /// `hops` (place, seconds after `start`) and the signature at `signed`.
    private static func ship(
        _ table: inout LogisticsTable, waybill: UInt32, start: Int64, hops: [(UInt32, Int64)], signed: (UInt32, Int64)
    ) {
        let scans: [(ScanEvent, UInt32, Int64)] = [(.created, 900, 0), (.pickup, 900 + waybill, 600)]
            + hops.map { (.transit, $0.0, $0.1) } + [(.signed, signed.0, signed.1)]
        for (event, place, offset) in scans {
            table.waybill.append(waybill)
            table.order.append(waybill)
            table.courier.append(0)
            table.event.append(event.rawValue)
            table.at.append(start + offset)
            table.location.append(place)
            table.weightGrams.append(Missing.count)
        }
    }

    /// Waybill 0 is a real parcel; 1 copies its history verbatim and 2 shifted by a day
    /// (both to other buyers); 3 travels the same places at its own times; 4 copies 0 for
    /// 0's own buyer, but 1 and 2 share it too; 5 and 6 share a history too short to say;
    /// 7 and 8 share one, but ship to one buyer (two parcels of one delivery).
    /// The rows are shuffled: the result does not depend on their order.
    @Test(arguments: [false, true]) func copiesAreFoundVerbatimOrShifted(shuffled: Bool) {
        var table = LogisticsTable()
        let hops: [(UInt32, Int64)] = [(1, 7_200), (2, 30_000), (3, 61_000)]
        let start: Int64 = 1_800_000_000
        Self.ship(&table, waybill: 0, start: start, hops: hops, signed: (4, 90_000))
        Self.ship(&table, waybill: 1, start: start, hops: hops, signed: (4, 90_000))
        Self.ship(&table, waybill: 2, start: start + 86_400, hops: hops, signed: (4, 90_000))
        Self.ship(&table, waybill: 3, start: start, hops: [(1, 7_300), (2, 30_000), (3, 61_000)], signed: (4, 90_000))
        Self.ship(&table, waybill: 4, start: start, hops: hops, signed: (4, 90_000))
        Self.ship(&table, waybill: 5, start: start, hops: [(1, 7_200)], signed: (4, 90_000))
        Self.ship(&table, waybill: 6, start: start, hops: [(1, 7_200)], signed: (4, 90_000))
        Self.ship(&table, waybill: 7, start: start, hops: [(5, 3_000), (6, 9_000)], signed: (7, 20_000))
        Self.ship(&table, waybill: 8, start: start, hops: [(5, 3_000), (6, 9_000)], signed: (7, 20_000))
        if shuffled {
            var random = SplitMix(seed: 5)
            table = table.reordered((0..<table.count).shuffled(using: &random))
        }
        let traced = WaybillTrajectory.traceAll(
            table, paidAt: [Int64](repeating: start, count: 9), waybillCount: 9,
            rules: TrajectoryRules(minimumHopSeconds: 900, stalledBefore: start), threads: 1)
        var tells = [ParcelTells](repeating: [], count: 9)
        CopiedTraces.mark(&tells, signatures: traced.signatures, buyerOfWaybill: [10, 11, 12, 13, 10, 15, 16, 20, 20], minimumScans: 3)
        #expect(tells.map { $0.contains(.copiedTrace) } == [true, true, true, false, true, false, false, false, false])
    }
}
