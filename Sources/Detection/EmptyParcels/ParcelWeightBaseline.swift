import Columnar

/// What a parcel of each item normally weighs, learned from the export's own waybills,
/// and which waybills declare too little against it: a robust centre and spread of the
/// declared grams and of the grams per cent paid, per item, falling back to the shop's
/// and then to the whole export's when an item has too few weighed waybills. An empty
/// parcel can only ever be lighter than its item, never heavier, so an item's norm looks
/// at the heavy side: the centre is the upper quartile and the spread is measured above
/// it. Even when empty parcels are a large minority of an item's waybills (up to three
/// quarters) they neither drag the centre down nor widen the spread, as a median and a
/// two-sided MAD would. A genuine light item (a document, a sample) is light for every
/// buyer and sets its own low norm, which is why weight is judged against the item and
/// not against a fixed number of grams. The fallbacks pool different items, where lighter
/// parcels are simply lighter items, so they keep the median and the two-sided MAD.
public enum ParcelWeightBaseline {
    /// A robust centre and spread of one quantity: for one item's parcels the upper
    /// quartile and the one-sided MAD above it (`upperSpread`), which a light minority
    /// does not move; for parcels pooled over several items (a shop's, the export's) the
    /// median and MAD, since there a lighter item is no sign of fraud.
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

    /// When a declared weight is too low.
    public struct Rules: Sendable {
        /// Fewest weighed waybills of an item (or shop) for a norm of its own.
        public var minimumParcels: Int
        /// Too light is under this share of the norm's centre ...
        public var ratio: Double
        /// ... and more than this many scaled deviations below it.
        public var deviations: Double

        public init(minimumParcels: Int, ratio: Double, deviations: Double) {
            self.minimumParcels = minimumParcels
            self.ratio = ratio
            self.deviations = deviations
        }
    }

    /// For each of `trajectories`, whether it declares a weight too low for what it
    /// ships: below its norm's lower bound (the item's, else the shop's, else the
    /// export's) both in grams and in grams per cent paid, so that a cheap, small variant
    /// of an item is not taken for an empty parcel.
    ///
    /// Only what a verdict needs is learned. One pass over the waybills counts the weighed
    /// ones per item and per shop; a second lays each one out as one record by item (items
    /// with a norm of their own only), notes the shops whose items lack one and takes the
    /// export-wide sample; a third lays out those shops' waybills only, marking the ones
    /// their shop's norm judges. Each group then finds its grams norm and judges its
    /// waybills in grams; the grams-per-cent norm is found only for a group where some
    /// waybill is too light in grams (a verdict needs both), and a shop's deviation only
    /// when one of its judged waybills is under `ratio` of its median. Groups are judged
    /// in parallel; the verdicts are the same for any thread count.
    public static func underweight(
        _ trajectories: [WaybillTrajectory], orders: OrdersTable, itemCount: Int, shopCount: Int, rules: Rules,
        threads: Int = 1
    ) -> [Bool] {
        [Bool](unsafeUninitializedCapacity: trajectories.count) { buffer, initialized in
            buffer.initialize(repeating: false)
            let verdicts = Verdicts(values: buffer)
            WeighedParcels.with(trajectories, orders) { parcels in
                judge(parcels, itemCount: itemCount, shopCount: shopCount, rules: rules, threads: threads, into: verdicts)
            }
            initialized = trajectories.count
        }
    }

