import Columnar
import Synchronization

/// What several detectors of one scan compute from the same export, computed once: on
/// first use, then handed to each detector that asks. `Scan.run` makes one per scan. A
/// value is kept with the config it was computed under and computed anew under another,
/// so a detector reads the same value with a shared memo as with its own.
public final class ScanMemo: Sendable {
    /// The ratings' backing and tickets (`RatingFacts.purchases`): four malicious-ratings
    /// detectors read them.
    typealias Purchases = (backing: [RatingBacking], tickets: (rating: [Bool], shopShare: [Double]))

    /// The one-off complaints (`CoComplainerDetector.oneOff`), the drive-by complaints
    /// and the crews' pairs (`CoComplainerDetector.crews`): the co-complainer and
    /// rating-burst detectors read them.
    typealias Crews = (oneOff: [Bool], driveBy: [Bool], pairs: (value: [Double], best: [UInt64]))

    private let export: Export
    private let facts = Mutex<(config: DetectionConfig, value: RatingFacts)?>(nil)
    private let purchases = Mutex<(config: DetectionConfig, value: Purchases)?>(nil)
    private let crews = Mutex<(config: DetectionConfig, value: Crews)?>(nil)
    private let ordersByBuyer = Mutex<EntityGroups?>(nil)
    private let ordersByShop = Mutex<EntityGroups?>(nil)
    private let ordersByShopInTime = Mutex<EntityGroups?>(nil)
    private let purchasedKeys = Mutex<(keys: [UInt64], kept: [Bool])?>(nil)

    /// A memo of `export`, empty until a detector asks.
    public init(_ export: Export) {
        self.export = export
    }

    /// The `RatingFacts` of the export under `config`: the four malicious-ratings
    /// detectors that group low ratings by rater and shop read them.
    func facts(config: DetectionConfig) -> RatingFacts {
        Self.once(facts, under: config) { RatingFacts(export, config: config) }
    }

    /// `RatingFacts.purchases` of the export under `config`, from the orders grouped by
    /// shop.
    func purchases(config: DetectionConfig, threads: Int) -> Purchases {
        let shops = shops
        return Self.once(purchases, under: config) {
            RatingFacts.purchases(export, shops: shops, config: config, threads: threads)
        }
    }

    /// The export's orders grouped by buyer: the order-window, fake-orders, co-reviewer and
    /// rating-burst detectors read them, and the co-complainers and purchased shops are
    /// built from them.
    var buyers: EntityGroups {
        Self.once(ordersByBuyer) { EntityGroups(keys: export.orders.buyer, entityCount: export.dictionaries.accounts.count) }
    }

    /// The export's orders grouped by shop, in file order: the fake-orders and co-reviewer
    /// detectors read them, and the ratings' tickets (`purchases`) are built from them.
    var shops: EntityGroups {
        Self.once(ordersByShop) { EntityGroups(keys: export.orders.shop, entityCount: export.dictionaries.accounts.count) }
    }

    /// The export's orders grouped by shop, in time order: the order-window and
    /// tied-surge detectors read them.
    var shopsInTime: EntityGroups {
        Self.once(ordersByShopInTime) {
            let orders = export.orders
            return EntityGroups(keys: orders.shop, entityCount: export.dictionaries.accounts.count, orderedBy: orders.createdAt)
        }
    }

    /// The distinct (buyer, shop) keys of the orders not cancelled and whether each was
    /// kept (`BuyerShops.purchased`), from the orders grouped by buyer: the co-reviewer
    /// and rating-burst detectors read them.
    var purchasedShops: (keys: [UInt64], kept: [Bool]) {
        let buyers = buyers
        return Self.once(purchasedKeys) { BuyerShops.purchased(orders: export.orders, buyers: buyers) }
    }

    /// The one-off and drive-by complaints and the crews' pairs of the export under
    /// `config`, from the orders grouped by buyer and the ratings' backing and tickets.
    func crews(config: DetectionConfig, threads: Int) -> Crews {
        let buyers = buyers, purchases = purchases(config: config, threads: threads)
        return Self.once(crews, under: config) {
            let oneOff = CoComplainerDetector.oneOff(export, buyers: buyers, config: config)
            let (driveBy, pairs) = CoComplainerDetector.crews(
                export, oneOff: oneOff, backing: purchases.backing, tickets: purchases.tickets.rating, config: config)
            return (oneOff, driveBy, pairs)
        }
    }

    /// The value kept in `slot`, made by `make` on first use.
    private static func once<Value: Sendable>(_ slot: borrowing Mutex<Value?>, _ make: () -> Value) -> Value {
        slot.withLock { cached in
            if let cached { return cached }
            let value = make()
            cached = value
            return value
        }
    }

    /// The value kept in `slot` if it was made under `config`; otherwise made by `make`
    /// and kept with `config`.
    private static func once<Value: Sendable>(
        _ slot: borrowing Mutex<(config: DetectionConfig, value: Value)?>, under config: DetectionConfig, _ make: () -> Value
    ) -> Value {
        slot.withLock { cached in
            if let cached, cached.config == config { return cached.value }
            let value = make()
            cached = (config, value)
            return value
        }
    }
}
