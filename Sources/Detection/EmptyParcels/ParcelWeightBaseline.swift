import Columnar

/// What a parcel of each item normally weighs, learned from the export's own waybills:
/// a robust centre and spread of the declared grams and of the grams per cent paid, per
/// item, falling back to the shop's and then to the whole export's when an item has too
/// few weighed waybills. An empty parcel can only ever be lighter than its item, never
/// heavier, so an item's norm looks at the heavy side: the centre is the upper quartile
/// and the spread is measured above it. Even when empty parcels are a large minority of
/// an item's waybills (up to three quarters) they neither drag the centre down nor widen
/// the spread, as a median and a two-sided MAD would. A genuine light item (a document,
/// a sample) is light for every buyer and sets its own low norm, which is why weight is
/// judged against the item and not against a fixed number of grams. The fallbacks pool
/// different items, where lighter parcels are simply lighter items, so they keep the
/// median and the two-sided MAD.
public struct ParcelWeightBaseline: Sendable {
    /// A robust centre and spread of one quantity: for one item's parcels the upper
    /// quartile and the one-sided MAD above it (`upperSpread`), which a light minority
    /// does not move; for parcels pooled over several items (a shop's, the export's) the
    /// median and MAD (`medianSpread`), since there a lighter item is no sign of fraud.
    public struct Spread: Sendable, Equatable {
        /// The upper quartile (the value at rank `3 (n - 1) / 4`, integer division, from
        /// 0, of the `n` values in ascending order), or the median.
        public var centre: Double
        /// The median distance above `centre` of the values from that rank on, or the
        /// median distance to the median (the mean of the two middle ones for an even count).
        public var deviation: Double

        /// The value below which a parcel is too light: under `ratio` of the centre and
        /// more than `deviations` scaled deviations below it.
        func lowerBound(ratio: Double, deviations: Double) -> Double {
            min(ratio * centre, centre - deviations * 1.4826 * deviation)
        }

        /// The rank of the upper quartile among `count` values in ascending order.
        static func centreRank(count: Int) -> Int { 3 * (count - 1) / 4 }
    }

    /// Grams and grams per cent of one population of parcels.
    public struct Norm: Sendable, Equatable {
        public var grams: Spread
        public var gramsPerCent: Spread
    }

    /// Per item, nil when the item has fewer than `minimumParcels` weighed waybills.
    public var items: [Norm?]
    /// Per shop that ships an item without its own norm, over all the shop's weighed
    /// waybills; nil for other shops and for shops with fewer than `minimumParcels`.
    public var shops: [Norm?]
    /// Over every weighed waybill; nil when none is weighed.
    public var overall: Norm?

