import Columnar
import Testing
import TestSupport

@testable import Detection

/// The feature kernels against plain reference loops over the rows.
@Suite struct EntityFeaturesTests {
    private static let export = SampleExport.make(orders: 4000, seed: 9)

    @Test(arguments: [1, 2, 4])
    func shopFeaturesMatchReference(threads: Int) {
        let orders = Self.export.orders
        let accounts = Self.export.dictionaries.accounts.count
        let features = EntityFeatures.shops(orders, accountCount: accounts, threads: threads)
        for shop in 0..<accounts {
            let rows = (0..<orders.count).filter { orders.shop[$0] == UInt32(shop) }
                .sorted { (orders.createdAt[$0], $0) < (orders.createdAt[$1], $1) }
            guard !rows.isEmpty else {
                #expect(features[shop] == nil)
                continue
            }
            var best = 0.0
            for (position, row) in rows.enumerated() {
                let window = rows[position...].prefix { orders.createdAt[$0] - orders.createdAt[row] < 3600 }
                best = max(best, Double(window.count) / Double(Set(window.map { orders.buyer[$0] }).count))
            }
            var buyersByDevice: [UInt32: Set<UInt32>] = [:]
            for row in rows where orders.device[row] != IdDictionary.absent {
                buyersByDevice[orders.device[row], default: []].insert(orders.buyer[row])
            }
            let shared = rows.filter { orders.device[$0] != IdDictionary.absent && buyersByDevice[orders.device[$0]]!.count >= 3 }
            #expect(features[shop] == EntityFeatures.Shop(
                orders: rows.count, distinctBuyers: Set(rows.map { orders.buyer[$0] }).count, busiestWindowRate: best,
                sharedDeviceShare: Double(shared.count) / Double(rows.count)))
        }
    }

    @Test func waybillAndRaterFeaturesMatchReference() {
        let logistics = Self.export.logistics, ratings = Self.export.ratings
        let waybills = EntityFeatures.waybills(logistics, waybillCount: Self.export.dictionaries.waybills.count)
        for waybill in waybills.indices {
            let rows = (0..<logistics.count).filter { logistics.waybill[$0] == UInt32(waybill) }
            let first = rows.map { logistics.at[$0] }.min()!
            let signed = rows.filter { logistics.event[$0] == ScanEvent.signed.rawValue }.map { logistics.at[$0] }.min()
            #expect(waybills[waybill] == EntityFeatures.Waybill(
                scans: rows.count, firstToSignedSeconds: signed.map { $0 - first },
                hasTransit: rows.contains { logistics.event[$0] == ScanEvent.transit.rawValue }))
        }
        let raters = EntityFeatures.raters(ratings, accountCount: Self.export.dictionaries.accounts.count)
        for rater in raters.indices {
            let rows = (0..<ratings.count).filter { ratings.buyer[$0] == UInt32(rater) }
            let without = rows.filter { ratings.order[$0] == IdDictionary.absent }.count
            #expect(raters[rater] == (rows.isEmpty ? nil : EntityFeatures.Rater(
                ratings: rows.count, withoutOrderShare: Double(without) / Double(rows.count))))
        }
    }
}
