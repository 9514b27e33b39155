import Columnar
import Testing
import TestSupport

@testable import Detection

/// Tracking histories copied from another parcel, verbatim or shifted in time.
@Suite struct CopiedTracesTests {
    /// Appends one waybill's scans: created at `start` plus `created` and picked up (unless
    /// not `pickedUp`) at `start` + 600 where it was issued, then transit scans at `hops`
    /// (place, seconds after `start`) and the signature at `signed`.
    private static func ship(
        _ table: inout LogisticsTable, waybill: UInt32, start: Int64, created: Int64 = 0, pickedUp: Bool = true,
        hops: [(UInt32, Int64)], signed: (UInt32, Int64)
    ) {
        let scans: [(ScanEvent, UInt32, Int64)] = [(.created, 900, created)] + (pickedUp ? [(.pickup, 900 + waybill, 600)] : [])
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
    /// 0's own buyer, but 1 and 2 share it too; 5 and 6 share a history too short to say
    /// (created and signed only); 7 and 8 share one, but ship to one buyer (two parcels of
    /// one delivery). Each waybill is its shop's only one, so none is taken for an original.
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
        Self.ship(&table, waybill: 5, start: start, pickedUp: false, hops: [], signed: (4, 90_000))
        Self.ship(&table, waybill: 6, start: start, pickedUp: false, hops: [], signed: (4, 90_000))
        Self.ship(&table, waybill: 7, start: start, hops: [(5, 3_000), (6, 9_000)], signed: (7, 20_000))
        Self.ship(&table, waybill: 8, start: start, hops: [(5, 3_000), (6, 9_000)], signed: (7, 20_000))
        if shuffled {
            var random = SeededRandom(seed: 5)
            table = table.reordered((0..<table.count).shuffled(using: &random))
        }
        let traced = WaybillTrajectory.traceAll(
            table, paidAt: Column([Int64](repeating: start, count: 9)), waybillCount: 9,
            rules: TrajectoryRules(minimumHopSeconds: 900, stalledBefore: start), threads: 1)
        let copies = Set(CopiedTraces.copies(
            signatures: traced.signatures, buyerOfWaybill: [10, 11, 12, 13, 10, 15, 16, 20, 20],
            shopOfWaybill: Array(0..<9), shopCount: 9, minimumScans: 3))
        #expect((0..<9).map(copies.contains) == [true, true, true, false, true, false, false, false, false])
    }

    /// The copied tells of `count` waybills traced from `table` (waybill i ships order i).
    private static func copied(
        _ table: LogisticsTable, count: Int, buyers: [UInt32], shops: [UInt32], shopCount: Int
    ) -> [Bool] {
        let traced = WaybillTrajectory.traceAll(
            table, paidAt: Column([Int64](repeating: 0, count: count)), waybillCount: count,
            rules: TrajectoryRules(minimumHopSeconds: 900, stalledBefore: 0), threads: 1)
        let copies = Set(CopiedTraces.copies(
            signatures: traced.signatures, buyerOfWaybill: buyers, shopOfWaybill: shops, shopCount: shopCount,
            minimumScans: 3))
        return (0..<count).map(copies.contains)
    }

    /// A copy is printed at its own counter and may be signed elsewhere (the outlet rather
    /// than the buyer's locker), but keeps the real parcel's times: 1 copies 0 with another
    /// signing place and pickup place, and no transit at all (a same-city parcel). 2 has
    /// 0's pickup and signing times but was created at another moment: not a copy.
    @Test func copiesKeepTimesNotPlaces() {
        var table = LogisticsTable()
        let start: Int64 = 1_800_000_000
        Self.ship(&table, waybill: 0, start: start, hops: [], signed: (4, 20_000))
        Self.ship(&table, waybill: 1, start: start + 3_600, hops: [], signed: (5, 20_000))
        Self.ship(&table, waybill: 2, start: start, created: 37, hops: [], signed: (4, 20_000))
        #expect(Self.copied(table, count: 3, buyers: [10, 11, 12], shops: [0, 1, 2], shopCount: 3) == [true, true, false])
    }

    /// The original of a copied history belongs to the shop with the fewest of its
    /// waybills copied: shop 0 ships waybills 0 to 9 for real, waybill 0 copied by 10, 11
    /// and 12 of shop 1 (which ships nothing else), and 13 of shop 2 copies 14 of shop 2
    /// (one shop: nothing tells the original). Waybills 1 to 9 travel their own ways.
    @Test func theOriginalIsTheLeastCopiedShops() {
        var table = LogisticsTable()
        let start: Int64 = 1_800_000_000
        for waybill in UInt32(0)..<15 {
            let own = waybill >= 1 && waybill <= 9
            Self.ship(
                &table, waybill: waybill, start: start + Int64(waybill) * 86_400 * (waybill >= 10 ? 0 : 1),
                created: own ? Int64(waybill) : 0, hops: waybill >= 13 ? [(7, 9_000)] : [(1, 7_200), (2, 30_000)],
                signed: (4, own ? 90_000 + Int64(waybill) : 90_000))
        }
        let shops: [UInt32] = Array(repeating: 0, count: 10) + [1, 1, 1, 2, 2]
        let copied = Self.copied(table, count: 15, buyers: (0..<15).map { 100 + UInt32($0) }, shops: shops, shopCount: 3)
        #expect(copied == [false] + Array(repeating: false, count: 9) + [true, true, true, true, true])
    }

    /// The bucketed tables against a plain dictionary of each signature's buyers: few
    /// distinct signatures (long probe chains, equal low bits), a few buyers (some absent),
    /// scan counts around the minimum; small exports (one bucket) and large ones (many
    /// buckets, signatures over all 64 bits).
    @Test(arguments: 0..<24) func sharedSignaturesMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let count = seed % 4 == 3 ? Int(random.next() % 40_000) + 8_192 : Int(random.next() % 400) + 1
        let pool = (0..<(count / 8 + 2)).map { _ in random.next() }
        let signatures = (0..<count).map { _ in
            let value = seed % 2 == 0 ? (random.next() % 40) << (random.next() % 2 == 0 ? 0 : 20) : pool[Int(random.next() % UInt64(pool.count))]
            return TraceSignature(value: value, scans: UInt16(random.next() % 6))
        }
        let buyers = (0..<count).map { _ in random.next() % 7 == 0 ? IdDictionary.absent : UInt32(random.next() % 5) }
        var buyersOf: [UInt64: Set<UInt32>] = [:]
        for (signature, buyer) in zip(signatures, buyers) where signature.scans >= 3 && buyer != IdDictionary.absent {
            buyersOf[signature.value, default: []].insert(buyer)
        }
        let found = SharedSignatures.find(signatures: signatures, buyerOfWaybill: buyers, minimumScans: 3)
        #expect(Set(found.map(\.waybill)).count == found.count)
        #expect(found.allSatisfy { $0.signature == signatures[$0.waybill].value })
        let shared = Set(found.map(\.waybill))
        let mismatched = (0..<count).filter { waybill in
            let expected = signatures[waybill].scans >= 3 && buyers[waybill] != IdDictionary.absent
                && buyersOf[signatures[waybill].value, default: []].count > 1
            return shared.contains(waybill) != expected
        }
        #expect(mismatched.isEmpty)
        #expect(!shared.isEmpty || seed % 2 == 0 || count < 100)
    }
}
