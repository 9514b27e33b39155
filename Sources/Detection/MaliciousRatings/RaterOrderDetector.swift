import Columnar

/// Per-rater signals read off each low rating and the order behind it. They follow
/// from what an attack needs: many accounts must post low ratings on a shop they are
/// not customers of, so they rate with no order or after the cheapest one (or, as
/// sleepers, after a real order of one of the catalogue's cheapest items), rate before
/// the parcel could have disappointed anyone, type no real review, and are run from a
/// few phones and networks. A real customer of a genuinely bad shop has a real order,
/// rates after the (late) parcel arrived and writes why, so fires none of them. An
/// extortion rater works alone and buys for real; what gives it away is its trade:
/// one shop after another, a complaint and a refund as the price of silence
/// (`refundComplaintSurprise`).
public struct RaterOrderDetector: SharingDetector {
    public init() {}

    public var name: String { "rater orders and texts" }

    public var parameters: [Parameter] {
        RatingFacts.parameters + [
            Parameter("malicious_ratings.quick_rating_seconds", 600, "a low rating this soon after the parcel arrived cannot judge the goods"),
            Parameter("malicious_ratings.late_delivery_seconds", 345_600, "a parcel arriving later than this after the order is late, and a complaint before it arrives is fair"),
            Parameter("malicious_ratings.short_text_chars", 10, "a review text shorter than this says nothing"),
            Parameter("malicious_ratings.shared_device_raters", 3, "distinct low raters of one shop on one device that make the device shared"),
            Parameter("malicious_ratings.refund_prior_orders", 20, "orders' worth of the platform's rate of refunded complaints that a shop's own rate is shrunk towards"),
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "rater_unbacked_low_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings with no own order at the shop, or only a trivially cheap one",
                threshold: 0.5, saturation: 0.9, weight: 0.4),
            SignalDefinition(
                name: "rater_ticket_low_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings backed only by a ticket: a real order of one of the cheapest items of the shop's catalogue",
                threshold: 0.5, saturation: 0.9, weight: 0.15),
            SignalDefinition(
                name: "rater_premature_low_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings posted before the order, before an on-time parcel arrived, or moments after it arrived",
                threshold: 0.5, saturation: 0.9, weight: 0.35),
            SignalDefinition(
                name: "rater_short_text_low_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings with an empty or near-empty text and no photo",
                threshold: 0.5, saturation: 0.9, weight: 0.15),
            SignalDefinition(
                name: "rater_shared_identity_low_share", entityKind: .buyer, category: .maliciousRatings,
                description: "share of the rater's low ratings whose order device other low raters of the shop share",
                threshold: 0.5, saturation: 0.9, weight: 0.35),
            SignalDefinition(
                name: "rater_refund_complaint_surprise", entityKind: .buyer, category: .maliciousRatings,
                description: "-log10 chance of as many shops where the rater complained about its own order and got it refunded, given how often each of its shops' other orders end so (an extortion rater's trade)",
                threshold: 5, saturation: 8, weight: 0.4),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let facts = memo.facts(config: config)
        let ratings = export.ratings
        var columns: [SignalColumn] = []

        let shortText = Self.shortText(ratings, chars: Int32(config["malicious_ratings.short_text_chars"]))
        columns.append(
            facts.raterColumn(
                signal("rater_short_text_low_share", config),
                values: Self.share(facts.lowByRater, shortText.map { $0 == 2 ? nil : $0 == 1 }),
                flagged: { shortText[$0] == 1 }, export: export))
        guard facts.hasOrders else { return DetectorOutput(signals: columns) }

        let purchases = memo.purchases(config: config, threads: threads)
        let backing = purchases.backing
        let unbacked = backing.map { $0 != .genuine }
        columns.append(
            facts.raterColumn(
                signal("rater_unbacked_low_share", config), values: RowKernels.share(groups: facts.lowByRater) { unbacked[$0] },
                flagged: { unbacked[$0] }, export: export))

        let tickets = purchases.tickets.rating
        columns.append(
            facts.raterColumn(
                signal("rater_ticket_low_share", config), values: RowKernels.share(groups: facts.lowByRater) { tickets[$0] },
                flagged: { tickets[$0] }, export: export))

        let arrivals = RatingFacts.arrivals(logistics: export.logistics, orderCount: export.orders.count)
        let premature = Self.premature(
            ratings, orders: export.orders, backing: backing, arrivals: arrivals,
            confirmationIsReceipt: export.logistics.count > 0,
            quickSeconds: Int64(config["malicious_ratings.quick_rating_seconds"]),
            lateSeconds: Int64(config["malicious_ratings.late_delivery_seconds"]))
        columns.append(
            facts.raterColumn(
                signal("rater_premature_low_share", config),
                values: Self.share(facts.lowByRater, premature.map { $0 == 2 ? nil : $0 == 1 }),
                flagged: { premature[$0] == 1 }, export: export))

        let shared = Self.sharedIdentity(
            ratings, orders: export.orders, backing: backing, lowByShop: facts.lowByShop,
            deviceRaters: UInt32(config["malicious_ratings.shared_device_raters"]), threads: threads)
        columns.append(
            facts.raterColumn(
                signal("rater_shared_identity_low_share", config),
                values: RowKernels.share(groups: facts.lowByRater) { shared[$0] }, flagged: { shared[$0] }, export: export))

        let refunds = Self.refundComplaints(ratings, orders: export.orders, low: facts.low, backing: backing)
        let refundSurprise = Self.refundComplaintSurprise(
            orders: export.orders, complained: refunds.order, accountCount: facts.lowByRater.entityCount,
            priorOrders: config["malicious_ratings.refund_prior_orders"])
        columns.append(
            facts.raterColumn(
                signal("rater_refund_complaint_surprise", config),
                values: refundSurprise.indices.map { facts.lowByRater.count(of: $0) == 0 ? .nan : refundSurprise[$0] },
                flagged: { refunds.rating[$0] }, export: export))
        return DetectorOutput(signals: columns)
    }

