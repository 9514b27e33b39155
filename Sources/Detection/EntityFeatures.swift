import Columnar

/// Plain per-entity features that platforms compute in SQL today (and the side-by-side
/// benchmark against DuckDB computes there): a shop's orders, buyers, busiest window and
/// shared-device share; a waybill's scans and time to signature; a rater's ratings and
/// the share of them without an order. Each is a fold over one entity's group of rows.
public enum EntityFeatures {
    /// The columns these features read: a columnar store reads only the columns a query
    /// names, and a CSV reader with projection decodes only those (as DuckDB does, from
    /// its own file and from CSV, in `make bench-compare`). Orders' order ids are always
    /// read from CSV: ratings resolve their orders through them.
    public static let neededColumns = ExportColumns(
        columns: [
            "orders": ["buyer_id", "shop_id", "created_at", "device_id"],
            "ratings": ["order_row", "buyer_id"],
            "logistics": ["tracking_no", "event", "at"],
        ],
        idSpaces: ["accounts", "waybills"])

    /// A shop's order features.
    public struct Shop: Sendable, Equatable {
        public var orders: Int
        public var distinctBuyers: Int
        /// Most orders per distinct buyer among the windows of `windowSeconds` that start
        /// at each of the shop's orders (in time, then file order).
        public var busiestWindowRate: Double
        /// Share of the shop's orders whose device serves `sharedDeviceBuyers` or more of
        /// its distinct buyers.
        public var sharedDeviceShare: Double
    }

    /// The features of every shop with orders, by account id (nil for accounts that sell
    /// nothing). Shops are cut into parts of about equal rows, a task each, on `threads`
    /// cores; each shop is computed whole by one task, so the result does not depend on
    /// the cut.
    public static func shops(
        _ orders: OrdersTable, accountCount: Int, windowSeconds: Int64 = 3600, sharedDeviceBuyers: UInt32 = 3,
        threads: Int
    ) -> [Shop?] {
        let shops = EntityGroups(keys: orders.shop, entityCount: accountCount, orderedBy: orders.createdAt)
        let rule = OrderWindowDetector.Rule(windowSeconds: windowSeconds, minimumOrders: 1, minimumBuyers: 1, brushingRate: .infinity)
        let deviceCount = idCount(orders.device)
        let parts = balancedRanges(offsets: shops.offsets, parts: threads > 1 ? threads * 8 : 1)
        return ConcurrentTasks.map(
            count: parts.count, threads: threads, worker: { ShopScratch(buyers: accountCount, devices: deviceCount) }
        ) { part, scratch -> [Shop?] in
            orders.buyer.withUnsafeBufferPointer { buyers in
                orders.device.withUnsafeBufferPointer { devices in
                    orders.createdAt.withUnsafeBufferPointer { times in
                        shops.rows.withUnsafeBufferPointer { allRows in
                            parts[part].map { shop -> Shop? in
                                let rows = UnsafeBufferPointer(rebasing: allRows[shops.offsets[shop]..<shops.offsets[shop + 1]])
                                guard !rows.isEmpty, let window = OrderWindowDetector.busiestWindow(
                                    rows: rows, buyers: buyers, times: times, rule: rule,
                                    inWindow: scratch.inWindow, covered: scratch.covered(rows.count + 1))
                                else { return nil }
                                let mark = Int32(truncatingIfNeeded: shop)
                                let shared = scratch.sharedDeviceRows(
                                    rows, devices: devices, buyers: buyers, shop: mark, minimumBuyers: sharedDeviceBuyers)
                                return Shop(
                                    orders: rows.count, distinctBuyers: scratch.distinctBuyers(rows, buyers: buyers, shop: mark),
                                    busiestWindowRate: window.rate, sharedDeviceShare: Double(shared) / Double(rows.count))
                            }
                        }
                    }
                }
            }
        }.flatMap { $0 }
    }

