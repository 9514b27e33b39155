import Columnar

/// How an order of the rater at the rated shop backs a rating. A customer rates what
/// they bought; an attacker rates with no order at all, or after the cheapest order the
/// shop allows, placed only to be allowed to rate.
enum RatingBacking: UInt8, Sendable {
    /// No order, an order of someone else or of another shop, or a cancelled order.
    case none
    /// An order among the shop's cheapest (at or below its `trivialQuantile` amount).
    case trivial
    /// A real purchase.
    case genuine
}

/// The ratings table joined to orders and parcels by row: the per-rating facts that every
/// malicious-ratings signal reads. Attacks lower a shop's credit, so the signals look at
/// low ratings; `lowByRater` and `lowByShop` group only those.
struct RatingFacts: Sendable {
    /// Whether each rating has at most the configured number of stars.
    let low: [Bool]
    /// The low ratings of each rater.
    let lowByRater: EntityGroups
    /// The low ratings of each shop, in time order.
    let lowByShop: EntityGroups
    /// Whether the ratings name the orders they rate: the export has orders and some
    /// rating names one (`namesOrders`). Without (a bare rating network, or an export that
    /// leaves the ratings' `order_id` out) the order-based signals do not apply: a rating
    /// whose order the export does not give is not known to have none.
    let hasOrders: Bool

    init(_ export: Export, config: DetectionConfig) {
        let ratings = export.ratings
        let accountCount = export.dictionaries.accounts.count
        let lowStars = UInt8(clamping: Int(config["malicious_ratings.low_stars"]))
        low = ratings.stars.map { $0 <= lowStars }
        lowByRater = EntityGroups(keys: Self.keep(ratings.buyer, where: low), entityCount: accountCount)
        lowByShop = EntityGroups(
            keys: Self.keep(ratings.shop, where: low), entityCount: accountCount, orderedBy: ratings.createdAt)
        hasOrders = Self.namesOrders(export)
    }

    /// Whether some rating of the export names an order of it. An export whose ratings name
    /// none does not link ratings to orders at all (the column is left out or empty), so
    /// a rating's missing order says nothing about the rater.
    static func namesOrders(_ export: Export) -> Bool {
        export.orders.count > 0 && export.ratings.order.contains { $0 != IdDictionary.absent }
    }

    /// The low-star cut, which `TiedSurgeDetector` shares (a crew's orders at its victim are rated low).
    static let lowStars = Parameter(
        "malicious_ratings.low_stars", 2, "a rating with at most this many stars is low (what an attack posts)")

    /// The common tunables of the malicious-ratings detectors.
    static let parameters = [
        lowStars,
        Parameter("malicious_ratings.trivial_quantile", 0.05, "an order at or below this quantile of the shop's order amounts is trivial (bought to be allowed to rate)"),
        Parameter("malicious_ratings.trivial_min_shop_orders", 10, "fewest orders of a shop for its cheap orders to be told apart"),
        Parameter("malicious_ratings.ticket_item_quantile", 0.2, "a genuine order of an item priced at or below this quantile of the shop's catalogue (its items' median prices) is a ticket: the cheapest way in to rate"),
    ]


    /// `backing` and `tickets` of the export, the items' median prices worked out once
    /// for both; `shops` is the export's orders grouped by shop.
    static func purchases(_ export: Export, shops: EntityGroups, config: DetectionConfig, threads: Int)
        -> (backing: [RatingBacking], tickets: (rating: [Bool], shopShare: [Double]))
    {
        let itemMedian = export.orders.count > 0 ? itemMedians(export.orders, threads: threads) : []
        let backing = backing(export, itemMedian: itemMedian, config: config, threads: threads)
        return (backing, tickets(export, shops: shops, backing: backing, itemMedian: itemMedian, config: config))
    }

    /// How each rating is backed by its order (`backing(ratings:orders:...)` with this
    /// config's trivial quantile; `itemMedian` is `itemMedians(export.orders)`, which the
    /// tickets read too). Without orders (a bare rating network) nothing is backed.
    static func backing(_ export: Export, itemMedian: [Int64], config: DetectionConfig, threads: Int)
        -> [RatingBacking]
    {
        guard export.orders.count > 0 else { return [RatingBacking](repeating: .none, count: export.ratings.count) }
        return backing(
            ratings: export.ratings, orders: export.orders, shopCount: export.dictionaries.accounts.count,
            itemMedian: itemMedian, trivialQuantile: config["malicious_ratings.trivial_quantile"],
            minimumShopOrders: Int(config["malicious_ratings.trivial_min_shop_orders"]), threads: threads)
    }