    /// Per rating, whether it is a low rating of the rater's own order at the rated shop
    /// (`backing` not `.none`: a refunded order is not cancelled, so that is all it asks)
    /// that ended refunded; per order, whether such a rating is on it.
    static func refundComplaints(_ ratings: RatingsTable, orders: OrdersTable, low: [Bool], backing: [RatingBacking])
        -> (rating: [Bool], order: [Bool])
    {
        var order = [Bool](repeating: false, count: orders.count)
        let refunded = OrderStatus.refunded.rawValue
        let rating = (0..<ratings.count).map { row -> Bool in
            let index = Int(ratings.order[row])
            guard low[row], backing[row] != .none, orders.status[index] == refunded else { return false }
            order[index] = true
            return true
        }
        return (rating, order)
    }

    /// Per buyer, how surprising its refunded complaints are: `-log10 P(X >= k)` for `k`
    /// the distinct shops where one of its orders was `complained` about (a low rating
    /// and a refund) and `X` Poisson with mean the sum, over its orders that were not
    /// cancelled, of the rate at which the shop's *other* such orders end so (shrunk
    /// towards the platform's rate by `priorOrders` orders' worth). An extortion rater
    /// buys something cheap from one shop after another, complains and takes a refund
    /// as the price of silence, mostly at shops whose customers rarely need one. A
    /// customer of a genuinely bad shop complains and is refunded where others are too,
    /// so the shop's own rate explains it; a harsh rater complains without refunds.
    /// 0 for a buyer without such orders.
    static func refundComplaintSurprise(
        orders: OrdersTable, complained: [Bool], accountCount: Int, priorOrders: Double
    ) -> [Double] {
        let cancelled = OrderStatus.cancelled.rawValue
        var shopOrders = [Int](repeating: 0, count: accountCount), shopComplained = shopOrders
        for row in 0..<orders.count where orders.status[row] != cancelled {
            shopOrders[Int(orders.shop[row])] += 1
            if complained[row] { shopComplained[Int(orders.shop[row])] += 1 }
        }
        let platform = Double(shopComplained.reduce(0, +)) / Double(max(1, shopOrders.reduce(0, +)))
        var mean = [Double](repeating: 0, count: accountCount)
        var shopsComplained = [Int](repeating: 0, count: accountCount)
        var counted = Set<UInt64>()
        for row in 0..<orders.count where orders.status[row] != cancelled {
            let buyer = Int(orders.buyer[row]), shop = Int(orders.shop[row]), own = complained[row] ? 1 : 0
            mean[buyer] += (Double(shopComplained[shop] - own) + priorOrders * platform)
                / max(1, Double(shopOrders[shop] - 1) + priorOrders)
            if own == 1 && counted.insert(UInt64(buyer) << 32 | UInt64(shop)).inserted { shopsComplained[buyer] += 1 }
        }
        return (0..<accountCount).map { buyer in
            shopsComplained[buyer] == 0 ? 0 : Chance.poissonSurprise(count: shopsComplained[buyer], mean: mean[buyer])
        }
    }

