/// How a brushing ring places its fake orders.
enum BrushingModus: UInt8, Sendable, CaseIterable {
    /// Coordinated windows: many members order within the same hour or so, several each.
    case windows
    /// A steady drip: one order at a time, spread over weeks, following the daily rhythm.
    case drip
    /// A task-platform campaign: many recycled accounts, one or two orders each, in a few days.
    case campaign
}

/// How a complicit courier outlet fakes the waybills it sells.
enum EmptyParcelModus: UInt8, Sendable, CaseIterable {
    /// Only `created` and `signed` scans, no pickup and no weight.
    case waybillOnly
    /// A parcel of a few grams picked up and delivered, impossibly fast.
    case lightParcel
}

/// A paid brushing ring: member accounts placing fake orders for client shops, sharing in
/// part the ring's devices, proxies, payment accounts and collection addresses.
struct BrushingRing: Sendable {
    var members: [Int]
    var clients: [Int]
    /// Fake orders to place for each client, in the order of `clients`.
    var fakeOrders: [Int]
    var modus: BrushingModus
    var devices: Range<Int>
    var ips: Range<Int>
    var payments: Range<Int>
    var addresses: Range<Int>
    var activeFrom: Int64
    var activeSeconds: Int64
    /// The complicit courier outlet whose waybills ship the fake orders, or -1 for real parcels.
    var outlet: Int
    var parcelModus: EmptyParcelModus
}

/// A coordinated 1-star attack on a victim shop, by raters with few or no genuine orders there.
struct RatingAttack: Sendable {
    var raters: [Int]
    var victim: Int
    /// The shop that ordered the attack when the evidence ties it (its own brushing ring
    /// attacks), or -1.
    var orderedBy: Int
    var start: Int64
    var spanSeconds: Int64
    var devices: Range<Int>
    var ips: Range<Int>
}

/// The fraud laid over the honest world: rings, attacks and the accounts they use. Every
/// choice is drawn from the world's seed, so the plan is the same for a seed.
struct FraudPlan: Sendable {
    var rings: [BrushingRing] = []
    var attacks: [RatingAttack] = []
    /// Rings brushing each shop, by shop index (empty for most shops).
    var ringsAtShop: [[Int]] = []
    /// Attacks on each shop, by shop index.
    var attacksOnShop: [[Int]] = []
    /// Every account of a ring or an attack (sorted, unique).
    var fraudAccounts: [Int] = []
    var freshRegistrations: [(Int, Int64)] = []
    /// Identifiers the rings own, past the honest ones of each space.
    var extraDevices = 0, extraIPs = 0, extraPayments = 0, extraAddresses = 0

    init() {}

