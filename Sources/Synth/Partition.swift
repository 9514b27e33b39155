import Columnar

/// Who placed an order, which decides how it is shipped, confirmed and rated.
enum OrderOrigin: UInt8, Sendable {
    case honest
    /// A fake order of the brushing ring `plan`.
    case brushed
    /// A real cheap order an attacker of rating attack `plan` places before rating.
    case attacker
}

/// An order before it is written: partitions draft all orders of a shop, sort them by
/// time (so fraud rows sit among honest ones), then ship and rate them in that order.
struct OrderDraft: Sendable {
    var createdAt: Int64
    var buyer: Int
    var item: Int
    var quantity: Int
    var amountCents: Int64
    var address: Int
    var device: Int
    var ip: Int
    var payment: Int
    var origin: OrderOrigin
    var plan: Int
    /// For an attacker's order: when the attack rating is due, and whether the order is refunded.
    var ratingAt: Int64
    var refund: Bool
}

/// A rating before it is written; `order` is the order number, or nil for a rating
/// without an order.
struct RatingDraft: Sendable {
    var order: Int?
    var buyer: Int
    var item: Int
    var stars: Int
    var at: Int64
    var textLength: Int
    var media: Bool
}

/// One scan event of a waybill: at an outlet (`outlet >= 0`) or at a company's hub in a city.
struct Scan: Sendable {
    var event: ScanEvent
    var at: Int64
    var outlet: Int
    var company: Int
    var city: Int
    var grams: Int
}

/// What one partition of shops produced: its rows of the three event files and the record
/// of what it injected. Partitions are independent, so they run in parallel.
struct PartitionOutput: Sendable {
    var orders: CSVBuffer
    var ratings: CSVBuffer
    var logistics: CSVBuffer
    var record: InjectionRecord
}

/// Generates all orders, ratings and scans of a contiguous range of shops from its own
/// random stream, so the output depends only on the seed and the partition number.
struct Partition {
    let world: World
    let index: Int
    var random: Xoshiro256
    var orders: CSVBuffer
    var ratings: CSVBuffer
    var logistics: CSVBuffer
    var record = InjectionRecord()
    var drafts: [OrderDraft] = []
    var ratingDrafts: [RatingDraft] = []
    var scans: [Scan] = []
    var recentBuyers: [Int] = []
    var orderCount = 0
    /// Waybill numbers a complicit outlet already issued, for reuse: (outlet, number).
    var emptyWaybills: [(Int, Int)] = []

    init(world: World, index: Int, expectedOrders: Int) {
        self.world = world
        self.index = index
        random = Xoshiro256(seed: world.config.seed, stream: UInt64(index) + 16)
        orders = CSVBuffer(capacity: expectedOrders * 180)
        ratings = CSVBuffer(capacity: expectedOrders * 40)
        logistics = CSVBuffer(capacity: expectedOrders * 580)
    }

    var camouflage: Camouflage { world.camouflage }

    static func run(world: World, index: Int, shops: Range<Int>, expectedOrders: Int) -> PartitionOutput {
        var partition = Partition(world: world, index: index, expectedOrders: expectedOrders)
        for shop in shops { partition.generate(shop: shop) }
        return PartitionOutput(
            orders: partition.orders, ratings: partition.ratings, logistics: partition.logistics,
            record: partition.record)
    }

    /// The number behind the next order id: the partition in the high bits, a counter below.
    mutating func nextOrderNumber() -> Int {
        defer { orderCount += 1 }
        return index << 28 | orderCount
    }

    mutating func generate(shop: Int) {
        drafts.removeAll(keepingCapacity: true)
        ratingDrafts.removeAll(keepingCapacity: true)
        recentBuyers.removeAll(keepingCapacity: true)
        let profile = world.shops[shop]
        for _ in 0..<profile.honestOrders { drafts.append(honestOrder(profile)) }
        for ring in world.plan.ringsAtShop[shop] { draftFakeOrders(ring: ring, shop: shop) }
        for attack in world.plan.attacksOnShop[shop] { draftAttack(attack, shop: shop) }
        drafts.sort { ($0.createdAt, $0.buyer) < ($1.createdAt, $1.buyer) }
        for draft in drafts { ship(draft, shop: shop) }
        ratingDrafts.sort { ($0.at, $0.buyer) < ($1.at, $1.buyer) }
        for rating in ratingDrafts { write(rating, shop: shop) }
    }

    // MARK: - Drafting orders

    mutating func clampTime(_ time: Int64) -> Int64 {
        min(max(time, GeneratorConfig.start), world.config.end - 3 * 3600)
    }

