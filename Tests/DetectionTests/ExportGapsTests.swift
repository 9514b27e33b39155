import Columnar
import Testing

@testable import Detection

@Suite struct ExportGapsTests {
    /// One order with every optional value, rated, shipped on one weighed and located
    /// scan, by a buyer registered with a region.
    static func complete() -> Export {
        var export = Export()
        for name in ["buyer", "shop"] { _ = export.dictionaries.accounts.intern(name) }
        _ = export.dictionaries.orders.intern("o1")
        export.orders.buyer = [0]
        export.orders.shop = [1]
        export.orders.item = [0]
        export.orders.amountCents = [1_000]
        export.orders.createdAt = [0]
        export.orders.paidAt = [60]
        export.orders.confirmedAt = [400_000]
        export.orders.status = [OrderStatus.completed.rawValue]
        export.orders.shipTo = [0]
        export.orders.device = [0]
        export.orders.ip = [0]
        export.orders.payment = [0]
        export.ratings.order = [0]
        export.ratings.buyer = [0]
        export.ratings.shop = [1]
        export.ratings.item = [0]
        export.ratings.stars = [5]
        export.ratings.createdAt = [500_000]
        export.ratings.textLength = [40]
        export.ratings.hasMedia = [0]
        export.logistics.waybill = [0]
        export.logistics.order = [0]
        export.logistics.courier = [0]
        export.logistics.event = [ScanEvent.signed.rawValue]
        export.logistics.at = [300_000]
        export.logistics.location = [0]
        export.logistics.weightGrams = [400]
        export.accounts.account = [0]
        export.accounts.kind = [AccountKind.buyer.rawValue]
        export.accounts.registeredAt = [-9_000_000]
        export.accounts.region = [0]
        export.accounts.creditCode = [IdDictionary.absent]
        return export
    }

    @Test func aCompleteExportHasNoGap() {
        #expect(ExportGaps.lines(Self.complete()) == [])
    }

    /// Columns no signal reads are no gap: leaving them out changes no finding.
    @Test func columnsNoSignalReadsAreNoGap() {
        var export = Self.complete()
        export.orders.ip = [IdDictionary.absent]
        export.ratings.item = [IdDictionary.absent]
        #expect(ExportGaps.lines(export) == [])
    }

    /// Each optional column left empty, and each optional file left out, is one gap named
    /// by its file and column.
    @Test func eachLeftOutColumnOrFileIsOneGap() {
        let leftOut: [(gap: String, leaveOut: (inout Export) -> Void)] = [
            ("orders.csv: no orders:", { $0.orders = OrdersTable() }),
            ("orders.csv: no paid_at:", { $0.orders.paidAt = [Missing.time] }),
            ("orders.csv: no confirmed_at:", { $0.orders.confirmedAt = [Missing.time] }),
            ("orders.csv: no device_id:", { $0.orders.device = [IdDictionary.absent] }),
            ("orders.csv: no payment_id:", { $0.orders.payment = [IdDictionary.absent] }),
            ("ratings.csv: no ratings:", { $0.ratings = RatingsTable() }),
            ("ratings.csv: no order_id:", { $0.ratings.order = [IdDictionary.absent] }),
            ("ratings.csv: no text_len:", { $0.ratings.textLength = [Missing.count] }),
            ("ratings.csv: no has_media:", { $0.ratings.hasMedia = [Missing.flag] }),
            ("logistics.csv: no scans:", { $0.logistics = LogisticsTable() }),
            ("logistics.csv: no location:", { $0.logistics.location = [IdDictionary.absent] }),
            ("logistics.csv: no weight_g:", { $0.logistics.weightGrams = [Missing.count] }),
            ("accounts.csv: no accounts:", { $0.accounts = AccountsTable() }),
            ("accounts.csv: no registered_at:", { $0.accounts.registeredAt = [Missing.time] }),
            ("accounts.csv: no region:", { $0.accounts.region = [IdDictionary.absent] }),
        ]
        for (gap, leaveOut) in leftOut {
            var export = Self.complete()
            leaveOut(&export)
            let lines = ExportGaps.lines(export)
            #expect(lines.count == 1, "\(gap) \(lines)")
            #expect(lines.first?.hasPrefix(gap) == true, "\(gap) \(lines)")
        }
    }
}