    /// Learns the baseline from the weighed waybills of `trajectories` whose order is
    /// in `orders`: one pass counts them per item and per shop, a second lays their
    /// grams and grams per cent out by item (and marks the shops whose items lack a norm,
    /// and takes the export-wide sample), a third lays out those shops' waybills only.
    public init(
        trajectories: [WaybillTrajectory], orders: OrdersTable, itemCount: Int, shopCount: Int, minimumParcels: Int,
        threads: Int = 1
    ) {
        let minimum = max(1, minimumParcels)
        // Counters and cursors per item are 32 bits (half the cache lines of the random
        // accesses over the items); the number of weighed waybills is below 2^31.
        var itemCounts = [UInt32](repeating: 0, count: itemCount)
        var shopWeighed = [Int](repeating: 0, count: shopCount)
        var needed = [Bool](repeating: false, count: shopCount)
        var sampleGrams: [Double] = [], samplePerCent: [Double] = []
        var byItem: WeightGroups?, byShop: WeightGroups?
        WeighedParcels.with(trajectories, orders) { parcels in
            precondition(parcels.count < Int(Self.lacksNorm), "too many waybills for 32-bit item cursors")
            itemCounts.withUnsafeMutableBufferPointer { itemCounts in
                shopWeighed.withUnsafeMutableBufferPointer { shopWeighed in
                    for waybill in 0..<parcels.count {
                        guard let order = parcels.weighedOrder(waybill) else { continue }
                        itemCounts[Int(parcels.item[order])] &+= 1
                        shopWeighed[Int(parcels.shop[order])] &+= 1
                    }
                }
            }
            var itemStarts = [Int](repeating: 0, count: itemCount + 1)
            // Per item its next slot, with `lacksNorm` set when it has too few weighed waybills
            // for a norm of its own: one random access per waybill finds both.
            var cursor = [UInt32](repeating: 0, count: itemCount)
            for item in 0..<itemCount {
                itemStarts[item + 1] = itemStarts[item] + Int(itemCounts[item])
                cursor[item] = UInt32(itemStarts[item]) | (Int(itemCounts[item]) < minimum ? Self.lacksNorm : 0)
            }
            // Every k-th weighed waybill, k = max(1, weighed / overallSample), for the export's norm.
            let weighed = itemStarts[itemCount], every = max(1, weighed / Self.overallSample)
            sampleGrams.reserveCapacity(weighed / every + 1)
            samplePerCent.reserveCapacity(weighed / every + 1)
            let itemGroups = WeightGroups(starts: itemStarts)
            needed.withUnsafeMutableBufferPointer { needed in
                cursor.withUnsafeMutableBufferPointer { cursor in
                    var index = 0
                    for waybill in 0..<parcels.count {
                        guard let order = parcels.weighedOrder(waybill) else { continue }
                        let item = Int(parcels.item[order])
                        let (grams, perCent) = parcels.weights(waybill, order: order)
                        let entry = cursor[item]
                        itemGroups.place(grams, perCent, at: Int(entry & ~Self.lacksNorm))
                        cursor[item] = entry &+ 1
                        if entry & Self.lacksNorm != 0 { needed[Int(parcels.shop[order])] = true }
                        if index % every == 0 {
                            sampleGrams.append(grams)
                            samplePerCent.append(perCent)
                        }
                        index &+= 1
                    }
                }
            }
            byItem = itemGroups
            // A shop's norm is only the fallback for items without their own: learn it only
            // for shops that ship such an item.
            guard needed.contains(true) else { return }
            var shopStarts = [Int](repeating: 0, count: shopCount + 1)
            for shop in 0..<shopCount { shopStarts[shop + 1] = shopStarts[shop] + (needed[shop] ? shopWeighed[shop] : 0) }
            let shopGroups = WeightGroups(starts: shopStarts)
            needed.withUnsafeBufferPointer { needed in
                shopStarts.withUnsafeMutableBufferPointer { cursor in
                    for waybill in 0..<parcels.count {
                        guard let order = parcels.weighedOrder(waybill) else { continue }
                        let shop = Int(parcels.shop[order])
                        guard needed[shop] else { continue }
                        let (grams, perCent) = parcels.weights(waybill, order: order)
                        shopGroups.place(grams, perCent, at: cursor[shop])
                        cursor[shop] &+= 1
                    }
                }
            }
            byShop = shopGroups
        }
        items = byItem.map { Self.norms(of: $0, minimumParcels: minimum, oneItem: true, threads: threads) } ?? []
        shops = byShop.map { Self.norms(of: $0, minimumParcels: minimum, oneItem: false, threads: threads) }
            ?? [Norm?](repeating: nil, count: shopCount)
        // The export-wide fallback from an even sample: its quantiles are as good, and it
        // keeps the selection small on large exports.
        overall = sampleGrams.isEmpty ? nil : Norm(
            grams: sampleGrams.withUnsafeMutableBufferPointer { Self.medianSpread(selectingIn: $0) },
            gramsPerCent: samplePerCent.withUnsafeMutableBufferPointer { Self.medianSpread(selectingIn: $0) })
    }