    /// A time on `day` (or a day drawn from the weekly rhythm) at an hour of the daily rhythm.
    mutating func rhythmTime(day: Int? = nil) -> Int64 {
        let day = day ?? world.dayRhythm.sample(&random)
        let localHour = world.hourRhythm.sample(&random)
        let time = GeneratorConfig.start + Int64(day) * 86400 + Int64(localHour - 8) * 3600 + Int64(random.below(3600))
        return clampTime(time < GeneratorConfig.start ? time + 86400 : time)
    }

    mutating func honestBuyer(_ shop: Shop) -> Int {
        if !recentBuyers.isEmpty && random.chance(0.22) { return random.pick(recentBuyers) }
        var buyer = world.buyerActivity.sample(&random)
        if random.chance(shop.localShare), !world.buyersByCity[shop.city].isEmpty {
            let local = random.pick(world.buyersByCity[shop.city])
            if camouflage.honestActivity > 0 || !isFraudAccount(local) { buyer = local }
        }
        if recentBuyers.count < 512 { recentBuyers.append(buyer) } else { recentBuyers[random.below(512)] = buyer }
        return buyer
    }

    func isFraudAccount(_ buyer: Int) -> Bool {
        let accounts = world.plan.fraudAccounts, lower = accounts.lowerBound(of: buyer)
        return lower < accounts.count && accounts[lower] == buyer
    }

    /// An item of the shop as its customers buy it (best sellers more often), with
    /// quantity and the amount paid (discounted during the festival and flash sales).
    mutating func basket(_ shop: Shop, at time: Int64, into draft: inout OrderDraft) {
        draft.item = shop.firstItem + random.skewedIndex(shop.itemCount)
        let u = random.below(100)
        draft.quantity = u < 85 ? 1 : u < 95 ? 2 : 3
        var cents = world.items[draft.item].cents * Int64(draft.quantity)
        let festival = (time - GeneratorConfig.start) / 86400 == Int64(Catalog.festivalDay)
        let flash = time >= shop.flashStart && time < shop.flashStart + shop.flashSeconds
        if festival || flash { cents = cents * 85 / 1000 * 10 }
        draft.amountCents = max(10, cents)
    }

    /// The identifiers a buyer orders with: household address, own or shared device,
    /// home network or a shared mobile-network address, own or a household member's payment.
    mutating func ownIdentifiers(_ buyer: Int, into draft: inout OrderDraft) {
        let person = world.buyers[buyer]
        draft.address = person.household
        draft.device = person.usesSharedDevice && random.chance(0.3) ? world.config.buyers + person.household : buyer
        draft.ip = random.chance(0.6) ? person.household : world.mobileIPs.lowerBound + random.below(world.mobileIPs.count)
        draft.payment = person.sharedPayer >= 0 && random.chance(0.5) ? person.sharedPayer : buyer
    }

    mutating func newDraft(buyer: Int, at time: Int64, origin: OrderOrigin, plan: Int) -> OrderDraft {
        var draft = OrderDraft(
            createdAt: time, buyer: buyer, item: 0, quantity: 1, amountCents: 0, address: 0, device: 0, ip: 0,
            payment: 0, origin: origin, plan: plan, ratingAt: 0, refund: false)
        ownIdentifiers(buyer, into: &draft)
        return draft
    }

    mutating func honestOrder(_ shop: Shop) -> OrderDraft {
        let time = shop.flashShare > 0 && random.chance(shop.flashShare)
            ? clampTime(shop.flashStart + random.between(0, shop.flashSeconds - 1))
            : rhythmTime()
        var draft = newDraft(buyer: honestBuyer(shop), at: time, origin: .honest, plan: -1)
        basket(shop, at: time, into: &draft)
        return draft
    }