    /// A waybill's scan features.
    public struct Waybill: Sendable, Equatable {
        public var scans: Int
        /// Seconds from its first scan to its first `signed` scan; nil when never signed.
        public var firstToSignedSeconds: Int64?
        public var hasTransit: Bool
    }

    /// The features of every waybill, by waybill id, column by column (13 bytes a
    /// waybill, not a `Waybill`'s 24: a million waybills take that much fresh memory less).
    public struct Waybills: RandomAccessCollection, Sendable, Equatable {
        /// Per waybill, its scans.
        var scans: [UInt32]
        /// Per waybill, seconds from its first scan to its first `signed` scan (never
        /// negative: the first scan is the earliest); `unsigned` when never signed.
        var firstToSigned: [Int64]
        /// Per waybill, 1 when a `transit` scan was seen.
        var transit: [UInt8]
        /// `firstToSigned` of a waybill never signed.
        static let unsigned = Int64.min

        public var startIndex: Int { 0 }
        public var endIndex: Int { scans.count }

        public subscript(waybill: Int) -> Waybill {
            Waybill(scans: Int(scans[waybill]),
                    firstToSignedSeconds: firstToSigned[waybill] == Self.unsigned ? nil : firstToSigned[waybill],
                    hasTransit: transit[waybill] != 0)
        }
    }

    /// The features of every waybill, by waybill id: one pass over the scans into dense
    /// per-waybill totals, contiguous row slices on `threads` cores, combined in slice
    /// order (counts add, times take the minimum: the same for any cut).
    public static func waybills(_ logistics: LogisticsTable, waybillCount: Int, threads: Int = 1) -> Waybills {
        waybills(logistics, waybillCount: waybillCount, slices: ParallelRows.slices(count: logistics.count, threads: threads),
                 threads: threads)
    }

    /// The waybill features from the totals of each row slice of `slices` (which cut
    /// `0..<logistics.count`). A slice's totals cover only the waybill ids its rows name
    /// (an export lists a waybill's scans together, so the slices' ids barely overlap),
    /// and the waybills are then combined from the slices that hold them, in id ranges
    /// on `threads` cores, straight into the result. A lone slice's totals become the
    /// result in place.
    static func waybills(_ logistics: LogisticsTable, waybillCount: Int, slices: [Range<Int>], threads: Int) -> Waybills {
        var partials = ConcurrentTasks.map(count: slices.count, threads: threads) { index -> ScanTotals in
            logistics.waybill.withUnsafeBufferPointer { waybill in
                logistics.event.withUnsafeBufferPointer { event in
                    logistics.at.withUnsafeBufferPointer { at in
                        // A lone slice holds every row: its ids are all of the export's, no pass needed.
                        let ids = slices.count == 1 ? 0..<waybillCount
                            : ScanTotals.idRange(of: UnsafeBufferPointer(rebasing: waybill[slices[index]]))
                        var totals = ScanTotals(ids: ids)
                        totals.add(rows: slices[index], waybill: waybill, event: event, at: at)
                        return totals
                    }
                }
            }
        }
        if partials.count == 1 && partials[0].ids == 0..<waybillCount { return partials.removeLast().waybills() }
        let totals = partials
        let parts = ParallelRows.slices(count: waybillCount, threads: threads)
        var scans = [UInt32](repeating: 0, count: waybillCount)
        var firstToSigned = [Int64](repeating: 0, count: waybillCount)
        var transit = [UInt8](repeating: 0, count: waybillCount)
        scans.withUnsafeMutableBufferPointer { scans in
            firstToSigned.withUnsafeMutableBufferPointer { firstToSigned in
                transit.withUnsafeMutableBufferPointer { transit in
                    let output = WaybillOutput(scans: scans, firstToSigned: firstToSigned, transit: transit)
                    _ = ConcurrentTasks.map(count: parts.count, threads: threads) { part in
                        // Only the slices whose ids meet this part can hold its waybills.
                        let holders = totals.filter { $0.ids.overlaps(parts[part]) }
                        for waybill in parts[part] { ScanTotals.combine(waybill, from: holders, into: output) }
                    }
                }
            }
        }
        return Waybills(scans: scans, firstToSigned: firstToSigned, transit: transit)
    }