    /// The norm of every group with at least `minimumParcels` values (nil for the
    /// others), each group's spread found by selection in place, in parallel over groups:
    /// one-sided when each group is `oneItem`, else around the median.
    static func norms(of groups: WeightGroups, minimumParcels: Int, oneItem: Bool, threads: Int) -> [Norm?] {
        ParallelRows.map(count: groups.groupCount, threads: threads) { entities -> [Norm?] in
            entities.map { entity -> Norm? in
                let range = groups.range(of: entity)
                guard range.count >= minimumParcels else { return nil }
                let spread = oneItem ? upperSpread(selectingIn:) : medianSpread(selectingIn:)
                return Norm(
                    grams: spread(UnsafeMutableBufferPointer(rebasing: groups.grams.values[range])),
                    gramsPerCent: spread(UnsafeMutableBufferPointer(rebasing: groups.perCent.values[range])))
            }
        }.flatMap { $0 }
    }

    /// For each of `trajectories`, whether it declares a weight too low for what it
    /// ships: below its norm's lower bound (the item's, else the shop's, else the
    /// export's) both in grams and in grams per cent paid, so that a cheap, small
    /// variant of an item is not taken for an empty parcel.
    public func underweight(
        _ trajectories: [WaybillTrajectory], orders: OrdersTable, ratio: Double, deviations: Double
    ) -> [Bool] {
        // Per item and per shop the bounds of its own norm, if any; a waybill is judged by
        // its item's, else its shop's, else the export's (one lookup for most waybills).
        func bounds(_ norm: Norm?) -> Bounds {
            norm.map { Bounds(grams: $0.grams.lowerBound(ratio: ratio, deviations: deviations),
                              perCent: $0.gramsPerCent.lowerBound(ratio: ratio, deviations: deviations), known: true) }
                ?? Bounds(grams: 0, perCent: 0, known: false)
        }
        let itemBounds = items.map(bounds), shopBounds = shops.map(bounds), overallBounds = bounds(overall)
        return [Bool](unsafeUninitializedCapacity: trajectories.count) { result, initialized in
            WeighedParcels.with(trajectories, orders) { parcels in
                itemBounds.withUnsafeBufferPointer { itemBounds in
                    shopBounds.withUnsafeBufferPointer { shopBounds in
                        for waybill in 0..<parcels.count {
                            result[waybill] = false
                            guard let order = parcels.weighedOrder(waybill) else { continue }
                            var bound = itemBounds[Int(parcels.item[order])]
                            if !bound.known { bound = shopBounds[Int(parcels.shop[order])] }
                            if !bound.known { bound = overallBounds }
                            guard bound.known else { continue }
                            let (grams, perCent) = parcels.weights(waybill, order: order)
                            result[waybill] = grams < bound.grams && perCent < bound.perCent
                        }
                    }
                }
            }
            initialized = trajectories.count
        }
    }

    /// The lower bounds of one norm (`known` false: no norm).
    private struct Bounds {
        var grams: Double
        var perCent: Double
        var known: Bool
    }

    /// Most waybills the export-wide norm is computed from.
    static let overallSample = 65_536

    /// The flag of an item cursor whose item has too few weighed waybills for its own norm.
    static let lacksNorm: UInt32 = 1 << 31


    /// The one-sided spread of non-empty `values` (no NaN), which it reorders and
    /// overwrites: exactly that of the sorted values, found by selection in linear expected time.
    /// Selecting the centre leaves the values at or above it behind it, so the one-sided
    /// MAD is the median of that suffix's distances to it.
    static func upperSpread(selectingIn values: UnsafeMutableBufferPointer<Double>) -> Spread {
        if values.count <= 32 { return upperSpread(ranking: UnsafeBufferPointer(values)) }
        let rank = Spread.centreRank(count: values.count)
        let centre = select(rank, in: values)
        let above = UnsafeMutableBufferPointer(rebasing: values[rank...])
        for index in above.indices { above[index] -= centre }
        return Spread(centre: centre, deviation: median(selectingIn: above))
    }