    /// Per item, the median amount of its orders in cents (-1 for an item without orders).
    static func itemMedians(_ orders: OrdersTable, threads: Int) -> [Int64] {
        quantiles(of: orders.amountCents, by: orders.item, count: itemCount(orders), quantiles: [0.5], minimumRows: 1, threads: threads)[0]
    }

    /// Per rating, whether its order is a ticket: a genuine purchase (`backing`) of one of
    /// the cheapest items of the shop's catalogue, its median price at or below the
    /// `malicious_ratings.ticket_item_quantile` of the median prices of the shop's distinct
    /// items (shops with at least `trivial_min_shop_orders` orders); and per shop, the
    /// share of its orders (with an item) that are of such items. A sleeper attacker buys
    /// for real and waits for the parcel, so the rating is backed; but it buys what lets
    /// it rate at least cost, whatever the shop's customers buy. One such rating is a
    /// customer's; many on one shop at once, beyond what the shop's other complaints
    /// explain, are an attack (`RatingBurstDetector`).
    /// `itemMedian` is `itemMedians(orders)`, `shops` the orders grouped by shop.
    private static func tickets(
        _ export: Export, shops: EntityGroups, backing: [RatingBacking], itemMedian: [Int64], config: DetectionConfig
    )
        -> (rating: [Bool], shopShare: [Double])
    {
        let orders = export.orders, ratings = export.ratings
        let shopCount = export.dictionaries.accounts.count
        guard orders.count > 0 else {
            return ([Bool](repeating: false, count: ratings.count), [Double](repeating: 0, count: shopCount))
        }
        let limit = catalogueQuantile(
            orders, shops: shops, itemMedian: itemMedian, quantile: config["malicious_ratings.ticket_item_quantile"],
            minimumOrders: Int(config["malicious_ratings.trivial_min_shop_orders"]))
        var withItem = [Int](repeating: 0, count: shopCount), cheap = [Int](repeating: 0, count: shopCount)
        for row in 0..<orders.count where orders.item[row] != IdDictionary.absent {
            let shop = Int(orders.shop[row])
            withItem[shop] += 1
            if itemMedian[Int(orders.item[row])] <= limit[shop] { cheap[shop] += 1 }
        }
        let rating = (0..<ratings.count).map { row in
            guard backing[row] == .genuine else { return false }
            let item = orders.item[Int(ratings.order[row])]
            return item != IdDictionary.absent && itemMedian[Int(item)] <= limit[Int(ratings.shop[row])]
        }
        return (rating, (0..<shopCount).map { withItem[$0] == 0 ? 0 : Double(cheap[$0]) / Double(withItem[$0]) })
    }

    /// Per shop of `shops` (the orders grouped by shop) with at least `minimumOrders`
    /// orders, the `quantile` (nearest rank below) of the median prices of its distinct
    /// items; -1 for other shops.
    static func catalogueQuantile(
        _ orders: OrdersTable, shops: EntityGroups, itemMedian: [Int64], quantile: Double, minimumOrders: Int
    ) -> [Int64] {
        // Per item, the last shop that counted it: each shop takes its distinct items once.
        var countedBy = [Int](repeating: -1, count: itemMedian.count)
        var prices: [Int64] = []
        return (0..<shops.entityCount).map { shop in
            let rows = shops.rows(of: shop)
            guard rows.count >= max(1, minimumOrders) else { return -1 }
            prices.removeAll(keepingCapacity: true)
            for row in rows {
                let item = orders.item[Int(row)]
                guard item != IdDictionary.absent, countedBy[Int(item)] != shop else { continue }
                countedBy[Int(item)] = shop
                prices.append(itemMedian[Int(item)])
            }
            guard !prices.isEmpty else { return -1 }
            prices.sort()
            return prices[Int(quantile * Double(prices.count - 1))]
        }
    }

    /// How many item ids the orders use: one past the largest (0 without items).
    static func itemCount(_ orders: OrdersTable) -> Int {
        Int(orders.item.lazy.filter { $0 != IdDictionary.absent }.max().map { $0 + 1 } ?? 0)
    }