    /// The waybill features folded from scan rows as they are read, a batch at a time,
    /// so that the rows need not be kept (`features` from CSV: the 5.8M scans of a
    /// 1M-order export are 76 MB of columns nothing else reads). Waybill ids are handed
    /// out in first-seen order, so the totals grow at their end; the result equals
    /// `waybills(_:waybillCount:threads:)`'s over all the batches' rows, whatever the
    /// cut and the row order.
    public struct WaybillAccumulator: Sendable {
        private var totals = ScanTotals(ids: 0..<0)

        public init() {}

        /// Adds the scans of `batch` (its waybill, event and time columns).
        public mutating func update(_ batch: LogisticsTable) {
            batch.waybill.withUnsafeBufferPointer { waybill in
                batch.event.withUnsafeBufferPointer { event in
                    batch.at.withUnsafeBufferPointer { at in
                        totals.extend(to: ScanTotals.idRange(of: waybill).upperBound)
                        totals.add(rows: 0..<batch.count, waybill: waybill, event: event, at: at)
                    }
                }
            }
        }

        /// Moves the totals to the ids `waybills` gives them, those of a provisional id that
        /// turned out to repeat an earlier waybill added to that waybill's (a CSV reader
        /// appends a waybill's scans as a new waybill a run at a time: `BatchDelivery`).
        public mutating func renumber(_ waybills: IdRenumbering) {
            totals.renumber(waybills)
        }

        /// The features of the `waybillCount` waybills of the id space (one no batch
        /// named has no scans and was never signed).
        public consuming func finalize(waybillCount: Int) -> Waybills {
            totals.extend(to: waybillCount)
            return totals.waybills()
        }
    }

    /// A rater's features.
    public struct Rater: Sendable, Equatable {
        public var ratings: Int
        /// Share of the rater's ratings that name no order of the export.
        public var withoutOrderShare: Double
    }

    /// The features of every account that rated, by account id (nil for the others): one
    /// pass of dense counts over the ratings.
    public static func raters(_ ratings: RatingsTable, accountCount: Int) -> [Rater?] {
        var count = [UInt32](repeating: 0, count: accountCount), without = count
        ratings.buyer.withUnsafeBufferPointer { buyer in
            ratings.order.withUnsafeBufferPointer { order in
                count.withUnsafeMutableBufferPointer { count in
                    without.withUnsafeMutableBufferPointer { without in
                        for row in buyer.indices where buyer[row] != IdDictionary.absent {
                            let rater = Int(buyer[row])
                            count[rater] &+= 1
                            without[rater] &+= order[row] == IdDictionary.absent ? 1 : 0
                        }
                    }
                }
            }
        }
        return (0..<accountCount).map { rater in
            count[rater] == 0 ? nil : Rater(ratings: Int(count[rater]), withoutOrderShare: Double(without[rater]) / Double(count[rater]))
        }
    }

    /// One more than the largest id in `ids` (absent ids left out): the size of a table
    /// indexed by them.
    static func idCount(_ ids: Column<UInt32>) -> Int {
        var largest: UInt32 = 0
        for id in ids { largest = max(largest, id == IdDictionary.absent ? 0 : id &+ 1) }
        return Int(largest)
    }

    /// `0..<entities` (with `offsets` as in `EntityGroups`) cut into at most `parts`
    /// contiguous ranges of about equal rows; every entity lies in exactly one.
    static func balancedRanges(offsets: [Int], parts: Int) -> [Range<Int>] {
        let entities = offsets.count - 1, total = offsets[entities]
        guard parts > 1, entities > 1 else { return [0..<entities] }
        var ranges: [Range<Int>] = []
        var start = 0
        for part in 1...parts {
            // The first entity at or after `start` whose rows begin at or past the cut.
            let low = part == parts ? entities : offsets.lowerBound(of: total * part / parts, in: start..<entities)
            if low > start {
                ranges.append(start..<low)
                start = low
            }
        }
        return ranges
    }
}