    /// The one-sided spread of a few non-empty `values` (no NaN, at most 32), which it only
    /// reads. Each value is copied, in a scratch buffer, to its rank: the number of values
    /// smaller than it plus the number of equal ones before it, counted four at a time with
    /// vector compares over a copy padded with NaN (never smaller, never equal). That sorts
    /// them stably without a data-dependent branch (an item's few weighed parcels come in no
    /// order, so an insertion sort's branch on each comparison cannot be predicted). The
    /// centre is then read off at its rank, and the distances above it are ascending.
    static func upperSpread(ranking values: UnsafeBufferPointer<Double>) -> Spread {
        let count = values.count, chunks = (count &+ 3) / 4
        return withUnsafeTemporaryAllocation(of: SIMD4<Double>.self, capacity: 8) { padded in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 32) { sorted in
                for chunk in 0..<chunks {
                    var lanes = SIMD4<Double>(repeating: .nan)
                    for lane in 0..<min(4, count &- chunk &* 4) { lanes[lane] = values[chunk &* 4 &+ lane] }
                    padded[chunk] = lanes
                }
                let lanes = SIMD4<Int64>(0, 1, 2, 3)
                for index in 0..<count {
                    let value = SIMD4<Double>(repeating: values[index])
                    var ranks = SIMD4<Int64>(repeating: 0)
                    for chunk in 0..<chunks {
                        let others = padded[chunk]
                        let before = lanes &+ Int64(chunk &* 4) .< Int64(index)
                        let counted = (others .< value) .| ((others .== value) .& before)
                        ranks &+= SIMD4<Int64>(repeating: 0).replacing(with: 1, where: counted)
                    }
                    sorted[Int(ranks.wrappedSum())] = values[index]
                }
                let rank = Spread.centreRank(count: count), kept = count &- rank
                let centre = sorted[rank], half = rank &+ kept / 2
                let deviation = kept % 2 == 1 ? sorted[half] - centre : ((sorted[half &- 1] - centre) + (sorted[half] - centre)) / 2
                return Spread(centre: centre, deviation: deviation)
            }
        }
    }

    /// Median and MAD of non-empty `values` (no NaN), which it reorders and overwrites.
    /// Exactly the median and MAD of the sorted values (the mean of the two middle ones
    /// for an even count), found by selection in linear expected time.
    static func medianSpread(selectingIn values: UnsafeMutableBufferPointer<Double>) -> Spread {
        if values.count <= 32 { return medianSpread(sorting: values) }
        let median = median(selectingIn: values)
        for index in values.indices { values[index] = abs(values[index] - median) }
        return Spread(centre: median, deviation: Self.median(selectingIn: values))
    }

    /// Median and MAD of a few non-empty `values` (no NaN), which it sorts: the distances
    /// to the median of the values below it, walked down, and of those from it on, walked
    /// up, are two ascending runs, so the MAD is found by merging them to the middle.
    static func medianSpread(sorting values: UnsafeMutableBufferPointer<Double>) -> Spread {
        insertionSort(values, 0, values.count &- 1)
        let count = values.count, half = count / 2
        let median = count % 2 == 1 ? values[half] : (values[half &- 1] + values[half]) / 2
        // values[..<split] are below the median, values[split...] are not.
        var split = half
        while split > 0 && values[split &- 1] >= median { split &-= 1 }
        var down = split &- 1, up = split
        var lower = 0.0, upper = 0.0
        for rank in 0...half {
            let next: Double
            if up < count && (down < 0 || values[up] - median <= median - values[down]) {
                next = values[up] - median
                up &+= 1
            } else {
                next = median - values[down]
                down &-= 1
            }
            if rank == half &- 1 { lower = next }
            if rank == half { upper = next }
        }
        return Spread(centre: median, deviation: count % 2 == 1 ? upper : (lower + upper) / 2)
    }

    /// Sorts `values[low...high]` in place by insertion.
    static func insertionSort(_ values: UnsafeMutableBufferPointer<Double>, _ low: Int, _ high: Int) {
        guard low < high else { return }
        for index in (low &+ 1)...high {
            let value = values[index]
            var slot = index
            while slot > low && value < values[slot &- 1] {
                values[slot] = values[slot &- 1]
                slot &-= 1
            }
            values[slot] = value
        }
    }

    /// The median of non-empty `values` (no NaN), which it reorders.
    static func median(selectingIn values: UnsafeMutableBufferPointer<Double>) -> Double {
        let half = values.count / 2
        let upper = select(half, in: values)
        if values.count % 2 == 1 { return upper }
        // After selection every value before `half` is at most `upper`: the largest of
        // them is the lower middle value.
        var lower = values[0]
        for index in 1..<half { lower = max(lower, values[index]) }
        return (lower + upper) / 2
    }

    /// The `k`-th smallest of `values` (no NaN), reordering them so that every value
    /// before index `k` is at most it and every value after is at least it (Hoare's
    /// selection with a median-of-three pivot; insertion sort for short ranges).
    static func select(_ k: Int, in values: UnsafeMutableBufferPointer<Double>) -> Double {
        var low = 0, high = values.count &- 1
        while high &- low > 16 {
            let mid = low &+ (high &- low) / 2
            if values[mid] < values[low] { values.swapAt(mid, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[mid] { values.swapAt(high, mid) }
            let pivot = values[mid]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i &+= 1 }
                while pivot < values[j] { j &-= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i &+= 1
                    j &-= 1
                }
            }
            // values[low...j] <= pivot, values[i...high] >= pivot, and in between == pivot.
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return values[k]
            }
        }
        insertionSort(values, low, high)
        return values[k]
    }
}