    init(world: World, random: inout Xoshiro256) {
        let config = world.config
        let camouflage = world.camouflage
        ringsAtShop = Array(repeating: [], count: config.shops)
        attacksOnShop = Array(repeating: [], count: config.shops)
        guard config.shops >= 4, config.buyers >= 200 else { return }
        var used: [Bool] = Array(repeating: false, count: config.buyers)
        var recycled: [Int] = []
        var clientTaken = Array(repeating: false, count: config.shops)
        let span = Int64(config.days) * 86400

        func allocate(_ count: Int, _ counter: inout Int, base: Int) -> Range<Int> {
            defer { counter += count }
            return (base + counter)..<(base + counter + count)
        }
        func recruit(_ count: Int, firstUse: Int64, random: inout Xoshiro256) -> [Int] {
            var members: [Int] = []
            while members.count < count {
                let account = !recycled.isEmpty && random.chance(0.15) ? random.pick(recycled) : random.below(config.buyers)
                if members.contains(account) { continue }
                if !used[account] {
                    used[account] = true
                    recycled.append(account)
                    if random.chance(camouflage.freshAccounts) {
                        freshRegistrations.append((account, firstUse - Int64(random.between(1, 10)) * 86400 - Int64(random.below(86400))))
                    }
                }
                members.append(account)
            }
            return members
        }

        let ringCount = config.fraud.hasBrushing ? max(2, config.shops / 40) : 0
        var complicit: [Int] = []
        for attempt in 0..<ringCount {
            let modus = random.pick(BrushingModus.allCases)
            let size = min(config.buyers / 8, modus == .campaign ? random.between(30, 90) : random.between(8, 30))
            var clients: [Int] = []
            for _ in 0..<(modus == .campaign ? random.between(2, 4) : random.between(1, 3)) {
                for _ in 0..<50 {
                    let shop = config.shops / 20 + random.below(config.shops - config.shops / 20)
                    if !clientTaken[shop] && !world.shops[shop].bad {
                        clientTaken[shop] = true
                        clients.append(shop)
                        break
                    }
                }
            }
            guard !clients.isEmpty else { continue }
            let fakeOrders = clients.map { shop in
                min(800, max(12, Int(camouflage.fakeShare * Double(world.shops[shop].honestOrders) * (0.7 + random.unit() * 0.6))))
            }
            let activeSeconds: Int64 = switch modus {
            case .windows: max(86400, span / 2)
            case .drip: span
            case .campaign: Int64(random.between(1, 5)) * 86400
            }
            let activeFrom = GeneratorConfig.start + Int64(random.below(Int(max(1, span - activeSeconds))))
            var outlet = -1
            let lastChance = complicit.isEmpty && attempt == ringCount - 1 && config.fraud.emptyParcelShare > 0
            if random.chance(config.fraud.emptyParcelShare) || lastChance {
                if !complicit.isEmpty && random.chance(0.3) {
                    outlet = random.pick(complicit)
                } else {
                    outlet = random.pick(world.shops[random.below(config.shops)].outlets)
                    complicit.append(outlet)
                }
            }
            let members = recruit(size, firstUse: activeFrom, random: &random)
            rings.append(BrushingRing(
                members: members, clients: clients, fakeOrders: fakeOrders, modus: modus,
                devices: allocate(max(1, size / 4), &extraDevices, base: world.deviceCount),
                ips: allocate(max(1, size / 8), &extraIPs, base: world.ipCount),
                payments: allocate(max(1, size / 6), &extraPayments, base: world.paymentCount),
                addresses: allocate(max(1, size / 5), &extraAddresses, base: world.addressCount),
                activeFrom: activeFrom, activeSeconds: activeSeconds, outlet: outlet,
                parcelModus: random.pick(EmptyParcelModus.allCases)))
            for shop in clients { ringsAtShop[shop].append(rings.count - 1) }
        }

        let attackCount = config.fraud.hasAttacks ? max(2, config.shops / 60) : 0
        let rated = (0..<config.shops).filter { world.shops[$0].honestOrders >= 20 }
        for _ in 0..<attackCount where !rated.isEmpty {
            let start = GeneratorConfig.start + 2 * 86400 + Int64(random.below(Int(max(1, span - 3 * 86400))))
            var raters: [Int]
            var orderedBy = -1
            var victim = random.pick(rated)
            let ring = rings.isEmpty ? -1 : random.below(rings.count)
            if ring >= 0, random.chance(0.4), rings[ring].members.count >= 6 {
                orderedBy = rings[ring].clients[0]
                let competitors = rated.filter { world.shops[$0].category == world.shops[orderedBy].category && $0 != orderedBy }
                if !competitors.isEmpty { victim = random.pick(competitors) }
                raters = Array(rings[ring].members.prefix(random.between(6, rings[ring].members.count)))
            } else {
                raters = recruit(min(config.buyers / 10, random.between(10, 40)), firstUse: start, random: &random)
            }
            guard victim != orderedBy else { continue }
            let size = raters.count
            attacks.append(RatingAttack(
                raters: raters, victim: victim, orderedBy: orderedBy, start: start,
                spanSeconds: Int64(camouflage.attackDays * 86400),
                devices: allocate(max(1, size / 4), &extraDevices, base: world.deviceCount),
                ips: allocate(max(1, size / 8), &extraIPs, base: world.ipCount)))
            attacksOnShop[victim].append(attacks.count - 1)
        }
        fraudAccounts = used.indices.filter { used[$0] }
    }
}
