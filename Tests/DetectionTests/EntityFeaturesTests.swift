import Columnar
import Testing
import TestSupport

@testable import Detection

/// The feature kernels against plain reference loops over the rows.
@Suite struct EntityFeaturesTests {
    private static let export = SampleExport.make(orders: 4000, seed: 9)

    @Test(arguments: [(1, 3), (2, 3), (4, 3), (2, 0), (2, 1), (2, 2), (3, 4)] as [(Int, UInt32)])
    func shopFeaturesMatchReference(threads: Int, sharedDeviceBuyers: UInt32) {
        let orders = Self.export.orders
        let accounts = Self.export.dictionaries.accounts.count
        let features = EntityFeatures.shops(orders, accountCount: accounts, sharedDeviceBuyers: sharedDeviceBuyers, threads: threads)
        for shop in 0..<accounts {
            let rows = (0..<orders.count).filter { orders.shop[$0] == UInt32(shop) }
                .sorted { (orders.createdAt[$0], $0) < (orders.createdAt[$1], $1) }
            guard !rows.isEmpty else {
                #expect(features[shop] == nil)
                continue
            }
            var best = 0.0
            for (position, row) in rows.enumerated() {
                let window = rows[position...].prefix { orders.createdAt[$0] - orders.createdAt[row] < 3600 }
                best = max(best, Double(window.count) / Double(Set(window.map { orders.buyer[$0] }).count))
            }
            var buyersByDevice: [UInt32: Set<UInt32>] = [:]
            for row in rows where orders.device[row] != IdDictionary.absent {
                buyersByDevice[orders.device[row], default: []].insert(orders.buyer[row])
            }
            let shared = rows.filter { orders.device[$0] != IdDictionary.absent && buyersByDevice[orders.device[$0]]!.count >= sharedDeviceBuyers }
            #expect(features[shop] == EntityFeatures.Shop(
                orders: rows.count, distinctBuyers: Set(rows.map { orders.buyer[$0] }).count, busiestWindowRate: best,
                sharedDeviceShare: Double(shared.count) / Double(rows.count)))
        }
    }

    /// The scans of `logistics` (waybill, event, time) in a random event-log order.
    static func shuffled(_ logistics: LogisticsTable) -> LogisticsTable {
        var shuffled = LogisticsTable()
        var generator = SeededRandom(seed: 301)
        for row in (0..<logistics.count).shuffled(using: &generator) {
            shuffled.waybill.append(logistics.waybill[row])
            shuffled.event.append(logistics.event[row])
            shuffled.at.append(logistics.at[row])
        }
        return shuffled
    }

    @Test(arguments: [1, 2, 4])
    func waybillAndRaterFeaturesMatchReference(threads: Int) {
        let logistics = Self.export.logistics, ratings = Self.export.ratings
        let waybills = EntityFeatures.waybills(logistics, waybillCount: Self.export.dictionaries.waybills.count, threads: threads)
        for waybill in waybills.indices {
            let rows = (0..<logistics.count).filter { logistics.waybill[$0] == UInt32(waybill) }
            let first = rows.map { logistics.at[$0] }.min()!
            let signed = rows.filter { logistics.event[$0] == ScanEvent.signed.rawValue }.map { logistics.at[$0] }.min()
            #expect(waybills[waybill] == EntityFeatures.Waybill(
                scans: rows.count, firstToSignedSeconds: signed.map { $0 - first },
                hasTransit: rows.contains { logistics.event[$0] == ScanEvent.transit.rawValue }))
        }
        let raters = EntityFeatures.raters(ratings, accountCount: Self.export.dictionaries.accounts.count)
        for rater in raters.indices {
            let rows = (0..<ratings.count).filter { ratings.buyer[$0] == UInt32(rater) }
            let without = rows.filter { ratings.order[$0] == IdDictionary.absent }.count
            #expect(raters[rater] == (rows.isEmpty ? nil : EntityFeatures.Rater(
                ratings: rows.count, withoutOrderShare: Double(without) / Double(rows.count))))
        }
    }
    /// The waybill features from row slices in any cut, each slice's totals over only
    /// the ids it names, equal those of one pass over all rows (what makes them the same
    /// for any thread count), with the scans listed waybill by waybill as exports list
    /// them and in an event-log order where every slice names nearly every waybill.
    @Test func waybillFeaturesAreTheSameForAnyCutOfTheRows() {
        let grouped = Self.export.logistics
        var shuffled = Self.shuffled(grouped)
        shuffled.waybill[shuffled.count / 2] = IdDictionary.absent
        let waybills = Self.export.dictionaries.waybills.count
        for logistics in [grouped, shuffled] {
            let count = logistics.waybill.count
            let whole = EntityFeatures.waybills(logistics, waybillCount: waybills, slices: [0..<count], threads: 1)
            for cuts in [[count / 2], [1, 2, count - 1], [0, count / 3, count / 3 * 2], [count, count]] {
                let bounds = [0] + cuts + [count]
                let slices = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
                for threads in [1, 3] {
                    #expect(EntityFeatures.waybills(logistics, waybillCount: waybills, slices: slices, threads: threads) == whole)
                }
            }
        }
    }

    /// Scans folded a batch at a time as they are read (`WaybillAccumulator`) give the
    /// features of one pass over all rows, for batches of any size (a waybill's scans
    /// split between batches, empty batches), rows grouped or in an event-log order, and
    /// waybills of the id space no batch names.
    @Test func waybillFeaturesFoldedInBatchesMatchOnePass() {
        let grouped = Self.export.logistics
        let shuffled = Self.shuffled(grouped)
        let waybills = Self.export.dictionaries.waybills.count
        for logistics in [grouped, shuffled] {
            let whole = EntityFeatures.waybills(logistics, waybillCount: waybills)
            for size in [1, 3, 7, 500, logistics.count] {
                var accumulator = EntityFeatures.WaybillAccumulator()
                accumulator.update(LogisticsTable())
                for start in stride(from: 0, to: logistics.count, by: size) {
                    let rows = start..<min(logistics.count, start + size)
                    var batch = LogisticsTable()
                    batch.waybill = Column(Array(logistics.waybill[rows]))
                    batch.event = Column(Array(logistics.event[rows]))
                    batch.at = Column(Array(logistics.at[rows]))
                    accumulator.update(batch)
                }
                #expect(accumulator.finalize(waybillCount: waybills) == whole, "batches of \(size)")
            }
            var firstHalf = EntityFeatures.WaybillAccumulator()
            var half = LogisticsTable()
            let rows = logistics.waybill.indices.filter { Int(logistics.waybill[$0]) < waybills / 2 }
            half.waybill = Column(rows.map { logistics.waybill[$0] })
            half.event = Column(rows.map { logistics.event[$0] })
            half.at = Column(rows.map { logistics.at[$0] })
            firstHalf.update(half)
            #expect(firstHalf.finalize(waybillCount: waybills) == EntityFeatures.waybills(half, waybillCount: waybills))
        }
    }

    /// Scans folded under provisional waybill ids (a new id for each run of a waybill's
    /// scans, as a CSV reader appends them) and then renumbered (runs of one waybill
    /// merged, ids first-seen) match one pass over the rows with first-seen ids, for
    /// batches of several sizes; the scans come shuffled, so most waybills are several runs.
    @Test func waybillTotalsRenumberedMatchOnePassWithFirstSeenIds() {
        let logistics = Self.shuffled(Self.export.logistics)
        var firstSeen: [UInt32: UInt32] = [:], provisional: [UInt32] = [], newIDs: [UInt32] = []
        var reference = logistics
        var firstRepeat: Int?
        for row in logistics.waybill.indices {
            let waybill = logistics.waybill[row]
            let final = firstSeen[waybill] ?? UInt32(firstSeen.count)
            if row == 0 || waybill != logistics.waybill[row - 1] {
                if firstSeen[waybill] != nil && firstRepeat == nil { firstRepeat = newIDs.count }
                firstSeen[waybill] = final
                newIDs.append(final)
            }
            provisional.append(UInt32(newIDs.count - 1))
            reference.waybill[row] = final
        }
        let changed = firstRepeat!
        let renumbering = IdRenumbering(firstChanged: changed, newIDs: Array(newIDs[changed...]), count: firstSeen.count)
        let whole = EntityFeatures.waybills(reference, waybillCount: firstSeen.count)
        for size in [1, 7, 500, logistics.count] {
            var accumulator = EntityFeatures.WaybillAccumulator()
            for start in stride(from: 0, to: logistics.count, by: size) {
                let rows = start..<min(logistics.count, start + size)
                var batch = LogisticsTable()
                batch.waybill = Column(Array(provisional[rows]))
                batch.event = Column(Array(logistics.event[rows]))
                batch.at = Column(Array(logistics.at[rows]))
                accumulator.update(batch)
            }
            accumulator.renumber(renumbering)
            #expect(accumulator.finalize(waybillCount: firstSeen.count) == whole, "batches of \(size)")
        }
    }

    /// Balanced ranges cover every entity exactly once, in order, whatever the parts.
    @Test func balancedRangesCoverEveryEntityOnce() {
        let offsets = EntityGroups(keys: Self.export.orders.shop, entityCount: Self.export.dictionaries.accounts.count).offsets
        for parts in [1, 2, 3, 16, 1000, 100_000] {
            let ranges = EntityFeatures.balancedRanges(offsets: offsets, parts: parts)
            #expect(ranges.first?.lowerBound == 0)
            #expect(ranges.last?.upperBound == offsets.count - 1)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$1.isEmpty })
            #expect(ranges.count <= parts)
        }
        #expect(EntityFeatures.balancedRanges(offsets: [0], parts: 4) == [0..<0])
        #expect(EntityFeatures.balancedRanges(offsets: [0, 3, 3, 9], parts: 4).flatMap { Array($0) } == [0, 1, 2])
    }
}