/// Per-waybill totals of one slice of scan rows over the waybill ids `ids`: scans,
/// first scan time, first `signed` time (`Int64.max` for none) and whether a `transit`
/// scan was seen.
struct ScanTotals: Sendable {
    private(set) var ids: Range<Int>
    var scans: [UInt32]
    var first: [Int64]
    var signed: [Int64]
    var transit: [UInt8]

    init(ids: Range<Int>) {
        self.ids = ids
        scans = [UInt32](repeating: 0, count: ids.count)
        first = [Int64](repeating: .max, count: ids.count)
        signed = first
        transit = [UInt8](repeating: 0, count: ids.count)
    }

    /// Extends `ids` up to `upper` (when beyond it) with waybills that have no scans yet.
    /// Capacity grows eightfold when it runs out: capacity is not memory until written,
    /// while each growth copies the totals so far into fresh pages (doubling wrote about
    /// twice the final totals, eightfold about 8/7 of them).
    mutating func extend(to upper: Int) {
        let added = upper - ids.upperBound
        guard added > 0 else { return }
        ids = ids.lowerBound..<upper
        scans.append(added, copiesOf: 0, growth: 8)
        first.append(added, copiesOf: .max, growth: 8)
        signed.append(added, copiesOf: .max, growth: 8)
        transit.append(added, copiesOf: 0, growth: 8)
    }

    /// The smallest range that holds every waybill id of `waybill` (absent ones left out).
    static func idRange(of waybill: UnsafeBufferPointer<UInt32>) -> Range<Int> {
        var low = UInt32.max, high: UInt32 = 0
        for id in waybill where id != IdDictionary.absent {
            low = min(low, id)
            high = max(high, id &+ 1)
        }
        return low < high ? Int(low)..<Int(high) : 0..<0
    }

    /// Adds the scans of `rows` (absent waybills left out; every other id in `ids`): a
    /// dense group-by.
    mutating func add(
        rows: Range<Int>, waybill: UnsafeBufferPointer<UInt32>, event: UnsafeBufferPointer<UInt8>, at: UnsafeBufferPointer<Int64>
    ) {
        let signedCode = ScanEvent.signed.rawValue, transitCode = ScanEvent.transit.rawValue
        let lower = ids.lowerBound
        scans.withUnsafeMutableBufferPointer { scans in
            first.withUnsafeMutableBufferPointer { first in
                signed.withUnsafeMutableBufferPointer { signed in
                    transit.withUnsafeMutableBufferPointer { transit in
                        for row in rows where waybill[row] != IdDictionary.absent {
                            let id = Int(waybill[row]) &- lower, time = at[row], code = event[row]
                            scans[id] &+= 1
                            first[id] = min(first[id], time)
                            if code == signedCode { signed[id] = min(signed[id], time) }
                            transit[id] |= code == transitCode ? 1 : 0
                        }
                    }
                }
            }
        }
    }

