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
    /// in `orders`.
    public init(
        trajectories: [WaybillTrajectory], orders: OrdersTable, itemCount: Int, shopCount: Int, minimumParcels: Int,
        threads: Int = 1
    ) {
        let count = trajectories.count, orderCount = min(orders.count, orders.item.count, orders.shop.count, orders.amountCents.count)
        var itemKeys = [UInt32](repeating: IdDictionary.absent, count: count)
        var shopKeys = itemKeys
        var grams = [Double](repeating: 0, count: count)
        var perCent = grams
        trajectories.withUnsafeBufferPointer { trajectories in
            orders.item.withUnsafeBufferPointer { item in
                orders.shop.withUnsafeBufferPointer { shop in
                    orders.amountCents.withUnsafeBufferPointer { amount in
                        itemKeys.withUnsafeMutableBufferPointer { itemKeys in
                            shopKeys.withUnsafeMutableBufferPointer { shopKeys in
                                grams.withUnsafeMutableBufferPointer { grams in
                                    perCent.withUnsafeMutableBufferPointer { perCent in
                                        for waybill in 0..<count {
                                            let trajectory = trajectories[waybill]
                                            let order = Int(trajectory.order)
                                            grams[waybill] = Double(trajectory.grams)
                                            guard trajectory.order != IdDictionary.absent, order < orderCount else { continue }
                                            perCent[waybill] = Double(trajectory.grams) / Double(max(1, amount[order]))
                                            guard trajectory.grams >= 0 else { continue }
                                            itemKeys[waybill] = item[order]
                                            shopKeys[waybill] = shop[order]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        items = Self.norms(
            keys: itemKeys, entityCount: itemCount, grams: grams, perCent: perCent, minimumParcels: minimumParcels, oneItem: true,
            threads: threads)
        // A shop's norm is only the fallback for items without their own: learn it only
        // for shops that ship such an item.
        var needed = [Bool](repeating: false, count: shopCount)
        for waybill in 0..<count where itemKeys[waybill] != IdDictionary.absent && items[Int(itemKeys[waybill])] == nil {
            needed[Int(shopKeys[waybill])] = true
        }
        for waybill in 0..<count where shopKeys[waybill] != IdDictionary.absent && !needed[Int(shopKeys[waybill])] {
            shopKeys[waybill] = IdDictionary.absent
        }
        shops = Self.norms(
            keys: shopKeys, entityCount: shopCount, grams: grams, perCent: perCent, minimumParcels: minimumParcels, oneItem: false,
            threads: threads)
        // The export-wide fallback from an even sample: its quantiles are as good, and it
        // keeps the selection small on large exports.
        let weighed = itemKeys.indices.filter { itemKeys[$0] != IdDictionary.absent }
        let sample = stride(from: 0, to: weighed.count, by: max(1, weighed.count / Self.overallSample)).map { weighed[$0] }
        var sampleGrams = sample.map { grams[$0] }, samplePerCent = sample.map { perCent[$0] }
        overall = sample.isEmpty ? nil : Norm(
            grams: sampleGrams.withUnsafeMutableBufferPointer { Self.medianSpread(selectingIn: $0) },
            gramsPerCent: samplePerCent.withUnsafeMutableBufferPointer { Self.medianSpread(selectingIn: $0) })
    }

    /// The norm of every entity of `keys` with at least `minimumParcels` rows (nil for
    /// the others): the rows' grams and grams per cent are laid out by entity with one
    /// counting sort, and each entity's spread is found by selection in place, one-sided
    /// when each entity is `oneItem`, else around the median.
    static func norms(
        keys: [UInt32], entityCount: Int, grams: [Double], perCent: [Double], minimumParcels: Int, oneItem: Bool, threads: Int
    ) -> [Norm?] {
        var offsets = [Int](repeating: 0, count: entityCount + 1)
        keys.withUnsafeBufferPointer { keys in
            offsets.withUnsafeMutableBufferPointer { offsets in
                for key in keys where key != IdDictionary.absent { offsets[Int(key) &+ 1] &+= 1 }
                for entity in 0..<entityCount { offsets[entity &+ 1] &+= offsets[entity] }
            }
        }
        let total = offsets[entityCount]
        // Memory the workers of the selection pass own by entity (disjoint ranges).
        let byEntityGrams = ScratchValues(count: total), byEntityPerCent = ScratchValues(count: total)
        var cursor = offsets
        keys.withUnsafeBufferPointer { keys in
            grams.withUnsafeBufferPointer { grams in
                perCent.withUnsafeBufferPointer { perCent in
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        do {
                            let outGrams = byEntityGrams.values, outPerCent = byEntityPerCent.values
                            do {
                                for row in 0..<keys.count where keys[row] != IdDictionary.absent {
                                    let slot = cursor[Int(keys[row])]
                                    outGrams[slot] = grams[row]
                                    outPerCent[slot] = perCent[row]
                                    cursor[Int(keys[row])] = slot &+ 1
                                }
                            }
                        }
                    }
                }
            }
        }
        let minimum = max(1, minimumParcels)
        let bounds = offsets
        return ParallelRows.map(count: entityCount, threads: threads) { entities -> [Norm?] in
            let gramsBuffer = byEntityGrams.values, perCentBuffer = byEntityPerCent.values
            return entities.map { entity -> Norm? in
                let range = bounds[entity]..<bounds[entity &+ 1]
                guard range.count >= minimum else { return nil }
                let spread = oneItem ? upperSpread(selectingIn:) : medianSpread(selectingIn:)
                return Norm(
                    grams: spread(UnsafeMutableBufferPointer(rebasing: gramsBuffer[range])),
                    gramsPerCent: spread(UnsafeMutableBufferPointer(rebasing: perCentBuffer[range])))
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
        // Per item, the bounds of the norm it is judged by (its own, else its shop's,
        // else the export's) are only known per order, so keep the three tables and
        // pick per waybill; `.nan` marks "no norm" (every comparison with it is false).
        func bounds(_ norm: Norm?) -> (grams: Double, perCent: Double) {
            norm.map { ($0.grams.lowerBound(ratio: ratio, deviations: deviations),
                        $0.gramsPerCent.lowerBound(ratio: ratio, deviations: deviations)) } ?? (.nan, .nan)
        }
        let itemBounds = items.map(bounds), shopBounds = shops.map(bounds), overallBounds = bounds(overall)
        let hasItem = items.map { $0 != nil }, hasShop = shops.map { $0 != nil }, hasOverall = overall != nil
        let orderCount = min(orders.count, orders.item.count, orders.shop.count, orders.amountCents.count)
        var result = [Bool](repeating: false, count: trajectories.count)
        trajectories.withUnsafeBufferPointer { trajectories in
            orders.item.withUnsafeBufferPointer { item in
                orders.shop.withUnsafeBufferPointer { shop in
                    orders.amountCents.withUnsafeBufferPointer { amount in
                        result.withUnsafeMutableBufferPointer { result in
                            for waybill in 0..<trajectories.count {
                                let trajectory = trajectories[waybill]
                                let order = Int(trajectory.order)
                                guard trajectory.grams >= 0, trajectory.order != IdDictionary.absent, order < orderCount else {
                                    continue
                                }
                                let itemId = Int(item[order]), shopId = Int(shop[order])
                                let bound = hasItem[itemId] ? itemBounds[itemId]
                                    : hasShop[shopId] ? shopBounds[shopId] : overallBounds
                                guard hasItem[itemId] || hasShop[shopId] || hasOverall else { continue }
                                let grams = Double(trajectory.grams)
                                result[waybill] = grams < bound.grams && grams / Double(max(1, amount[order])) < bound.perCent
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Most waybills the export-wide norm is computed from.
    static let overallSample = 65_536


    /// The one-sided spread of non-empty `values` (no NaN), which it reorders and
    /// overwrites: exactly that of the sorted values, found by selection in linear expected time.
    /// Selecting the centre leaves the values at or above it behind it, so the one-sided
    /// MAD is the median of that suffix's distances to it.
    static func upperSpread(selectingIn values: UnsafeMutableBufferPointer<Double>) -> Spread {
        if values.count <= 32 { return upperSpread(keepingTop: values) }
        let rank = Spread.centreRank(count: values.count)
        let centre = select(rank, in: values)
        let above = UnsafeMutableBufferPointer(rebasing: values[rank...])
        for index in above.indices { above[index] -= centre }
        return Spread(centre: centre, deviation: median(selectingIn: above))
    }

    /// The one-sided spread of a few non-empty `values` (no NaN), which it reorders and
    /// overwrites.
    /// Only the values from the centre's rank on matter: the first `values[..<kept]`
    /// hold the largest values seen so far in ascending order, each further value larger
    /// than the smallest kept one replaces it and is moved into place. Then the distances
    /// of the kept values to the centre (the smallest kept) are ascending and their
    /// median is read off.
    static func upperSpread(keepingTop values: UnsafeMutableBufferPointer<Double>) -> Spread {
        let kept = values.count &- Spread.centreRank(count: values.count)
        insertionSort(values, 0, kept &- 1)
        for index in kept..<values.count {
            let value = values[index]
            guard value > values[0] else { continue }
            var slot = 0
            while slot &+ 1 < kept && values[slot &+ 1] < value {
                values[slot] = values[slot &+ 1]
                slot &+= 1
            }
            values[slot] = value
        }
        let centre = values[0], half = kept / 2
        let deviation = kept % 2 == 1 ? values[half] - centre : ((values[half &- 1] - centre) + (values[half] - centre)) / 2
        return Spread(centre: centre, deviation: deviation)
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

/// Doubles in memory this object owns, so that concurrent workers may reorder disjoint
/// ranges of them (never through an array's `withUnsafeMutableBufferPointer`).
final class ScratchValues: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Double>
    /// Uninitialized room for `count` values, each written before it is read.
    init(count: Int) {
        values = .allocate(capacity: count)
    }
    deinit { values.deallocate() }
}