    /// Per group, the share of rows whose flag is true among rows where it is known
    /// (non-nil); `.nan` where none is known.
    static func share(_ groups: EntityGroups, _ flag: [Bool?]) -> [Double] {
        (0..<groups.entityCount).map { entity in
            var known = 0, hits = 0
            for row in groups.rows(of: entity) {
                guard let value = flag[Int(row)] else { continue }
                known += 1
                if value { hits += 1 }
            }
            return known == 0 ? .nan : Double(hits) / Double(known)
        }
    }

    /// Per rating: 1 when its text is shorter than `chars` and it has no photo, 0 when
    /// it is longer or has one, 2 when the export does not say: no text length, or a
    /// short text without the photo flag (a short review with a photo says something).
    static func shortText(_ ratings: RatingsTable, chars: Int32) -> [UInt8] {
        (0..<ratings.count).map { row in
            let length = ratings.textLength[row], media = ratings.hasMedia[row]
            guard length != Missing.count else { return 2 }
            guard length < chars, media != 1 else { return 0 }
            return media == Missing.flag ? 2 : 1
        }
    }

    /// Per rating: 1 when it was posted before its order was placed; before the goods were received
    /// although they came on time (received within `lateSeconds` of the order); or less than
    /// `quickSeconds` after they arrived. 0 otherwise; 2 when there is nothing to judge by (no
    /// backing order). The goods are received when the parcel's first delivery or signed scan says
    /// so, or, for an order without such scans in an export with scans (`confirmationIsReceipt`),
    /// when the buyer confirmed receipt. An export without any scans does not say when a parcel
    /// arrived, and a confirmation comes after it, days after when the platform confirms on its
    /// own: there only a rating before its order is premature (taking the confirmation as the
    /// arrival made an independent generator's honest raters who rate before confirming look
    /// premature when its export left out logistics.csv). A buyer whose parcel is late may fairly
    /// complain before it comes, so a late parcel never makes an early rating premature; a customer
    /// judges goods in hand, so an attacker who only orders to be allowed to rate shows up here.
    /// Rating after the parcel arrived but before confirming receipt is not premature: many
    /// platforms let buyers rate first, and honest buyers do (an independent generator's export put
    /// 36 honest raters on key scrutiny when it counted).
    static func premature(
        _ ratings: RatingsTable, orders: OrdersTable, backing: [RatingBacking], arrivals: [Int64],
        confirmationIsReceipt: Bool, quickSeconds: Int64, lateSeconds: Int64
    ) -> [UInt8] {
        (0..<ratings.count).map { row in
            guard backing[row] != .none else { return 2 }
            let order = Int(ratings.order[row])
            let at = ratings.createdAt[row], placed = orders.createdAt[order], confirmed = orders.confirmedAt[order]
            if at < placed { return 1 }
            let received = arrivals[order] != Missing.time ? arrivals[order] : confirmationIsReceipt ? confirmed : Missing.time
            guard received != Missing.time else { return 0 }
            let onTime = received - placed <= lateSeconds
            if at < received { return onTime ? 1 : 0 }
            return at - received < quickSeconds ? 1 : 0
        }
    }

    /// Per rating, whether it is a low rating whose order's device is used by at least
    /// `deviceRaters` distinct low raters of the same shop. Ratings without an own order
    /// have no identity. Network addresses are not identities here: carrier NAT puts
    /// many unrelated customers of a bad shop behind one address.
    static func sharedIdentity(
        _ ratings: RatingsTable, orders: OrdersTable, backing: [RatingBacking], lowByShop: EntityGroups,
        deviceRaters: UInt32, threads: Int
    ) -> [Bool] {
        let identity = (0..<ratings.count).map { row in
            backing[row] == .none ? IdDictionary.absent : orders.device[Int(ratings.order[row])]
        }
        return RowKernels.distinctMembersSharingIdentity(
            groups: lowByShop, identity: Column(identity), member: ratings.buyer, threads: threads
        ).map { $0 >= deviceRaters }
    }
}
