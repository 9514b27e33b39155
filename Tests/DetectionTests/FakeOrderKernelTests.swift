import Columnar
import Testing
import TestSupport

@testable import Detection

/// The fake-order kernels against plain, obviously correct references on random data.
@Suite struct FakeOrderKernelTests {
    /// A random export: few shops, buyers, devices, payments and addresses so that
    /// sharing happens often; times over two months; some accounts with registrations.
    static func randomExport(seed: UInt64, orders: Int) -> Export {
        var random = SeededRandom(seed: seed)
        var export = Export()
        for index in 0..<40 { _ = export.dictionaries.accounts.intern("a\(index)") }
        for index in 0..<12 { _ = export.dictionaries.devices.intern("d\(index)") }
        for index in 0..<10 { _ = export.dictionaries.payments.intern("p\(index)") }
        for index in 0..<15 { _ = export.dictionaries.addresses.intern("h\(index)") }
        func pick(_ count: Int) -> UInt32 { UInt32(random.next() % UInt64(count)) }
        for row in 0..<orders {
            _ = export.dictionaries.orders.intern("o\(row)")
            export.orders.shop.append(pick(5))
            export.orders.buyer.append(5 + pick(35))
            export.orders.item.append(0)
            export.orders.amountCents.append(100)
            let created = 1_790_000_000 + Int64(random.next() % 5_000_000)
            export.orders.createdAt.append(created)
            export.orders.paidAt.append(random.next() % 4 == 0 ? Missing.time : created + 60)
            export.orders.confirmedAt.append(
                random.next() % 5 == 0 ? Missing.time : created + Int64(random.next() % 400_000))
            export.orders.status.append(OrderStatus.completed.rawValue)
            export.orders.shipTo.append(pick(15))
            export.orders.device.append(random.next() % 6 == 0 ? IdDictionary.absent : pick(12))
            export.orders.ip.append(IdDictionary.absent)
            export.orders.payment.append(random.next() % 6 == 0 ? IdDictionary.absent : pick(10))
        }
        for account in stride(from: 5, to: 40, by: 3) {
            export.accounts.account.append(UInt32(account))
            export.accounts.kind.append(AccountKind.buyer.rawValue)
            export.accounts.registeredAt.append(1_790_000_000 + Int64(random.next() % 5_000_000))
            export.accounts.region.append(IdDictionary.absent)
            export.accounts.creditCode.append(IdDictionary.absent)
        }
        return export
    }

    @Test(arguments: 0..<20) func sharedIdentityCountsMatchReference(seed: Int) {
        let export = Self.randomExport(seed: UInt64(seed), orders: 300)
        let orders = export.orders
        let shops = EntityGroups(keys: orders.shop, entityCount: export.dictionaries.accounts.count)
        for threads in [1, 2] {
            let counts = RowKernels.distinctMembersSharingIdentity(
                groups: shops, identity: orders.device, member: orders.buyer, threads: threads)
            for row in 0..<orders.count {
                let expected = orders.device[row] == IdDictionary.absent ? 0 : Set(
                    (0..<orders.count).filter { orders.shop[$0] == orders.shop[row] && orders.device[$0] == orders.device[row] }
                        .map { orders.buyer[$0] }).count
                #expect(counts[row] == UInt32(expected), "row \(row), seed \(seed)")
            }
        }
    }

    @Test(arguments: 0..<10) func orderFlagsMatchReference(seed: Int) {
        let export = Self.randomExport(seed: UInt64(seed), orders: 250)
        let orders = export.orders
        let config = DetectionConfig(detectors: [FakeOrdersDetector()])
        let shops = EntityGroups(keys: orders.shop, entityCount: export.dictionaries.accounts.count)
        let flags = OrderFlags(export, shops: shops, config: config, threads: 2)
        func buyersSharing(_ column: [UInt32], _ row: Int) -> Int {
            guard column[row] != IdDictionary.absent else { return 0 }
            return Set((0..<orders.count).filter { orders.shop[$0] == orders.shop[row] && column[$0] == column[row] }
                .map { orders.buyer[$0] }).count
        }
        var registered: [UInt32: Int64] = [:]
        for row in 0..<export.accounts.count { registered[export.accounts.account[row]] = export.accounts.registeredAt[row] }
        for row in 0..<orders.count {
            #expect(flags.sharedDevice[row] == (buyersSharing(Array(orders.device), row) >= 3 || buyersSharing(Array(orders.payment), row) >= 2))
            #expect(flags.sharedAddress[row] == (buyersSharing(Array(orders.shipTo), row) >= 3))
            let paid = orders.paidAt[row] == Missing.time ? orders.createdAt[row] : orders.paidAt[row]
            #expect(flags.fastConfirm[row] == (orders.confirmedAt[row] != Missing.time && orders.confirmedAt[row] - paid < 86_400))
            let young = registered[orders.buyer[row]].map { orders.createdAt[row] - $0 < 30 * 86_400 } ?? false
            #expect(flags.newAccount?[row] == young)
        }
    }

