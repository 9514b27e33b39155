import Columnar
import Foundation

/// Brushing rings by their structure rather than by marks on single orders: the client
/// shops of one ring share far more positive reviewers than chance gives any two shops
/// (`CoReviewerPairs`), and the ring's members are the buyers who bought at both shops
/// of such a pair. A ring can give each order a fresh device, a slow confirmation and an
/// honest-looking text, but not stop being the same accounts praising the same shops.
/// For the same reason a client is praised on far more of its orders than the platform's
/// share explains, and its praisers praise what they buy (`PraiseRates`); that holds for
/// a ring with one client too.
public struct CoReviewerDetector: SharingDetector {
    public init() {}

    public var name: String { "co-reviewer pairs" }

    public var parameters: [Parameter] {
        [
            Parameter("fake_orders.co_review_min_stars", 4, "fewest stars of a rating that counts as a positive review for the co-reviewer pairs"),
            Parameter("fake_orders.co_review_max_shops", 64, "buyers with more distinct shops than this add no shop pairs (they meet everywhere)"),
            Parameter("fake_orders.praise_min_surprise", 4, "praise surprise from which a shop's positive reviewers inherit the part of its praise the platform's share does not explain"),
            Parameter("fake_orders.min_orders", 5, "fewest orders of a shop for its shares to be measured"),
            FakeOrdersDetector.shareConfidence,
        ]
    }

