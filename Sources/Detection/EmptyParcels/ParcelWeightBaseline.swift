import Columnar

/// What a parcel of each item normally weighs, learned from the export's own waybills:
/// the median and median absolute deviation (MAD) of the declared grams and of the
/// grams per cent paid, per item, falling back to the shop's and then to the whole
/// export's when an item has too few weighed waybills. Medians follow the honest
/// majority of an item's parcels, so a few empty parcels do not move them; a genuine
/// light item (a document, a sample) is light for every buyer and sets its own low
/// baseline, which is why weight is judged against the item and not against a fixed
/// number of grams.
public struct ParcelWeightBaseline: Sendable {
    /// A robust centre and spread of one quantity.
    public struct Spread: Sendable, Equatable {
        public var median: Double
        public var mad: Double

        /// The value below which a parcel is too light: under `ratio` of the median and
        /// more than `deviations` scaled MADs below it.
        func lowerBound(ratio: Double, deviations: Double) -> Double {
            min(ratio * median, median - deviations * 1.4826 * mad)
        }
    }

    /// Grams and grams per cent of one population of parcels.
    public struct Norm: Sendable, Equatable {
        public var grams: Spread
        public var gramsPerCent: Spread
    }

    /// Per item, nil when the item has fewer than `minimumParcels` weighed waybills.
    public var items: [Norm?]
    /// Per shop, nil when the shop has fewer than `minimumParcels` weighed waybills.
    public var shops: [Norm?]
    /// Over every weighed waybill; nil when none is weighed.
    public var overall: Norm?

    /// Learns the baseline from the weighed waybills of `trajectories` whose order is
    /// in `orders`.
    public init(trajectories: [WaybillTrajectory], orders: OrdersTable, itemCount: Int, shopCount: Int, minimumParcels: Int) {
        var itemKeys = [UInt32](repeating: IdDictionary.absent, count: trajectories.count)
        var shopKeys = itemKeys
        for (waybill, trajectory) in trajectories.enumerated()
        where trajectory.grams >= 0 && trajectory.order != IdDictionary.absent && Int(trajectory.order) < orders.count {
            itemKeys[waybill] = orders.item[Int(trajectory.order)]
            shopKeys[waybill] = orders.shop[Int(trajectory.order)]
        }
        let grams = trajectories.map { Double($0.grams) }
        let perCent = trajectories.map { $0.order == IdDictionary.absent ? 0 : Double($0.grams) / Double(max(1, orders.amountCents[Int($0.order)])) }
        func norms(_ keys: [UInt32], count: Int) -> [Norm?] {
            let groups = EntityGroups(keys: keys, entityCount: count)
            var scratch: [Double] = []
            return (0..<count).map { entity in
                let rows = groups.rows(of: entity)
                guard rows.count >= max(1, minimumParcels) else { return nil }
                return Norm(
                    grams: Self.spread(of: rows, in: grams, scratch: &scratch),
                    gramsPerCent: Self.spread(of: rows, in: perCent, scratch: &scratch))
            }
        }
        items = norms(itemKeys, count: itemCount)
        shops = norms(shopKeys, count: shopCount)
        // The export-wide fallback from an even sample: its median is as good, and it
        // keeps the sort small on large exports.
        let weighed = itemKeys.indices.filter { itemKeys[$0] != IdDictionary.absent }
        let sample = stride(from: 0, to: weighed.count, by: max(1, weighed.count / Self.overallSample)).map { weighed[$0] }
        var scratch: [Double] = []
        let sampleRows = sample.map { UInt32($0) }
        overall = sample.isEmpty ? nil : Norm(
            grams: Self.spread(of: sampleRows[...], in: grams, scratch: &scratch),
            gramsPerCent: Self.spread(of: sampleRows[...], in: perCent, scratch: &scratch))
    }

    /// For each of `trajectories`, whether it declares a weight too low for what it
    /// ships: below its norm's lower bound (the item's, else the shop's, else the
    /// export's) both in grams and in grams per cent paid, so that a cheap, small
    /// variant of an item is not taken for an empty parcel.
    public func underweight(
        _ trajectories: [WaybillTrajectory], orders: OrdersTable, ratio: Double, deviations: Double
    ) -> [Bool] {
        func bounds(_ norm: Norm?) -> (grams: Double, perCent: Double)? {
            norm.map { ($0.grams.lowerBound(ratio: ratio, deviations: deviations),
                        $0.gramsPerCent.lowerBound(ratio: ratio, deviations: deviations)) }
        }
        let itemBounds = items.map(bounds), shopBounds = shops.map(bounds), overallBounds = bounds(overall)
        let item = orders.item, shop = orders.shop, amount = orders.amountCents
        return trajectories.map { trajectory in
            guard trajectory.grams >= 0, trajectory.order != IdDictionary.absent, Int(trajectory.order) < item.count else {
                return false
            }
            let order = Int(trajectory.order)
            guard let bound = itemBounds[Int(item[order])] ?? shopBounds[Int(shop[order])] ?? overallBounds else {
                return false
            }
            let grams = Double(trajectory.grams)
            return grams < bound.grams && grams / Double(max(1, amount[order])) < bound.perCent
        }
    }

    /// Most waybills the export-wide norm is computed from.
    static let overallSample = 65_536


    /// Median and MAD of `values[rows]`, sorted in `scratch`.
    static func spread(of rows: ArraySlice<UInt32>, in values: [Double], scratch: inout [Double]) -> Spread {
        scratch.removeAll(keepingCapacity: true)
        for row in rows { scratch.append(values[Int(row)]) }
        scratch.sort()
        let median = middle(scratch)
        for index in scratch.indices { scratch[index] = abs(scratch[index] - median) }
        scratch.sort()
        return Spread(median: median, mad: middle(scratch))
    }

    /// The median of sorted, non-empty `values`.
    private static func middle(_ values: [Double]) -> Double {
        let half = values.count / 2
        return values.count % 2 == 1 ? values[half] : (values[half - 1] + values[half]) / 2
    }
}
