import Columnar

/// Writing a partition's rows in the column order of SCHEMA.md.
extension Partition {
    static let ordersHeader: StaticString = "order_id,buyer_id,shop_id,item_id,amount,created_at,paid_at,confirmed_at,status,ship_to,device_id,ip,payment_id\n"
    static let ratingsHeader: StaticString = "order_id,buyer_id,shop_id,item_id,stars,created_at,text_len,has_media\n"
    static let logisticsHeader: StaticString = "tracking_no,order_id,courier_id,event,at,location,weight_g\n"

    static let statusNames: [[UInt8]] = OrderStatus.allCases.map { Array($0.name.utf8) }
    static let eventNames: [[UInt8]] = ScanEvent.allCases.map { Array($0.name.utf8) }

    mutating func writeOrder(_ draft: OrderDraft, number: Int, shop: Int, paid: Int64?, confirmed: Int64?, status: OrderStatus) {
        let mixed = world.config.mixedFormats
        let style = TimeStyle.draw(&random, mixed: mixed)
        orders.id(.orders, number)
        orders.comma()
        orders.id(.buyers, draft.buyer)
        orders.comma()
        orders.id(.shops, shop)
        orders.comma()
        orders.id(.items, draft.item)
        orders.comma()
        orders.money(draft.amountCents, style: mixed ? random.below(3) : 0)
        orders.comma()
        orders.timestamp(draft.createdAt, style: style)
        orders.comma()
        if let paid { orders.timestamp(paid, style: style) }
        orders.comma()
        if let confirmed { orders.timestamp(confirmed, style: style) }
        orders.comma()
        orders.text(Partition.statusNames[Int(status.rawValue)])
        orders.comma()
        orders.id(.addresses, draft.address)
        orders.comma()
        orders.id(.devices, draft.device)
        orders.comma()
        orders.ip(UInt32(draft.ip))
        orders.comma()
        orders.id(.payments, draft.payment)
        orders.endRow()
        if draft.origin == .brushed {
            record.fakeOrders.append(InjectionRecord.FakeOrder(
                order: IdSpace.orders.string(number), buyer: IdSpace.buyers.string(draft.buyer), shop: IdSpace.shops.string(shop)))
        }
    }

    /// The scans of one waybill; a few waybills have their rows out of time order, as
    /// exports that merge scans from several systems do.
    mutating func writeScans(number: Int, outlet: Int, emptyParcel: Bool, shop: Int) {
        var waybill = number
        if emptyParcel {
            let earlier = emptyWaybills.filter { $0.0 == outlet }
            if !earlier.isEmpty && random.chance(camouflage.reusedTracking) {
                waybill = random.pick(earlier).1
            } else {
                emptyWaybills.append((outlet, number))
            }
        }
        if scans.count > 2 && random.chance(0.04) { scans.swapAt(random.below(scans.count), random.below(scans.count)) }
        let style = TimeStyle.draw(&random, mixed: world.config.mixedFormats)
        var tracking = CSVBuffer(capacity: 20)
        tracking.text(Catalog.couriers[world.outlets[outlet].company].code)
        tracking.digits(Int64(IdSpace.waybills.scramble(UInt64(waybill))), width: 15)
        for scan in scans {
            logistics.text(tracking)
            logistics.comma()
            logistics.id(.orders, number)
            logistics.comma()
            logistics.text(world.outletCodes[outlet])
            logistics.comma()
            logistics.text(Partition.eventNames[Int(scan.event.rawValue)])
            logistics.comma()
            logistics.timestamp(scan.at, style: style)
            logistics.comma()
            logistics.text(scan.outlet >= 0 ? world.outletCodes[scan.outlet] : world.hubCodes[scan.city][scan.company])
            logistics.comma()
            if scan.grams >= 0 { logistics.decimal(Int64(scan.grams)) }
            logistics.endRow()
        }
        if emptyParcel {
            record.emptyParcels.append(InjectionRecord.EmptyParcel(
                tracking: String(decoding: tracking.bytes, as: UTF8.self), order: IdSpace.orders.string(number),
                courier: String(decoding: world.outletCodes[outlet], as: UTF8.self), shop: IdSpace.shops.string(shop)))
        }
    }

    mutating func write(_ rating: RatingDraft, shop: Int) {
        if let order = rating.order { ratings.id(.orders, order) }
        ratings.comma()
        ratings.id(.buyers, rating.buyer)
        ratings.comma()
        ratings.id(.shops, shop)
        ratings.comma()
        ratings.id(.items, rating.item)
        ratings.comma()
        ratings.decimal(Int64(rating.stars))
        ratings.comma()
        ratings.timestamp(rating.at, style: TimeStyle.draw(&random, mixed: world.config.mixedFormats))
        ratings.comma()
        ratings.decimal(Int64(rating.textLength))
        ratings.comma()
        ratings.text(rating.media ? "1" : "0")
        ratings.endRow()
    }
}