    /// `keys` with the rows where `flag` is false replaced by `IdDictionary.absent`.
    static func keep(_ keys: Column<UInt32>, where flag: [Bool]) -> Column<UInt32> {
        Column(zip(keys, flag).map { $1 ? $0 : IdDictionary.absent })
    }

    /// How each rating is backed by its order. An order counts only when it is the
    /// rater's own, at the rated shop and not cancelled; it is trivial when its item is
    /// one of the shop's cheapest: the item's median amount is at or below the
    /// `trivialQuantile` of the shop's order amounts and below their median (measured
    /// only for shops with at least `minimumShopOrders` orders, where the quantiles mean
    /// something). An attacker buys what costs least next to what the shop's customers
    /// buy. Where the cheapest amount is also the common one (a shop whose best seller is
    /// its cheapest item, a one-item shop), buying it is what real customers do; and an
    /// order of a dearer item bought cheap (a flash sale's discount) is the shop's
    /// demand, not a ticket to rate: both back a rating like any purchase.
    /// `itemMedian` is `itemMedians(orders)` when the caller has it (worked out here if nil).
    static func backing(
        ratings: RatingsTable, orders: OrdersTable, shopCount: Int, itemMedian: [Int64]? = nil, trivialQuantile: Double,
        minimumShopOrders: Int, threads: Int
    ) -> [RatingBacking] {
        let shopAmounts = quantiles(
            of: orders.amountCents, by: orders.shop, count: shopCount, quantiles: [trivialQuantile, 0.5], minimumRows: minimumShopOrders,
            threads: threads)
        let cheapLimit = shopAmounts[0], median = shopAmounts[1]
        let itemMedian = itemMedian ?? itemMedians(orders, threads: threads)
        return (0..<ratings.count).map { row in
            let order = ratings.order[row]
            guard order != IdDictionary.absent else { return .none }
            let index = Int(order)
            guard orders.buyer[index] == ratings.buyer[row], orders.shop[index] == ratings.shop[row],
                orders.status[index] != OrderStatus.cancelled.rawValue
            else { return .none }
            let item = orders.item[index], shop = Int(ratings.shop[row])
            let price = item != IdDictionary.absent ? itemMedian[Int(item)] : orders.amountCents[index]
            return price <= cheapLimit[shop] && price < median[shop] ? .trivial : .genuine
        }
    }

    /// Per group of `keys` (shops, items; `count` groups; rows keyed
    /// `IdDictionary.absent` belong to none), the value (order amount in cents, parcel
    /// grams) at each of `quantiles` of its rows (nearest rank below, found by selection),
    /// or -1 for a group with fewer than `minimumRows` rows: `result[q][group]`. The groups
    /// are formed once for all the quantiles.
    static func quantiles(
        of values: Column<Int64>, by keys: Column<UInt32>, count: Int, quantiles: [Double], minimumRows: Int, threads: Int
    ) -> [[Int64]] {
        let groups = EntityGroups(keys: keys, entityCount: count)
        // Group-major: the quantiles of group g at g * quantiles.count, one array per slice.
        let byGroup = ParallelRows.map(count: count, threads: threads) { range -> [Int64] in
            var picked: [Double] = [], found: [Int64] = []
            found.reserveCapacity(range.count * quantiles.count)
            for group in range {
                let rows = groups.rows(of: group)
                guard rows.count >= max(1, minimumRows) else {
                    found.append(contentsOf: repeatElement(-1, count: quantiles.count))
                    continue
                }
                // Cents and grams are exact as doubles; selection finds each rank without a sort.
                picked.removeAll(keepingCapacity: true)
                for row in rows { picked.append(Double(values[Int(row)])) }
                for quantile in quantiles {
                    let rank = Int(quantile * Double(rows.count - 1))
                    found.append(Int64(picked.withUnsafeMutableBufferPointer { ParcelWeightBaseline.select(rank, in: $0) }))
                }
            }
            return found
        }.flatMap { $0 }
        return quantiles.indices.map { index in
            stride(from: index, to: byGroup.count, by: quantiles.count).map { byGroup[$0] }
        }
    }