    public var signals: [SignalDefinition] {
        [
            SignalDefinition(
                name: "shop_co_reviewer_surprise", entityKind: .shop, category: .fakeOrders,
                description: "-log10 of the chance that the shop shares so many positive reviewers with another shop (a ring's clients share its members)",
                threshold: 4, saturation: 7.5, weight: 0.75),
            SignalDefinition(
                name: "buyer_co_reviewer_surprise", entityKind: .buyer, category: .fakeOrders,
                description: "-log10 chance of the most surprising pair of shops sharing reviewers that the buyer kept an order at both of (a ring member buys at each client); beyond the threshold only when chance explains less than half of the pair's other common reviewers at least as keen as the buyer and, for a buyer that praised one of the two and whose other shops are no more often shops of such pairs than all purchases are (Wilson bound), less than half of the pair's other such one-praisers; and only when another common reviewer of the pair praised an item the buyer praised there (a ring praises the items it pushes)",
                threshold: 4, saturation: 7.5, weight: 0.75),
            SignalDefinition(
                name: "shop_praise_surprise", entityKind: .shop, category: .fakeOrders,
                description: "-log10 of the chance that so many of the shop's kept orders carry a positive review at the platform's share (a ring reviews every order it fakes)",
                threshold: 4, saturation: 8, weight: 0.55),
            SignalDefinition(
                name: "buyer_praise_excess", entityKind: .buyer, category: .fakeOrders,
                description: "share of a suspect shop's praise the platform's share does not explain, for the shop the buyer praised, times the share of its own orders the buyer praised (lower bound): a ring member praises what it buys",
                threshold: 0.15, saturation: 0.3, weight: 0.5),
        ]
    }

    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        let orders = export.orders
        let accountCount = export.dictionaries.accounts.count
        let maximumShops = Int(config["fake_orders.co_review_max_shops"])
        let kept = Self.keptOrders(export)
        let reviewed = Self.positivelyReviewed(
            export, kept: kept, minimumStars: UInt8(clamping: Int(config["fake_orders.co_review_min_stars"])))
        let reviewedKeys = BuyerShops.distinctKeys(buyers: orders.buyer, shops: orders.shop) { reviewed[$0] }
        // A refunded or cancelled order is no sale a ring was paid for, and a customer who
        // sent its parcel back did not buy there.
        let purchased = memo.purchasedShops
        let boughtKeys = zip(purchased.keys, purchased.kept).compactMap { $1 ? $0 : nil }
        let pairs = CoReviewerPairs(
            reviewerShops: reviewedKeys, region: Self.regions(export), accountCount: accountCount, maximumShops: maximumShops)
        let shopSignal = signal("shop_co_reviewer_surprise", config)
        let buyerSignal = signal("buyer_co_reviewer_surprise", config)
        // The praised keys are a subset of the bought ones: whether each bought one is
        // praised, found once for the one-praisers and the buyers' pairs.
        let praised = SortedKeys.membership(of: boughtKeys, in: reviewedKeys)
        let onePraisers = OnePraisers(
            pairs, buyerShops: boughtKeys, praised: praised, maximumShops: maximumShops, sharedSurprise: buyerSignal.threshold)
        let buyers = memo.buyers
        let praisedItems = PraisedItems(
            shops: orders.shop, items: orders.item, buyers: orders.buyer, byBuyer: buyers, reviewed: reviewed,
            itemCount: export.dictionaries.items.count)
        let (buyerValues, buyerPair) = pairs.buyerSurprise(
            buyerShops: boughtKeys, praised: praised, praisedItems: praisedItems, onePraisers: onePraisers,
            accountCount: accountCount, maximumShops: maximumShops, sharedSurprise: buyerSignal.threshold,
            confidenceZ: config[FakeOrdersDetector.shareConfidence.key])
        let names = export.dictionaries.accounts
        let shops = memo.shops
        func describe(_ index: Int) -> String {
            let key = pairs.pairKeys[index]
            return "shops \(names.string(UInt32(key >> 32))) and \(names.string(UInt32(key & 0xFFFF_FFFF))): "
                + "\(pairs.pairCommon[index]) common positive reviewers, "
                + "\(String(format: "%.2f", pairs.pairExpected[index])) expected"
        }
        var shopValues = [Double](repeating: .nan, count: accountCount)
        var shopSamples: [UInt32: [EvidenceSample]] = [:]
        for shop in 0..<accountCount where shops.count(of: shop) > 0 {
            shopValues[shop] = pairs.shopSurprise[shop]
            guard pairs.shopSurprise[shop] >= shopSignal.threshold,
                let index = pairs.index(UInt32(shop), pairs.shopPartner[shop])
            else { continue }
            let partner = pairs.shopPartner[shop]
            let rows = shops.rows(of: shop).lazy.filter { row in
                reviewed[Int(row)] && buyers.rows(of: Int(orders.buyer[Int(row)])).contains { orders.shop[Int($0)] == partner }
            }
            shopSamples[UInt32(shop)] = [EvidenceSample(.entity, describe(index))]
                + rows.prefix(SignalColumn.sampleLimit - 1).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        var buyerColumn = [Double](repeating: .nan, count: accountCount)
        var buyerSamples: [UInt32: [EvidenceSample]] = [:]
        // Per buyer, its co-reviewer pair's key where that signal fires (`UInt64.max` elsewhere).
        var pairOf = [UInt64](repeating: .max, count: accountCount)
        for buyer in 0..<accountCount where buyers.count(of: buyer) > 0 {
            buyerColumn[buyer] = buyerValues[buyer]
            guard buyerValues[buyer] >= buyerSignal.threshold else { continue }
            let index = Int(buyerPair[buyer])
            let key = pairs.pairKeys[index]
            pairOf[buyer] = key
            let pairShops = [UInt32(key >> 32), UInt32(key & 0xFFFF_FFFF)]
            let rows = buyers.rows(of: buyer).lazy.filter { pairShops.contains(orders.shop[Int($0)]) }
            let degree = max(2, pairs.reviewerDegree[buyer])
            let (keen, expected) = pairs.keenCommon(index, degree: degree)
            var peersText = "; \(keen) of them reviewing \(degree) or more shops as this buyer does, "
                + "\(String(format: "%.2f", expected)) expected"
            let praised = pairShops.filter { SortedKeys.position(of: UInt64(buyer) << 32 | UInt64($0), in: reviewedKeys) != nil }
            if praised.count == 1 {
                let (others, expectedOthers) = onePraisers.peers(index)
                peersText += "; \(Finding.counted(others, "other buyer")) bought at both and praised one as this buyer did, "
                    + "\(String(format: "%.2f", expectedOthers)) expected"
            }
            buyerSamples[UInt32(buyer)] = [EvidenceSample(.entity, describe(index) + peersText)]
                + rows.prefix(SignalColumn.sampleLimit - 1).map { EvidenceSample(.order, export.dictionaries.orders.string($0)) }
        }
        return DetectorOutput(signals: [
            SignalColumn(definition: shopSignal, values: shopValues, samples: shopSamples),
            SignalColumn(definition: buyerSignal, values: buyerColumn, samples: buyerSamples),
        ] + praiseColumns(export, kept: kept, reviewed: reviewed, shops: shops, buyers: buyers, pairOf: pairOf, config: config))
    }

