import Columnar
import Synth

/// A small random export built in memory from a seed (every table, every optional column
/// sometimes missing), for round trips through the native format and for kernels that
/// need realistic groups: a few shops with bursts of orders from shared devices.
public enum SampleExport {
    public static func make(orders orderCount: Int, seed: UInt64) -> Export {
        var random = SeededRandom(seed: seed)
        var export = Export()
        var d = Dictionaries()
        let start: Int64 = 1_793_491_200
        for row in 0..<orderCount {
            _ = d.orders.intern("O\(row)")
            let buyer = d.accounts.intern("B\(random.below(orderCount / 4 + 2))")
            export.orders.buyer.append(buyer)
            export.orders.shop.append(d.accounts.intern("S\(random.below(12))"))
            export.orders.item.append(d.items.intern("I\(random.below(50))"))
            export.orders.amountCents.append(Int64(random.below(100_000)))
            let created = start + Int64(row) * 40 + Int64(random.below(4000))
            export.orders.createdAt.append(created)
            export.orders.paidAt.append(random.below(10) == 0 ? Missing.time : created + Int64(random.below(600)))
            export.orders.confirmedAt.append(random.below(3) == 0 ? Missing.time : created + Int64(random.below(900_000)))
            export.orders.status.append(UInt8(random.below(OrderStatus.allCases.count)))
            export.orders.shipTo.append(d.addresses.intern("A\(random.below(orderCount / 3 + 2))"))
            export.orders.device.append(random.below(8) == 0 ? IdDictionary.absent : d.devices.intern("D\(random.below(orderCount / 6 + 2))"))
            export.orders.ip.append(random.below(8) == 0 ? IdDictionary.absent : d.ips.intern("P\(random.below(orderCount / 5 + 2))"))
            export.orders.payment.append(random.below(8) == 0 ? IdDictionary.absent : d.payments.intern("Y\(random.below(orderCount / 4 + 2))"))
            if random.below(3) == 0 {
                export.ratings.order.append(random.below(10) == 0 ? IdDictionary.absent : UInt32(row))
                export.ratings.buyer.append(random.below(10) == 0 ? d.accounts.intern("R\(random.below(30))") : buyer)
                export.ratings.shop.append(export.orders.shop[row])
                export.ratings.item.append(random.below(5) == 0 ? IdDictionary.absent : export.orders.item[row])
                export.ratings.stars.append(UInt8(1 + random.below(5)))
                export.ratings.createdAt.append(created + Int64(random.below(2_000_000)))
                export.ratings.textLength.append(random.below(4) == 0 ? Missing.count : Int32(random.below(400)))
                export.ratings.hasMedia.append(random.below(4) == 0 ? Missing.flag : UInt8(random.below(2)))
            }
            if random.below(4) != 0 {
                let waybill = d.waybills.intern("W\(row)")
                let courier = d.couriers.intern("C\(random.below(5))")
                var at = created + 3600
                for event in ScanEvent.allCases.prefix(1 + random.below(5)) {
                    export.logistics.waybill.append(waybill)
                    export.logistics.order.append(UInt32(row))
                    export.logistics.courier.append(courier)
                    export.logistics.event.append(event.rawValue)
                    export.logistics.at.append(at)
                    export.logistics.location.append(random.below(6) == 0 ? IdDictionary.absent : d.locations.intern("L\(random.below(40))"))
                    export.logistics.weightGrams.append(event == .pickup ? Int32(random.below(5000)) : Missing.count)
                    at += Int64(random.below(90_000))
                }
            }
        }
        for account in 0..<d.accounts.count where random.below(2) == 0 {
            export.accounts.account.append(UInt32(account))
            export.accounts.kind.append(d.accounts.string(UInt32(account)).hasPrefix("S") ? 1 : 0)
            export.accounts.registeredAt.append(random.below(5) == 0 ? Missing.time : start - Int64(random.below(90_000_000)))
            export.accounts.region.append(random.below(5) == 0 ? IdDictionary.absent : d.regions.intern("G\(random.below(9))"))
            export.accounts.creditCode.append(random.below(3) == 0 ? IdDictionary.absent : d.creditCodes.intern("9\(random.below(1_000_000))"))
        }
        export.dictionaries = d
        return export
    }
}

/// The tests' seeded generator (Synth's `SplitMix64`), so test data is the same on every run.
public typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// A value in `0..<bound` (0 when `bound` is 0).
    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
