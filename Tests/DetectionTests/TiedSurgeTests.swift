import Columnar
import Testing
import TestSupport

@testable import Detection

/// `TiedSurgeDetector`: its kernels against plain references, and the surges it must
/// and must not see.
@Suite struct TiedSurgeTests {
    static let day: Int64 = 86_400
    static let start: Int64 = 1_790_812_800

    @Test(arguments: 0..<20) func tiedOrdersMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &+ 77)
        let export = FakeOrderKernelTests.randomExport(seed: UInt64(seed), orders: 400)
        let orders = export.orders
        let buckets = orders.createdAt.map { UInt32(($0 - orders.createdAt.min()!) / (3 * Self.day)) }
        let sales = (0..<orders.count).map { _ in random.next() % 5 != 0 }
        let shops = EntityGroups(keys: orders.shop, entityCount: export.dictionaries.accounts.count, orderedBy: orders.createdAt)
        let identities = [
            (orders.device, export.dictionaries.devices.count), (orders.payment, export.dictionaries.payments.count),
            (orders.shipTo, export.dictionaries.addresses.count),
        ]
        var tiedSomewhere = 0
        for threads in [1, 2] {
            let tied = TiedSurgeDetector.tiedOrders(
                shops: shops, buckets: buckets, buyers: orders.buyer, sales: sales, identities: identities, threads: threads)
            for row in 0..<orders.count {
                let expected = sales[row] && identities.contains { column, _ in
                    column[row] != IdDictionary.absent && (0..<orders.count).contains { other in
                        sales[other] && orders.shop[other] == orders.shop[row] && buckets[other] == buckets[row]
                            && column[other] == column[row] && orders.buyer[other] != orders.buyer[row]
                    }
                }
                #expect(tied[row] == expected, "row \(row), seed \(seed)")
                if expected { tiedSomewhere += 1 }
            }
        }
        #expect(tiedSomewhere > 0, "the random world ties no order: the test would test nothing")
    }

    @Test(arguments: 0..<20) func surgesMatchReference(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let rowCount = 300, shopCount = 4
        let shopKeys = (0..<rowCount).map { _ in UInt32(random.next() % UInt64(shopCount)) }
        let times = (0..<rowCount).map { _ in Int64(random.next() % 20) }
        let tied = (0..<rowCount).map { _ in random.next() % 3 == 0 }
        let buckets = times.map { UInt32($0) }
        let shops = EntityGroups(keys: Column(shopKeys), entityCount: shopCount, orderedBy: Column(times))
        let surges = TiedSurgeDetector.surges(shops: shops, buckets: buckets, tied: tied, minimumTied: 3, z: 1.64)
        for shop in 0..<shopCount {
            let rows = (0..<rowCount).filter { shopKeys[$0] == UInt32(shop) }
            var best: Double?
            for bucket in Set(rows.map { buckets[$0] }) {
                let inside = rows.filter { buckets[$0] == bucket }, outside = rows.filter { buckets[$0] != bucket }
                let tiedInside = inside.filter { tied[$0] }.count
                var expected = Double.nan
                if tiedInside >= 3 && rows.filter({ tied[$0] }).count >= 3 {
                    let elsewhere = outside.isEmpty ? 0 : Double(outside.filter { tied[$0] }.count) / Double(outside.count)
                    expected = Chance.shareLowerBound(
                        Double(tiedInside) / Double(inside.count), rows: inside.count, z: 1.64) - elsewhere
                    best = max(best ?? expected, expected)
                }
                for row in inside {
                    #expect(surges.rowExcess[row].isNaN == expected.isNaN, "row \(row), seed \(seed)")
                    if !expected.isNaN { #expect(abs(surges.rowExcess[row] - expected) < 1e-12, "row \(row), seed \(seed)") }
                }
            }
            #expect(surges.shopExcess[shop].isNaN == (best == nil), "shop \(shop), seed \(seed)")
            if let best { #expect(abs(surges.shopExcess[shop] - best) < 1e-12, "shop \(shop), seed \(seed)") }
        }
    }

    /// A small world of three shops over 30 days, each with 3 orders a day from
    /// unrelated buyers, plus what a test adds.
    struct World {
        var export = Export()
        var nextBuyer = 0

        init() {
            for shop in 0..<3 { _ = export.dictionaries.accounts.intern("shop\(shop)") }
            for day in 0..<30 {
                for shop in 0..<3 {
                    for order in 0..<3 { add(shop: shop, at: TiedSurgeTests.start + Int64(day) * TiedSurgeTests.day + Int64(order) * 3_600) }
                }
            }
        }

        /// A new buyer with its own device, payment account and address unless given.
        mutating func add(
            shop: Int, at time: Int64, device: String? = nil, payment: String? = nil, address: String? = nil,
            status: OrderStatus = .completed
        ) {
            let name = "b\(nextBuyer)"
            nextBuyer += 1
            let row = export.orders.count
            _ = export.dictionaries.orders.intern("o\(row)")
            export.orders.buyer.append(export.dictionaries.accounts.intern(name))
            export.orders.shop.append(UInt32(shop))
            export.orders.item.append(IdDictionary.absent)
            export.orders.amountCents.append(1_000)
            export.orders.createdAt.append(time)
            export.orders.paidAt.append(time + 60)
            export.orders.confirmedAt.append(time + 5 * TiedSurgeTests.day)
            export.orders.status.append(status.rawValue)
            export.orders.shipTo.append(export.dictionaries.addresses.intern(address ?? "home-" + name))
            export.orders.device.append(export.dictionaries.devices.intern(device ?? "phone-" + name))
            export.orders.ip.append(IdDictionary.absent)
            export.orders.payment.append(export.dictionaries.payments.intern(payment ?? "card-" + name))
        }

        /// `count` orders on `day` at `shop` from new accounts behind `identities`
        /// devices and payment accounts, taken in turn.
        mutating func studio(shop: Int, day: Int, count: Int, identities: Int, status: OrderStatus = .completed) {
            for order in 0..<count {
                add(shop: shop, at: TiedSurgeTests.start + Int64(day) * TiedSurgeTests.day + Int64(order) * 1_200,
                    device: "studio-phone\(order % identities)", payment: "studio-card\(order % identities)", status: status)
            }
        }

        func measure() -> (shops: [Double], buyers: [Double]) {
            let detector = TiedSurgeDetector()
            let output = detector.measure(export, config: DetectionConfig(detectors: [detector]), threads: 1)
            return (output.signals[0].values, output.signals[1].values)
        }
    }

    @Test func studioSurgeFiresForTheShopAndItsAccounts() {
        var world = World()
        world.studio(shop: 1, day: 12, count: 20, identities: 4)
        let honestBuyersBefore = world.nextBuyer - 20
        let (shops, buyers) = world.measure()
        let signal = TiedSurgeDetector().signals
        #expect(shops[1] >= signal[0].saturation)
        #expect(shops[0].isNaN && shops[2].isNaN)
        let studioBuyers = (honestBuyersBefore..<world.nextBuyer).map { Int(world.export.dictionaries.accounts.lookup("b\($0)")!) }
        #expect(studioBuyers.allSatisfy { buyers[$0] >= signal[1].saturation })
        #expect(buyers.indices.filter { !studioBuyers.contains($0) }.allSatisfy { buyers[$0].isNaN })
    }

    @Test func flashSaleOfUnrelatedBuyersDoesNotFire() {
        var world = World()
        for order in 0..<60 { world.add(shop: 1, at: Self.start + 12 * Self.day + Int64(order) * 300) }
        // Two households among the crowd, as on any busy day.
        for order in 0..<4 { world.add(shop: 1, at: Self.start + 12 * Self.day + Int64(order) * 700, address: "house\(order / 2)") }
        let (shops, _) = world.measure()
        #expect(shops[1].isNaN || shops[1] < TiedSurgeDetector().signals[0].threshold)
    }

    @Test func shopTiedEveryDayAlikeDoesNotFire() {
        var world = World()
        // A campus shop: every day two thirds of its orders go to the campus lockers.
        for day in 0..<30 {
            for order in 0..<6 { world.add(shop: 2, at: Self.start + Int64(day) * Self.day + Int64(order) * 900, address: "locker") }
        }
        let (shops, _) = world.measure()
        #expect(shops[2] < TiedSurgeDetector().signals[0].threshold)
    }

    /// With `orderIDs` false the export leaves the ratings' `order_id` out: the crew's
    /// orders at the shop they rated low are then taken as rated low all the same.
    @Test(arguments: [true, false]) func crewOrdersThatEndRefundedOrRatedLowAreNoSurge(orderIDs: Bool) {
        var world = World()
        world.studio(shop: 1, day: 12, count: 20, identities: 4, status: .refunded)
        let firstRated = world.export.orders.count
        world.studio(shop: 2, day: 12, count: 20, identities: 4)
        for row in firstRated..<world.export.orders.count {
            world.export.ratings.order.append(orderIDs ? UInt32(row) : IdDictionary.absent)
            world.export.ratings.buyer.append(world.export.orders.buyer[row])
            world.export.ratings.shop.append(2)
            world.export.ratings.item.append(IdDictionary.absent)
            world.export.ratings.stars.append(1)
            world.export.ratings.createdAt.append(world.export.orders.createdAt[row] + 6 * Self.day)
            world.export.ratings.textLength.append(Missing.count)
            world.export.ratings.hasMedia.append(Missing.flag)
        }
        let (shops, buyers) = world.measure()
        #expect(shops[1].isNaN && shops[2].isNaN)
        #expect(buyers.allSatisfy { $0.isNaN })
    }
}