    /// `underweight`'s work over raw buffers: marks the too light waybills of `parcels`
    /// in `verdicts`.
    private static func judge(
        _ parcels: WeighedParcels, itemCount: Int, shopCount: Int, rules: Rules, threads: Int, into verdicts: Verdicts
    ) {
        let minimum = max(1, rules.minimumParcels)
        precondition(parcels.count < Int(lacksNorm), "too many waybills for 32-bit item cursors")
        // Counters and cursors per item are 32 bits (half the cache lines of the random
        // accesses over the items); the number of weighed waybills is below 2^31.
        var itemCounts = [UInt32](repeating: 0, count: itemCount)
        var shopWeighed = [Int](repeating: 0, count: shopCount)
        itemCounts.withUnsafeMutableBufferPointer { itemCounts in
            shopWeighed.withUnsafeMutableBufferPointer { shopWeighed in
                for waybill in 0..<parcels.count {
                    guard let order = parcels.weighedOrder(waybill) else { continue }
                    itemCounts[Int(parcels.item[order])] &+= 1
                    shopWeighed[Int(parcels.shop[order])] &+= 1
                }
            }
        }
        // Per item its next slot, with `lacksNorm` set when it has too few weighed waybills
        // for a norm of its own (its waybills are not laid out): one random access per
        // waybill finds both.
        var itemStarts = [Int](repeating: 0, count: itemCount + 1)
        var cursor = [UInt32](repeating: 0, count: itemCount)
        var weighed = 0
        for item in 0..<itemCount {
            let count = Int(itemCounts[item]), own = count >= minimum
            itemStarts[item + 1] = itemStarts[item] + (own ? count : 0)
            cursor[item] = UInt32(itemStarts[item]) | (own ? 0 : lacksNorm)
            weighed += count
        }
        // Every k-th weighed waybill, k = max(1, weighed / overallSample), for the export's norm.
        let every = max(1, weighed / overallSample)
        var sample: [WeighedParcel] = [], byExport: [WeighedParcel] = []
        sample.reserveCapacity(weighed / every + 1)
        // Waybills whose item lacks a norm and whose shop has one, in waybill order.
        var fallbacks: [UInt32] = []
        var needed = [Bool](repeating: false, count: shopCount)
        let items = WeightGroups(starts: itemStarts)
        needed.withUnsafeMutableBufferPointer { needed in
            cursor.withUnsafeMutableBufferPointer { cursor in
                var index = 0
                for waybill in 0..<parcels.count {
                    guard let order = parcels.weighedOrder(waybill) else { continue }
                    let item = Int(parcels.item[order])
                    let parcel = parcels.parcel(waybill, order: order, judged: true)
                    let entry = cursor[item]
                    if entry & lacksNorm == 0 {
                        items.parcels.values[Int(entry)] = parcel
                        cursor[item] = entry &+ 1
                    } else {
                        let shop = Int(parcels.shop[order])
                        if shopWeighed[shop] >= minimum {
                            needed[shop] = true
                            fallbacks.append(UInt32(truncatingIfNeeded: waybill))
                        } else {
                            byExport.append(parcel)
                        }
                    }
                    if index % every == 0 { sample.append(parcels.parcel(waybill, order: order, judged: false)) }
                    index &+= 1
                }
            }
        }
        judgeGroups(items, oneItem: true, rules: rules, threads: threads, into: verdicts)
        if !fallbacks.isEmpty {
            // A shop's norm is only the fallback for items without their own: learn it only
            // for shops that ship such an item, judging only those items' waybills.
            var shopStarts = [Int](repeating: 0, count: shopCount + 1)
            for shop in 0..<shopCount { shopStarts[shop + 1] = shopStarts[shop] + (needed[shop] ? shopWeighed[shop] : 0) }
            let shops = WeightGroups(starts: shopStarts)
            needed.withUnsafeBufferPointer { needed in
                shopStarts.withUnsafeMutableBufferPointer { cursor in
                    fallbacks.withUnsafeBufferPointer { fallbacks in
                        var next = 0
                        for waybill in 0..<parcels.count {
                            guard let order = parcels.weighedOrder(waybill) else { continue }
                            let shop = Int(parcels.shop[order])
                            guard needed[shop] else { continue }
                            let judged = next < fallbacks.count && Int(fallbacks[next]) == waybill
                            if judged { next &+= 1 }
                            shops.parcels.values[cursor[shop]] = parcels.parcel(waybill, order: order, judged: judged)
                            cursor[shop] &+= 1
                        }
                    }
                }
            }
            judgeGroups(shops, oneItem: false, rules: rules, threads: threads, into: verdicts)
        }
        // The export-wide fallback from an even sample: its quantiles are as good, and it
        // keeps the selection small on large exports.
        guard !byExport.isEmpty else { return }
        sample.withUnsafeBufferPointer { sample in
            byExport.withUnsafeBufferPointer { judged in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: sample.count) { scratch in
                    judgeGroup(judged, against: sample, oneItem: false, rules: rules, scratch: scratch, into: verdicts)
                }
            }
        }
    }

    /// Judges the marked waybills of every group against the group's own norm, in
    /// parallel over groups. Only groups with enough weighed waybills to learn a norm
    /// are laid out; the others are empty.
    private static func judgeGroups(
        _ groups: WeightGroups, oneItem: Bool, rules: Rules, threads: Int,
        into verdicts: Verdicts
    ) {
        _ = ParallelRows.map(count: groups.groupCount, threads: threads) { entities in
            let largest = entities.reduce(0) { max($0, groups.count(of: $1)) }
            withUnsafeTemporaryAllocation(of: Double.self, capacity: largest) { scratch in
                for entity in entities {
                    let range = groups.range(of: entity)
                    guard !range.isEmpty else { continue }
                    let group = UnsafeBufferPointer(rebasing: groups.parcels.values[range])
                    judgeGroup(group, against: group, oneItem: oneItem, rules: rules, scratch: scratch, into: verdicts)
                }
            }
        }
    }

    /// Marks in `verdicts` the marked waybills of `judged` that are too light for the norm
    /// of `population` (non-empty; `oneItem`: one item's parcels): in grams and in grams
    /// per cent. The grams-per-cent norm is only found when some judged waybill is too
    /// light in grams. `scratch` holds at least `population.count` values.
    private static func judgeGroup(
        _ judged: UnsafeBufferPointer<WeighedParcel>, against population: UnsafeBufferPointer<WeighedParcel>,
        oneItem: Bool, rules: Rules, scratch: UnsafeMutableBufferPointer<Double>, into verdicts: Verdicts
    ) {
        let values = UnsafeMutableBufferPointer(rebasing: scratch[..<population.count])
        for index in population.indices { values[index] = Double(population[index].grams) }
        guard let gramsBound = lowerBound(selectingIn: values, oneItem: oneItem, rules: rules, anyUnder: { bound in
            judged.contains { $0.isJudged && Double($0.grams) < bound }
        }) else { return }
        for index in population.indices { values[index] = population[index].perCent }
        guard let perCentBound = lowerBound(selectingIn: values, oneItem: oneItem, rules: rules, anyUnder: { bound in
            judged.contains { $0.isJudged && Double($0.grams) < gramsBound && $0.perCent < bound }
        }) else { return }
        for parcel in judged where parcel.isJudged && Double(parcel.grams) < gramsBound && parcel.perCent < perCentBound {
            verdicts.values[parcel.waybill] = true
        }
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

    /// The lower bound (`Spread.lowerBound`) of the norm of non-empty `values` (no NaN),
    /// which it reorders and overwrites: their upper quartile and one-sided deviation for
    /// `oneItem`'s values, else their median and MAD. Nil when `anyUnder` says no judged
    /// value is under it: for a median it is asked first with `ratio` of the median (the
    /// bound is at most that), so the deviation's second selection is only made when
    /// some value could be under the bound.
    static func lowerBound(
        selectingIn values: UnsafeMutableBufferPointer<Double>, oneItem: Bool, rules: Rules, anyUnder: (Double) -> Bool
    ) -> Double? {
        let spread: Spread
        if oneItem {
            spread = upperSpread(selectingIn: values)
        } else {
            let median = median(selectingIn: values)
            guard anyUnder(rules.ratio * median) else { return nil }
            spread = Spread(centre: median, deviation: deviation(selectingIn: values, from: median))
        }
        let bound = spread.lowerBound(ratio: rules.ratio, deviations: rules.deviations)
        return anyUnder(bound) ? bound : nil
    }

    /// The MAD of non-empty `values` (no NaN) around their `median`: the median of their
    /// distances to it, which overwrite them.
    static func deviation(selectingIn values: UnsafeMutableBufferPointer<Double>, from median: Double) -> Double {
        for index in values.indices { values[index] = abs(values[index] - median) }
        return Self.median(selectingIn: values)
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

/// One weighed waybill as the group of its norm holds it: grams, grams per cent paid and
/// the waybill, marked when the group's norm judges it (a shop's group holds all the
/// shop's weighed waybills, but its norm judges only those whose item lacks one).
struct WeighedParcel {
    let perCent: Double
    let grams: Int32
    /// The waybill id, with `judgedFlag` set when the group judges it.
    private let tagged: UInt32

    init(grams: Int32, perCent: Double, waybill: Int, judged: Bool) {
        self.grams = grams
        self.perCent = perCent
        tagged = UInt32(truncatingIfNeeded: waybill) | (judged ? Self.judgedFlag : 0)
    }

    var waybill: Int { Int(tagged & ~Self.judgedFlag) }
    var isJudged: Bool { tagged & Self.judgedFlag != 0 }

    /// Waybill ids are below 2^31 (`ParcelWeightBaseline.lacksNorm`).
    private static let judgedFlag: UInt32 = 1 << 31
}

/// Weighed waybills laid out by group (item or shop): group `g`'s are
/// `starts[g] ..< starts[g + 1]`, in uninitialised memory (never zeroed): the layout pass
/// writes each record once, then the judging workers only read it.
struct WeightGroups: @unchecked Sendable {
    let starts: [Int]
    let parcels: OwnedBuffer<WeighedParcel>

    /// Room for the groups `starts` bounds (`starts[0] == 0`, ascending), each record
    /// written once before it is read.
    init(starts: [Int]) {
        self.starts = starts
        parcels = OwnedBuffer(count: starts.last ?? 0)
    }

    var groupCount: Int { starts.count - 1 }

    func range(of group: Int) -> Range<Int> { starts[group]..<starts[group + 1] }

    func count(of group: Int) -> Int { starts[group + 1] - starts[group] }
}

/// One verdict per waybill, written by the workers judging disjoint groups (each waybill
/// is judged by one norm only).
struct Verdicts: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Bool>
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

    /// The grams `waybill` declares and its grams per cent paid for `order`, as a group holds them.
    @inline(__always)
    func parcel(_ waybill: Int, order: Int, judged: Bool) -> WeighedParcel {
        let grams = trajectories[waybill].grams
        return WeighedParcel(
            grams: grams, perCent: Double(grams) / Double(max(1, amount[order])), waybill: waybill, judged: judged)
    }
}