    /// Shops 3 and 4 ship nothing (a scan names only orders of shops 0-2): their fast
    /// confirmations count in the ring marks but not in the fast-confirmation signals.
    /// Without scans no shop is known to ship, so no fast confirmation counts there.
    @Test(arguments: 0..<5) func fastConfirmationCountsAtShopsShippingParcels(seed: Int) throws {
        var export = Self.randomExport(seed: UInt64(seed), orders: 250)
        let config = DetectionConfig(detectors: [FakeOrdersDetector()])
        let shops = EntityGroups(keys: export.orders.shop, entityCount: export.dictionaries.accounts.count)
        let withoutScans = OrderFlags(export, shops: shops, config: config, threads: 1)
        #expect(withoutScans.parcelFastConfirm == nil)
        #expect(withoutScans.fastConfirm.contains(true))
        for row in 0..<export.orders.count {
            #expect(withoutScans.parcelMarks(row) == withoutScans.marks(row) - (withoutScans.fastConfirm[row] ? 1 : 0))
        }
        for row in 0..<export.orders.count where export.orders.shop[row] < 3 && row % 2 == 0 {
            export.logistics.waybill.append(UInt32(row))
            export.logistics.order.append(UInt32(row))
            export.logistics.courier.append(0)
            export.logistics.event.append(ScanEvent.signed.rawValue)
            export.logistics.at.append(export.orders.createdAt[row] + 3_600)
            export.logistics.location.append(IdDictionary.absent)
            export.logistics.weightGrams.append(Missing.count)
        }
        let flags = OrderFlags(export, shops: shops, config: config, threads: 1)
        #expect(flags.fastConfirm == withoutScans.fastConfirm)
        let parcelFastConfirm = try #require(flags.parcelFastConfirm)
        for row in 0..<export.orders.count {
            #expect(parcelFastConfirm[row] == (flags.fastConfirm[row] && export.orders.shop[row] < 3), "row \(row)")
        }
        #expect(flags.fastConfirm.indices.contains { flags.fastConfirm[$0] && !parcelFastConfirm[$0] })
        for row in 0..<export.orders.count {
            let other = (flags.sharedDevice[row] ? 1 : 0) + (flags.sharedAddress[row] ? 1 : 0)
                + ((flags.newAccount?[row] ?? false) ? 1 : 0)
            #expect(flags.marks(row) == other + (flags.fastConfirm[row] ? 1 : 0))
            #expect(flags.parcelMarks(row) == other + (parcelFastConfirm[row] ? 1 : 0))
        }
    }