/// The grams and grams per cent of weighed waybills laid out by group (item or shop):
/// group `g`'s values are `starts[g] ..< starts[g + 1]`, in memory the groups own so that
/// concurrent workers may reorder disjoint groups (never through an array's
/// `withUnsafeMutableBufferPointer`).
struct WeightGroups: @unchecked Sendable {
    let starts: [Int]
    let grams: OwnedBuffer<Double>
    let perCent: OwnedBuffer<Double>

    /// Room for the groups `starts` bounds (`starts[0] == 0`, ascending), each value
    /// written once by `place` before it is read.
    init(starts: [Int]) {
        self.starts = starts
        grams = OwnedBuffer(count: starts.last ?? 0)
        perCent = OwnedBuffer(count: starts.last ?? 0)
    }

    var groupCount: Int { starts.count - 1 }

    func range(of group: Int) -> Range<Int> { starts[group]..<starts[group + 1] }

    func count(of group: Int) -> Int { starts[group + 1] - starts[group] }

    @inline(__always)
    func place(_ grams: Double, _ perCent: Double, at slot: Int) {
        self.grams.values[slot] = grams
        self.perCent.values[slot] = perCent
    }
}

/// The facts of each waybill the weight baseline reads, as raw buffers: its trajectory,
/// and its order's item, shop and amount. Only valid inside `with`.
struct WeighedParcels {
    let trajectories: UnsafeBufferPointer<WaybillTrajectory>
    let item: UnsafeBufferPointer<UInt32>
    let shop: UnsafeBufferPointer<UInt32>
    let amount: UnsafeBufferPointer<Int64>
    /// Orders below this have an item, a shop and an amount.
    let orderCount: Int

    var count: Int { trajectories.count }

    /// Calls `body` with buffers over `trajectories` and `orders`' columns.
    static func with<Result>(
        _ trajectories: [WaybillTrajectory], _ orders: OrdersTable, _ body: (WeighedParcels) -> Result
    ) -> Result {
        trajectories.withUnsafeBufferPointer { trajectories in
            orders.item.withUnsafeBufferPointer { item in
                orders.shop.withUnsafeBufferPointer { shop in
                    orders.amountCents.withUnsafeBufferPointer { amount in
                        body(WeighedParcels(
                            trajectories: trajectories, item: item, shop: shop, amount: amount,
                            orderCount: min(orders.count, item.count, shop.count, amount.count)))
                    }
                }
            }
        }
    }

    /// The order `waybill` ships when it declares a weight and its order is known.
    @inline(__always)
    func weighedOrder(_ waybill: Int) -> Int? {
        let trajectory = trajectories[waybill]
        let order = Int(trajectory.order)
        guard trajectory.order != IdDictionary.absent, order < orderCount, trajectory.grams >= 0 else { return nil }
        return order
    }

    /// The grams `waybill` declares and its grams per cent paid for `order`.
    @inline(__always)
    func weights(_ waybill: Int, order: Int) -> (grams: Double, perCent: Double) {
        let grams = Double(trajectories[waybill].grams)
        return (grams, grams / Double(max(1, amount[order])))
    }
}