    /// Moves each waybill's totals to the id `renumbering` gives it, in one pass in id
    /// order (an id only ever moves down, and a merged id's target, smaller, has moved
    /// already), adding those of merged ids together; the ids end at the renumbered count.
    /// Totals that start at id 0 only (the accumulator's).
    mutating func renumber(_ renumbering: IdRenumbering) {
        precondition(ids.lowerBound == 0, "totals of a slice")
        let changed = renumbering.changed.clamped(to: ids)
        // Kept ids take the next ids in turn; a merged id's target is smaller than that.
        var nextKept = changed.lowerBound
        scans.withUnsafeMutableBufferPointer { scans in
            first.withUnsafeMutableBufferPointer { first in
                signed.withUnsafeMutableBufferPointer { signed in
                    transit.withUnsafeMutableBufferPointer { transit in
                        for id in changed {
                            let target = Int(renumbering[UInt32(truncatingIfNeeded: id)])
                            if target == nextKept {
                                nextKept &+= 1
                                scans[target] = scans[id]
                                first[target] = first[id]
                                signed[target] = signed[id]
                                transit[target] = transit[id]
                            } else {
                                scans[target] &+= scans[id]
                                first[target] = min(first[target], first[id])
                                signed[target] = min(signed[target], signed[id])
                                transit[target] |= transit[id]
                            }
                        }
                    }
                }
            }
        }
        let removed = changed.upperBound - nextKept
        ids = 0..<(ids.upperBound - removed)
        scans.removeLast(removed)
        first.removeLast(removed)
        signed.removeLast(removed)
        transit.removeLast(removed)
    }

    /// Writes waybill `id`'s features, from the totals of the slices that hold it, to `output`.
    fileprivate static func combine(_ id: Int, from slices: [ScanTotals], into output: WaybillOutput) {
        var scans: UInt32 = 0, first = Int64.max, signed = Int64.max, transit: UInt8 = 0
        for slice in slices where slice.ids.contains(id) {
            let index = id &- slice.ids.lowerBound
            scans &+= slice.scans[index]
            first = min(first, slice.first[index])
            signed = min(signed, slice.signed[index])
            transit |= slice.transit[index]
        }
        output.scans[id] = scans
        output.firstToSigned[id] = firstToSigned(first: first, signed: signed)
        output.transit[id] = transit
    }

    /// The features of a lone slice's totals over every waybill: the scan counts and
    /// transit flags as they are, the first `signed` times turned into seconds after the
    /// first scan in place (the first scans' memory is then released).
    consuming func waybills() -> EntityFeatures.Waybills {
        first.withUnsafeBufferPointer { first in
            signed.withUnsafeMutableBufferPointer { signed in
                for id in signed.indices { signed[id] = ScanTotals.firstToSigned(first: first[id], signed: signed[id]) }
            }
        }
        return EntityFeatures.Waybills(scans: scans, firstToSigned: signed, transit: transit)
    }

    /// Seconds from the first scan to the first `signed` scan (`Int64.max` when none),
    /// or `Waybills.unsigned`.
    @inline(__always)
    static func firstToSigned(first: Int64, signed: Int64) -> Int64 {
        signed == .max ? EntityFeatures.Waybills.unsigned : signed &- first
    }
}

/// Where the workers combining the waybill totals write, each waybill once (disjoint
/// ranges of ids).
private struct WaybillOutput: @unchecked Sendable {
    let scans: UnsafeMutableBufferPointer<UInt32>
    let firstToSigned: UnsafeMutableBufferPointer<Int64>
    let transit: UnsafeMutableBufferPointer<UInt8>
}

/// One worker's tables for the shop features, reused from shop to shop: stamps make
/// clearing unnecessary (an entry belongs to the current shop only when its stamp is the
/// shop's id).
final class ShopScratch {
    /// Per buyer, orders in the current window (all zero between shops).
    let inWindow: UnsafeMutableBufferPointer<UInt32>
    /// Per buyer, the last shop that counted it.
    private let buyerStamp: UnsafeMutableBufferPointer<Int32>
    /// Per device: the last shop that used it, the head of its list of distinct buyers
    /// seen (at most `minimumBuyers - 1` are kept), and how many distinct buyers so far
    /// (counting stops at `minimumBuyers`).
    private let deviceStamp: UnsafeMutableBufferPointer<Int32>
    private let deviceHead: UnsafeMutableBufferPointer<Int32>
    private let deviceBuyers: UnsafeMutableBufferPointer<UInt32>
    /// The lists' nodes (buyer, next), one at most per row of the shop.
    private var nodeBuyer: UnsafeMutableBufferPointer<UInt32> = .allocate(capacity: 0)
    private var nodeNext: UnsafeMutableBufferPointer<Int32> = .allocate(capacity: 0)
    private var zeros: UnsafeMutableBufferPointer<Int32> = .allocate(capacity: 0)