    /// The fake orders of `ring` for `shop`, placed the ring's way, with the ring's shared
    /// identifiers in part and its fixed brushing item unless it mimics the shop's sales.
    mutating func draftFakeOrders(ring ringIndex: Int, shop shopIndex: Int) {
        let ring = world.plan.rings[ringIndex]
        let shop = world.shops[shopIndex]
        guard let position = ring.clients.firstIndex(of: shopIndex) else { return }
        let count = ring.fakeOrders[position]
        let brushItem = shop.firstItem + (ringIndex + position) % shop.itemCount
        let window = Int64(camouflage.windowMinutes * 60)
        var placed = 0
        var member = random.below(ring.members.count)
        while placed < count {
            var batch: [(Int, Int64)] = []
            switch ring.modus {
            case .windows:
                let opening = clampTime(ring.activeFrom + random.between(0, ring.activeSeconds - 1))
                let participants = random.between(max(2, ring.members.count / 2), ring.members.count)
                for _ in 0..<participants {
                    let buyer = random.pick(ring.members)
                    for _ in 0..<random.between(1, camouflage.level == 0 ? 4 : 2) {
                        batch.append((buyer, clampTime(opening + random.between(0, window))))
                    }
                }
            case .drip:
                let day = Int((ring.activeFrom - GeneratorConfig.start) / 86400) + random.below(Int(ring.activeSeconds / 86400))
                batch.append((random.pick(ring.members), rhythmTime(day: min(day, world.config.days - 1))))
            case .campaign:
                member = (member + 1) % ring.members.count
                let day = Int((ring.activeFrom - GeneratorConfig.start) / 86400) + random.below(Int(ring.activeSeconds / 86400))
                let time = camouflage.level == 0
                    ? clampTime(ring.activeFrom + random.between(0, ring.activeSeconds - 1))
                    : rhythmTime(day: min(day, world.config.days - 1))
                batch.append((ring.members[member], time))
            }
            for (buyer, time) in batch.prefix(count - placed) {
                var draft = newDraft(buyer: buyer, at: time, origin: .brushed, plan: ringIndex)
                let shared = camouflage.sharedIdentifier
                if random.chance(shared) { draft.device = random.between(ring.devices.lowerBound, ring.devices.upperBound - 1) }
                if random.chance(shared) { draft.ip = random.between(ring.ips.lowerBound, ring.ips.upperBound - 1) }
                if random.chance(shared) { draft.payment = random.between(ring.payments.lowerBound, ring.payments.upperBound - 1) }
                if random.chance(shared) { draft.address = random.between(ring.addresses.lowerBound, ring.addresses.upperBound - 1) }
                if random.chance(camouflage.mimicAmounts) {
                    basket(shop, at: time, into: &draft)
                } else {
                    draft.item = brushItem
                    draft.amountCents = world.items[brushItem].cents
                }
                drafts.append(draft)
                placed += 1
            }
        }
    }

    /// The attack `attackIndex` on `shop`: each rater either places a cheap real order
    /// first (rated when it has arrived) or rates without an order.
    mutating func draftAttack(_ attackIndex: Int, shop shopIndex: Int) {
        let attack = world.plan.attacks[attackIndex]
        let shop = world.shops[shopIndex]
        var cheapest = shop.firstItem
        for item in shop.firstItem..<(shop.firstItem + shop.itemCount) where world.items[item].cents < world.items[cheapest].cents {
            cheapest = item
        }
        for rater in attack.raters {
            let ratingAt = min(world.config.end - 60, attack.start + random.between(0, max(1, attack.spanSeconds)))
            if random.chance(camouflage.attackerOrders) {
                var draft = newDraft(
                    buyer: rater, at: clampTime(ratingAt - random.between(2 * 86400, 6 * 86400)), origin: .attacker,
                    plan: attackIndex)
                if random.chance(camouflage.sharedIdentifier) { draft.device = random.between(attack.devices.lowerBound, attack.devices.upperBound - 1) }
                if random.chance(camouflage.sharedIdentifier) { draft.ip = random.between(attack.ips.lowerBound, attack.ips.upperBound - 1) }
                draft.item = cheapest
                draft.amountCents = world.items[cheapest].cents
                draft.ratingAt = ratingAt
                draft.refund = random.chance(0.3)
                drafts.append(draft)
            } else {
                let item = shop.firstItem + random.skewedIndex(shop.itemCount)
                attackRating(order: nil, rater: rater, item: item, at: ratingAt, attack: attackIndex, shop: shopIndex)
            }
        }
    }

    mutating func attackRating(order: Int?, rater: Int, item: Int, at time: Int64, attack: Int, shop: Int) {
        let honestLooking = random.chance(camouflage.honestLookingRating)
        let rating = RatingDraft(
            order: order, buyer: rater, item: item, stars: honestLooking && random.chance(0.25) ? 2 : 1, at: time,
            textLength: honestLooking ? reviewLength(negative: true) : random.between(0, 12),
            media: honestLooking && random.chance(0.1))
        ratingDrafts.append(rating)
        let orderedBy = world.plan.attacks[attack].orderedBy
        record.attackRatings.append(InjectionRecord.AttackRating(
            order: order.map { IdSpace.orders.string($0) } ?? "", rater: IdSpace.buyers.string(rater),
            victim: IdSpace.shops.string(shop), orderedBy: orderedBy >= 0 ? IdSpace.shops.string(orderedBy) : nil))
    }

    /// Length of an honest review text: many empty, angry ones longer.
    mutating func reviewLength(negative: Bool) -> Int {
        if random.chance(negative ? 0.15 : 0.35) { return 0 }
        return Int(random.logNormal(median: negative ? 70 : 30, sigma: negative ? 0.8 : 0.9))
    }
}

extension IdSpace {
    /// The id of `index` as a string (for the injection record, not for rows).
    func string(_ index: Int) -> String {
        var buffer = CSVBuffer(capacity: 24)
        buffer.id(self, index)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
