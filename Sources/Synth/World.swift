/// A shop of the simulated market: what it sells, where it ships from, how many honest
/// orders it gets and how well it serves them.
struct Shop: Sendable {
    var city: Int
    var category: Int
    /// Its items are `firstItem ..< firstItem + itemCount` in `World.items`, best sellers first.
    var firstItem: Int
    var itemCount: Int
    /// Courier outlets it hands parcels to; the first one takes most of them.
    var outlets: [Int]
    var honestOrders: Int
    /// Genuinely bad service: late shipping, refunds, real 1-star ratings.
    var bad: Bool
    /// Share of its buyers drawn from its own city (fast same-city deliveries).
    var localShare: Double
    /// A flash sale: its start, length in seconds and share of the shop's orders.
    var flashStart: Int64
    var flashSeconds: Int64
    var flashShare: Double
    var registeredAt: Int64
    var creditCode: [UInt8]
}

/// A listed item: what its parcel weighs and what it costs.
struct Item: Sendable {
    var grams: Int
    var cents: Int64
}

/// A courier outlet: one company's branch in one city (`ZT-330100-03`), the entity that
/// issues waybills and that a label can name.
struct Outlet: Sendable {
    var company: Int
    var city: Int
    var number: Int
}

/// A buyer account and the household it belongs to (shared address, home network,
/// sometimes a shared tablet or a parent's payment account).
struct Buyer: Sendable {
    var household: Int
    var city: Int
    var registeredAt: Int64
    /// Index of a household member whose payment account this buyer often uses, or -1.
    var sharedPayer: Int
    var usesSharedDevice: Bool
}

/// The honest market every export starts from, plus the fraud plans laid over it.
/// Built once per seed, then read (never changed) by every partition.
struct World: Sendable {
    let config: GeneratorConfig
    let camouflage: Camouflage
    var shops: [Shop] = []
    var items: [Item] = []
    var outlets: [Outlet] = []
    /// Outlets of company `c` in city `i`: `outletsByCity[i][c]`.
    var outletsByCity: [[[Int]]] = []
    /// Each outlet's courier id as written (`ZT-330100-03`), by outlet index.
    var outletCodes: [[UInt8]] = []
    /// Each company's hub in each city as written (`ZT-330100-H`): `hubCodes[city][company]`.
    var hubCodes: [[[UInt8]]] = []
    var buyers: [Buyer] = []
    var households = 0
    var buyersByCity: [[Int]] = []
    var buyerActivity = AliasTable(weights: [1])
    var dayRhythm = AliasTable(weights: [1])
    let hourRhythm = AliasTable(weights: Catalog.hourWeights)
    /// First index of the shared mobile-network ips, and how many there are.
    var mobileIPs = 0..<0
    /// Identifier counts per space (rings take theirs past the honest ones).
    var deviceCount = 0
    var ipCount = 0
    var paymentCount = 0
    var addressCount = 0
    var plan = FraudPlan()

    init(config: GeneratorConfig) {
        self.config = config
        camouflage = Camouflage(level: config.camouflage)
        var random = Xoshiro256(seed: config.seed, stream: 0)
        buildCouriers(&random)
        buildShops(&random)
        buildBuyers(&random)
        buildRhythm()
        plan = FraudPlan(world: self, random: &random)
        applyPlanToBuyers()
    }

    static func cityWeight(_ city: Int) -> Double { 1 / pow(Double(city + 1), 0.9) }

    private mutating func buildCouriers(_ random: inout Xoshiro256) {
        outletsByCity = Array(repeating: Array(repeating: [], count: Catalog.couriers.count), count: Catalog.cities.count)
        for city in Catalog.cities.indices {
            let scale = (World.cityWeight(city) / World.cityWeight(0)).squareRoot()
            for (company, courier) in Catalog.couriers.enumerated() {
                guard company < 7 || random.chance(0.45) else { continue }
                let count = max(1, Int((Double(courier.outletsPerCity) * scale).rounded()))
                for number in 1...count {
                    outletsByCity[city][company].append(outlets.count)
                    outlets.append(Outlet(company: company, city: city, number: number))
                }
            }
        }
        func code(_ company: Int, _ city: Int, _ suffix: String) -> [UInt8] {
            Catalog.couriers[company].code + Array("-\(Catalog.cities[city])-\(suffix)".utf8)
        }
        outletCodes = outlets.map { code($0.company, $0.city, $0.number < 10 ? "0\($0.number)" : "\($0.number)") }
        hubCodes = Catalog.cities.indices.map { city in Catalog.couriers.indices.map { code($0, city, "H") } }
    }