    init(buyers: Int, devices: Int) {
        inWindow = .allocate(capacity: buyers)
        inWindow.initialize(repeating: 0)
        buyerStamp = .allocate(capacity: buyers)
        buyerStamp.initialize(repeating: -1)
        deviceStamp = .allocate(capacity: devices)
        deviceStamp.initialize(repeating: -1)
        deviceHead = .allocate(capacity: devices)
        deviceHead.initialize(repeating: -1)
        deviceBuyers = .allocate(capacity: devices)
        deviceBuyers.initialize(repeating: 0)
    }

    deinit {
        for buffer in [inWindow, deviceBuyers, nodeBuyer] { buffer.deallocate() }
        for buffer in [buyerStamp, deviceStamp, deviceHead, nodeNext, zeros] { buffer.deallocate() }
    }

    /// `count` zeros (the window kernel's `covered`; a rule that never brushes leaves them zero).
    func covered(_ count: Int) -> UnsafeMutableBufferPointer<Int32> {
        if zeros.count < count {
            zeros.deallocate()
            zeros = .allocate(capacity: max(count, 2 * zeros.count))
            zeros.initialize(repeating: 0)
        }
        return UnsafeMutableBufferPointer(rebasing: zeros[0..<count])
    }

    /// Distinct buyers of the shop's `rows`.
    func distinctBuyers(_ rows: UnsafeBufferPointer<UInt32>, buyers: UnsafeBufferPointer<UInt32>, shop: Int32) -> Int {
        var distinct = 0
        for row in rows {
            let buyer = Int(buyers[Int(row)])
            if buyerStamp[buyer] != shop {
                buyerStamp[buyer] = shop
                distinct &+= 1
            }
        }
        return distinct
    }

    /// The shop's rows whose device serves `minimumBuyers` or more of the shop's distinct
    /// buyers. Each device keeps the distinct buyers seen so far in a short list, and
    /// stops listing once it reaches `minimumBuyers`: a row costs at most that many
    /// compares, and no sort.
    func sharedDeviceRows(
        _ rows: UnsafeBufferPointer<UInt32>, devices: UnsafeBufferPointer<UInt32>, buyers: UnsafeBufferPointer<UInt32>,
        shop: Int32, minimumBuyers: UInt32
    ) -> Int {
        if nodeBuyer.count < rows.count {
            nodeBuyer.deallocate()
            nodeNext.deallocate()
            nodeBuyer = .allocate(capacity: rows.count)
            nodeNext = .allocate(capacity: rows.count)
        }
        // Locals, so that the loop pays no exclusivity check per access.
        let nodeBuyer = self.nodeBuyer, nodeNext = self.nodeNext
        var used: Int32 = 0
        for row in rows where devices[Int(row)] != IdDictionary.absent {
            let device = Int(devices[Int(row)]), buyer = buyers[Int(row)]
            if deviceStamp[device] != shop {
                deviceStamp[device] = shop
                deviceHead[device] = -1
                deviceBuyers[device] = 0
            }
            guard deviceBuyers[device] < minimumBuyers else { continue }
            var node = deviceHead[device]
            while node >= 0 && nodeBuyer[Int(node)] != buyer { node = nodeNext[Int(node)] }
            guard node < 0 else { continue }
            deviceBuyers[device] &+= 1
            if deviceBuyers[device] < minimumBuyers {
                nodeBuyer[Int(used)] = buyer
                nodeNext[Int(used)] = deviceHead[device]
                deviceHead[device] = used
                used &+= 1
            }
        }
        var shared = 0
        for row in rows {
            let device = devices[Int(row)]
            if device != IdDictionary.absent && deviceBuyers[Int(device)] >= minimumBuyers { shared &+= 1 }
        }
        return shared
    }
}