    /// The praise-rate signals of shops and buyers (`PraiseRates`), with the praised orders
    /// as samples. `pairOf` is each buyer's co-reviewer pair (`a << 32 | b`, `UInt64.max`
    /// when that signal does not fire for it): the praise of those two shops is the
    /// pair's evidence, and a buyer's praise excess reads its other praise only.
    func praiseColumns(
        _ export: Export, kept: [Bool], reviewed: [Bool], shops: EntityGroups, buyers: EntityGroups, pairOf: [UInt64],
        config: DetectionConfig
    ) -> [SignalColumn] {
        let orders = export.orders
        let praise = PraiseRates(
            buyers: orders.buyer, shops: orders.shop, kept: kept,
            praised: reviewed, accountCount: export.dictionaries.accounts.count,
            minimumOrders: Int(config["fake_orders.min_orders"]), minimumSurprise: config["fake_orders.praise_min_surprise"],
            confidenceZ: config[FakeOrdersDetector.shareConfidence.key], pairOf: pairOf)
        let shopSignal = signal("shop_praise_surprise", config)
        let buyerSignal = signal("buyer_praise_excess", config)
        let names = export.dictionaries.accounts, orderNames = export.dictionaries.orders
        func describe(_ shop: Int) -> String {
            "shop \(names.string(UInt32(shop))): \(praise.shopPraised[shop]) of \(praise.shopKept[shop]) kept orders praised, "
                + "\(String(format: "%.1f", praise.platformShare * Double(praise.shopKept[shop]))) at the platform's share"
        }
        var shopSamples: [UInt32: [EvidenceSample]] = [:]
        for shop in praise.shopSurprise.indices where praise.shopSurprise[shop] >= shopSignal.threshold {
            shopSamples[UInt32(shop)] = [EvidenceSample(.entity, describe(shop))]
                + shops.rows(of: shop).lazy.filter { reviewed[Int($0)] }.prefix(SignalColumn.sampleLimit - 1)
                .map { EvidenceSample(.order, orderNames.string($0)) }
        }
        var buyerSamples: [UInt32: [EvidenceSample]] = [:]
        for buyer in praise.buyerValue.indices where praise.buyerValue[buyer] >= buyerSignal.threshold {
            let shop = praise.buyerShop[buyer]
            buyerSamples[UInt32(buyer)] = [EvidenceSample(.entity, describe(Int(shop)))]
                + buyers.rows(of: buyer).lazy.filter { orders.shop[Int($0)] == shop && reviewed[Int($0)] }
                .prefix(SignalColumn.sampleLimit - 1).map { EvidenceSample(.order, orderNames.string($0)) }
        }
        let shopValues = (0..<praise.shopSurprise.count).map { shops.count(of: $0) > 0 ? praise.shopSurprise[$0] : .nan }
        return [
            SignalColumn(definition: shopSignal, values: shopValues, samples: shopSamples),
            SignalColumn(definition: buyerSignal, values: praise.buyerValue, samples: buyerSamples),
        ]
    }

    /// Per account, its region from the accounts table (`IdDictionary.absent` when
    /// unknown, so an export without regions is one region).
    static func regions(_ export: Export) -> [UInt32] {
        var region = [UInt32](repeating: IdDictionary.absent, count: export.dictionaries.accounts.count)
        for row in 0..<export.accounts.count { region[Int(export.accounts.account[row])] = export.accounts.region[row] }
        return region
    }

    /// Per order, whether it was kept (`BuyerShops.isKept`): neither refunded nor cancelled.
    static func keptOrders(_ export: Export) -> [Bool] {
        export.orders.status.map(BuyerShops.isKept)
    }

    /// Per order, whether it carries a rating of at least `minimumStars` and was `kept`
    /// (`keptOrders`): the review a brushing order is bought for.
    static func positivelyReviewed(_ export: Export, kept: [Bool], minimumStars: UInt8) -> [Bool] {
        let ratings = export.ratings
        var reviewed = [Bool](repeating: false, count: export.orders.count)
        for rating in 0..<ratings.count where ratings.order[rating] != IdDictionary.absent && ratings.stars[rating] >= minimumStars {
            let row = Int(ratings.order[rating])
            if kept[row] { reviewed[row] = true }
        }
        return reviewed
    }
}