    private mutating func buildShops(_ random: inout Xoshiro256) {
        let cityTable = AliasTable(weights: Catalog.cities.indices.map(World.cityWeight))
        let companyTable = AliasTable(weights: Catalog.couriers.map(\.share))
        let lightCategories = Catalog.categories.indices.filter { Catalog.categories[$0].light }
        let heavyCategories = Catalog.categories.indices.filter { !Catalog.categories[$0].light }
        let sizes = (0..<config.shops).map { 1 / pow(Double($0 + 1), 1.05) }
        let total = sizes.reduce(0, +)
        let orders = Double(config.honestOrders)
        for index in 0..<config.shops {
            let light = random.chance(config.fraud.lightShopShare)
            let category = light ? random.pick(lightCategories) : random.pick(heavyCategories)
            let city = cityTable.sample(&random)
            let honest = Int(orders * sizes[index] / total + random.unit())
            let itemCount = min(400, 3 + Int(random.logNormal(median: 4 + Double(honest).squareRoot(), sigma: 0.5)))
            let firstItem = items.count
            let kind = Catalog.categories[category]
            let shopPrice = random.logNormal(median: kind.medianCents, sigma: kind.centsSpread * 0.6)
            for _ in 0..<itemCount {
                let grams = max(3, Int(random.logNormal(median: kind.medianGrams, sigma: kind.gramsSpread)))
                let cents = max(100, Int64(random.logNormal(median: shopPrice, sigma: 0.5) / 10) * 10)
                items.append(Item(grams: grams, cents: cents))
            }
            var shopOutlets: [Int] = []
            for _ in 0..<(random.chance(0.3) ? 2 : 1) {
                var company = companyTable.sample(&random)
                var tries = 0
                while outletsByCity[city][company].isEmpty && tries < 20 {
                    company = companyTable.sample(&random)
                    tries += 1
                }
                if outletsByCity[city][company].isEmpty { company = 0 }
                shopOutlets.append(random.pick(outletsByCity[city][company]))
            }
            let flash = random.chance(0.3)
            let flashDay = random.chance(0.4) && config.days > Catalog.festivalDay ? Catalog.festivalDay : random.below(config.days)
            let flashStart = GeneratorConfig.start + Int64(flashDay) * 86400 + Int64(12 + random.below(9)) * 3600
            let bad = random.chance(config.fraud.badShopShare)
            shops.append(Shop(
                city: city, category: category, firstItem: firstItem, itemCount: itemCount,
                outlets: shopOutlets, honestOrders: honest, bad: bad,
                localShare: light && config.fraud == .lightParcels ? 0.6 : (light ? 0.25 : 0.08),
                flashStart: flashStart, flashSeconds: Int64(3600 + random.below(3600)),
                flashShare: flash ? 0.1 + random.unit() * 0.25 : 0,
                registeredAt: GeneratorConfig.start - Int64(30 * 86400 + random.below(2500 * 86400)),
                creditCode: World.creditCode(city: city, &random)))
        }
    }

    private mutating func buildBuyers(_ random: inout Xoshiro256) {
        let cityTable = AliasTable(weights: Catalog.cities.indices.map(World.cityWeight))
        buyersByCity = Array(repeating: [], count: Catalog.cities.count)
        var index = 0
        while index < config.buyers {
            let size = min(config.buyers - index, random.chance(0.55) ? 1 : random.between(2, 4))
            let city = cityTable.sample(&random)
            let sharedDevice = size > 1 && random.chance(0.3)
            let payer = size > 1 && random.chance(0.35) ? index : -1
            for member in 0..<size {
                let young = random.chance(0.06)
                let registered = GeneratorConfig.start - Int64(random.below(86400 * (young ? 30 : 3000)) + (young ? 0 : 30 * 86400))
                buyers.append(Buyer(
                    household: households, city: city, registeredAt: registered,
                    sharedPayer: member > 0 ? payer : -1, usesSharedDevice: sharedDevice))
                buyersByCity[city].append(index + member)
            }
            households += 1
            index += size
        }
        let mobile = max(20, config.buyers / 150)
        mobileIPs = households..<(households + mobile)
        ipCount = households + mobile
        deviceCount = config.buyers + households
        paymentCount = config.buyers
        addressCount = households
    }

    private mutating func buildRhythm() {
        let weekday = 4  // 2026-10-01 is a Thursday (Monday = 0)
        dayRhythm = AliasTable(weights: (0..<config.days).map { day in
            let dayOfWeek = (weekday + day) % 7
            var weight = dayOfWeek >= 5 ? 1.25 : 1
            if day == Catalog.festivalDay { weight *= 4 }
            if day == Catalog.festivalDay - 1 { weight *= 1.5 }
            return weight
        })
    }

    /// Ring members shop less (or more) honestly depending on the camouflage, and fresh
    /// accounts are registered just before their first use.
    private mutating func applyPlanToBuyers() {
        var weights = (0..<config.buyers).map { _ in 0.0 }
        var random = Xoshiro256(seed: config.seed, stream: 1)
        for index in weights.indices { weights[index] = pow(1 - random.unit(), -1 / 1.4) }
        for account in plan.fraudAccounts { weights[account] *= camouflage.honestActivity }
        for (account, registered) in plan.freshRegistrations { buyers[account].registeredAt = registered }
        buyerActivity = AliasTable(weights: weights)
    }

    /// An 18-character unified social credit code with its GB 32100-2015 check character.
    static func creditCode(city: Int, _ random: inout Xoshiro256) -> [UInt8] {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        var code: [UInt8] = Array("91".utf8) + Array(String(Catalog.cities[city]).utf8)
        for position in 0..<9 { code.append(alphabet[position < 8 ? random.below(10) : random.below(31)]) }
        var sum = 0
        for (position, character) in code.enumerated() { sum += alphabet.firstIndex(of: character)! * weights[position] }
        code.append(alphabet[(31 - sum % 31) % 31])
        return code
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