    /// Per shop, the typical parcel weight of its catalogue in grams: the median over its
    /// distinct items of each item's median parcel weight (each order's parcel as weighed
    /// at pickup, else its first weighed scan in row order: a weight declared when the waybill is
    /// created is often rounded); `.nan` for a shop with no weighed parcel. What a shop
    /// sells shows in what its parcels weigh (documents, cosmetics, books, furniture), and
    /// the median over items, not orders, lets no best-seller or bulk order stand for the
    /// whole catalogue.
    static func catalogueGrams(_ export: Export, threads: Int) -> [Double] {
        let orders = export.orders, logistics = export.logistics
        var grams = [Int64](repeating: -1, count: orders.count)
        var atPickup = [Bool](repeating: false, count: orders.count)
        let pickup = ScanEvent.pickup.rawValue
        for row in 0..<logistics.count where logistics.order[row] != IdDictionary.absent {
            let order = Int(logistics.order[row]), weight = logistics.weightGrams[row]
            guard weight != Missing.count, weight > 0, !atPickup[order] else { continue }
            if grams[order] < 0 || logistics.event[row] == pickup { grams[order] = Int64(weight) }
            atPickup[order] = logistics.event[row] == pickup
        }
        let itemCount = Self.itemCount(orders)
        let weighedItem = orders.item.indices.map { grams[$0] >= 0 ? orders.item[$0] : IdDictionary.absent }
        let itemGrams = quantiles(
            of: Column(grams), by: Column(weighedItem), count: itemCount, quantiles: [0.5], minimumRows: 1, threads: threads)[0]
        var itemShop = [UInt32](repeating: IdDictionary.absent, count: itemCount)
        for row in 0..<orders.count where weighedItem[row] != IdDictionary.absent {
            itemShop[Int(orders.item[row])] = orders.shop[row]
        }
        let shopGrams = quantiles(
            of: Column(itemGrams), by: Column(itemShop), count: export.dictionaries.accounts.count, quantiles: [0.5], minimumRows: 1,
            threads: threads)[0]
        return shopGrams.map { $0 < 0 ? .nan : Double($0) }
    }

    /// Per order row, when its parcel arrived: the earliest `delivery` or `signed` scan,
    /// `Missing.time` when no such scan is in the export.
    static func arrivals(logistics: LogisticsTable, orderCount: Int) -> [Int64] {
        var arrival = [Int64](repeating: Missing.time, count: orderCount)
        let delivery = ScanEvent.delivery.rawValue, signed = ScanEvent.signed.rawValue
        for row in 0..<logistics.count where logistics.order[row] != IdDictionary.absent {
            let event = logistics.event[row]
            guard event == delivery || event == signed else { continue }
            let order = Int(logistics.order[row])
            if arrival[order] == Missing.time || logistics.at[row] < arrival[order] { arrival[order] = logistics.at[row] }
        }
        return arrival
    }

    /// How a person finds rating `row` in the platform: by its order when it has one.
    static func name(of row: Int, in export: Export) -> EvidenceSample {
        let ratings = export.ratings
        let order = ratings.order[row]
        if order != IdDictionary.absent {
            return EvidenceSample(.rating, "rating of " + export.dictionaries.orders.string(order))
        }
        let accounts = export.dictionaries.accounts
        return EvidenceSample(
            .rating,
            "rating #\(row) by \(accounts.string(ratings.buyer[row])) on \(accounts.string(ratings.shop[row])) at "
                + UnixTime.iso8601(ratings.createdAt[row]))
    }

    /// A signal column of per-rater values whose evidence is the flagged low ratings of
    /// each rater for whom it fires.
    func raterColumn(
        _ definition: SignalDefinition, values: [Double], flagged: (Int) -> Bool, export: Export
    ) -> SignalColumn {
        Self.raterColumn(definition, values: values, groups: lowByRater, flagged: flagged, export: export)
    }

    /// A signal column of per-rater values whose evidence is, for each rater for whom it
    /// fires, its ratings in `groups` (ratings by rater) that are `flagged`.
    static func raterColumn(
        _ definition: SignalDefinition, values: [Double], groups: EntityGroups, flagged: (Int) -> Bool, export: Export
    ) -> SignalColumn {
        var samples: [UInt32: [EvidenceSample]] = [:]
        for rater in values.indices where values[rater] >= definition.threshold {
            samples[UInt32(rater)] = groups.rows(of: rater).filter { flagged(Int($0)) }
                .prefix(SignalColumn.sampleLimit).map { name(of: Int($0), in: export) }
        }
        return SignalColumn(definition: definition, values: values, samples: samples)
    }
}