    /// Eight buyers order at shop 0 every day for ten days, all to one address and each
    /// confirmed within the hour, among 3,000 orders of 400 buyers at 30 shops (shipped,
    /// a quarter confirmed within the hour). When shop 0 ships parcels its orders are a ring
    /// block; when it ships nothing (top-ups: the confirmation is no mark) they carry one
    /// mark each and make no block, though the tensor holds the same orders.
    @Test(arguments: [true, false]) func aRingBlockNeedsItsMarksAtAShopShippingParcels(shipsParcels: Bool) {
        var random = SeededRandom(seed: 5)
        var export = Export()
        for index in 0..<420 { _ = export.dictionaries.accounts.intern("a\(index)") }
        let start: Int64 = 1_790_000_000
        func order(shop: UInt32, buyer: UInt32, at created: Int64, address: UInt32, confirmAfter: Int64) {
            let row = export.orders.count
            _ = export.dictionaries.orders.intern("o\(row)")
            export.orders.shop.append(shop)
            export.orders.buyer.append(buyer)
            export.orders.item.append(0)
            export.orders.amountCents.append(100)
            export.orders.createdAt.append(created)
            export.orders.paidAt.append(created + 60)
            export.orders.confirmedAt.append(created + 60 + confirmAfter)
            export.orders.status.append(OrderStatus.completed.rawValue)
            export.orders.shipTo.append(address)
            export.orders.device.append(IdDictionary.absent)
            export.orders.ip.append(IdDictionary.absent)
            export.orders.payment.append(IdDictionary.absent)
            if shop != 0 || shipsParcels {
                export.logistics.waybill.append(UInt32(row))
                export.logistics.order.append(UInt32(row))
                export.logistics.courier.append(0)
                export.logistics.event.append(ScanEvent.signed.rawValue)
                export.logistics.at.append(created + 86_400)
                export.logistics.location.append(IdDictionary.absent)
                export.logistics.weightGrams.append(Missing.count)
            }
        }
        for _ in 0..<3_000 {
            let buyer = 20 + UInt32(random.next() % 400)
            order(
                shop: 1 + UInt32(random.next() % 30), buyer: buyer, at: start + Int64(random.next() % 5_000_000),
                address: 1 + buyer, confirmAfter: random.next() % 4 == 0 ? 3_600 : 3 * 86_400)
        }
        // A third of the other buyers registered when the window opened: with a fast
        // confirmation their orders carry two marks too, scattered (the tensor's background).
        for buyer in stride(from: 20, to: 420, by: 3) {
            export.accounts.account.append(UInt32(buyer))
            export.accounts.kind.append(AccountKind.buyer.rawValue)
            export.accounts.registeredAt.append(start)
            export.accounts.region.append(IdDictionary.absent)
            export.accounts.creditCode.append(IdDictionary.absent)
        }
        for day in 0..<10 {
            for member in UInt32(10)..<18 {
                order(shop: 0, buyer: member, at: start + Int64(day) * 86_400 + Int64(member) * 600, address: 0, confirmAfter: 1_800)
            }
        }
        let config = DetectionConfig(detectors: [FakeOrdersDetector()])
        let shops = EntityGroups(keys: export.orders.shop, entityCount: 420)
        let buyers = EntityGroups(keys: export.orders.buyer, entityCount: 420)
        let flags = OrderFlags(export, shops: shops, config: config, threads: 1)
        let ring = shops.rows(of: 0).map(Int.init)
        #expect(ring.allSatisfy { flags.marks($0) == 2 })
        let blocks = RingBlocks(
            export, candidates: (0..<export.orders.count).map { flags.marks($0) >= 2 },
            members: (0..<export.orders.count).map { flags.parcelMarks($0) >= 2 }, shops: shops, buyers: buyers,
            config: config)
        let named = blocks.findings.filter { $0.members.contains("shop:a0") }
        if shipsParcels {
            #expect(ring.allSatisfy { blocks.blockOfOrder[$0] >= 0 && blocks.blockOfOrder[$0] == blocks.blockOfOrder[ring[0]] })
            #expect(named.count == 1)
        } else {
            #expect(ring.allSatisfy { blocks.blockOfOrder[$0] < 0 })
            #expect(named.isEmpty)
        }
    }

    @Test(arguments: 0..<10) func buyerSignalsMatchReference(seed: Int) {
        let export = Self.randomExport(seed: UInt64(seed), orders: 200)
        let orders = export.orders
        let detector = FakeOrdersDetector()
        let buyers = EntityGroups(keys: orders.buyer, entityCount: export.dictionaries.accounts.count)
        let shared = detector.buyerSharedIdentity(export, buyers: buyers, threads: 2)
        let concentration = detector.shopConcentration(orders, buyers: buyers, minimumOrders: 3)
        for buyer in 0..<export.dictionaries.accounts.count {
            let rows = (0..<orders.count).filter { orders.buyer[$0] == UInt32(buyer) }
            if rows.isEmpty {
                #expect(shared[buyer].isNaN)
                continue
            }
            func most(_ column: [UInt32]) -> Int {
                rows.map { row in
                    column[row] == IdDictionary.absent ? 0
                        : Set((0..<orders.count).filter { column[$0] == column[row] }.map { orders.buyer[$0] }).count
                }.max() ?? 0
            }
            #expect(shared[buyer] == Double(max(most(Array(orders.device)), most(Array(orders.payment)))))
            if rows.count >= 3 {
                let top = Dictionary(grouping: rows, by: { orders.shop[$0] }).values.map(\.count).max()!
                #expect(concentration[buyer] == Double(top) / Double(rows.count))
            } else {
                #expect(concentration[buyer].isNaN)
            }
        }
    }

    @Test func shareCountsFlaggedRowsPerEntity() {
        let groups = EntityGroups(keys: [0, 1, 0, 0, 2], entityCount: 4)
        let flagged = [true, false, false, true, true]
        let shares = RowKernels.share(groups: groups, minimumRows: 1) { flagged[$0] }
        #expect(shares[0] == 2.0 / 3.0)
        #expect(shares[1] == 0)
        #expect(shares[2] == 1)
        #expect(shares[3].isNaN)
        #expect(RowKernels.share(groups: groups, minimumRows: 2) { flagged[$0] }[1].isNaN)
    }
}
