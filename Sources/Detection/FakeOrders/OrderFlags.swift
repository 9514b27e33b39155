import Columnar

/// Marks on single orders that follow from how brushing is done, computed once per
/// scan and shared by the fake-order signals and the ring blocks: a ring runs many
/// accounts from a few phones and payment accounts, ships to a few drop addresses,
/// confirms receipt at once (there is nothing to wait for), and often uses accounts
/// registered for the job.
struct OrderFlags {
    /// The order's device is used by several buyers of the same shop, or its payment
    /// account pays for several buyers of the same shop.
    var sharedDevice: [Bool]
    /// The order ships to an address several buyers of the same shop ship to.
    var sharedAddress: [Bool]
    /// Receipt confirmed implausibly soon after payment.
    var fastConfirm: [Bool]
    /// `fastConfirm` at a shop that ships parcels: what the fast-confirmation signals count; nil
    /// when the export has no scans. A shop that ships none of its orders sells no parcels
    /// (top-ups, game cards, tickets), and its buyers confirm at once because there is nothing to
    /// deliver; without scans no shop can be told to ship (counting every shop's put an independent
    /// generator's 13 virtual-goods shops at key scrutiny when its export left out logistics.csv).
    /// The ring tensor's marks (`marks`) keep `fastConfirm`: the tensor holds only a few hundred
    /// orders, and taking a held-out export's virtual-goods orders out of it changed which rings
    /// the block search found (blocks 8/6/8/10 -> 3/7/1/2 at camouflage 0-3); a block's own orders
    /// are judged by `parcelMarks` (`RingBlocks`).
    var parcelFastConfirm: [Bool]?
    /// Placed by an account registered shortly before; nil when the export has no
    /// registration times.
    var newAccount: [Bool]?

    init(_ export: Export, shops: EntityGroups, config: DetectionConfig, threads: Int) {
        let orders = export.orders
        func shared(_ identity: Column<UInt32>, _ key: String) -> [Bool] {
            let minimum = UInt32(max(1, config[key]))
            return RowKernels.distinctMembersSharingIdentity(
                groups: shops, identity: identity, member: orders.buyer, threads: threads
            ).map { $0 >= minimum }
        }
        let device = shared(orders.device, "fake_orders.shared_device_buyers")
        let payment = shared(orders.payment, "fake_orders.shared_payment_buyers")
        sharedDevice = zip(device, payment).map { $0 || $1 }
        sharedAddress = shared(orders.shipTo, "fake_orders.shared_address_buyers")
        let fastSeconds = Int64(config["fake_orders.fast_confirm_seconds"])
        fastConfirm = (0..<orders.count).map { row in
            let confirmed = orders.confirmedAt[row]
            guard confirmed != Missing.time else { return false }
            let paid = orders.paidAt[row] != Missing.time ? orders.paidAt[row] : orders.createdAt[row]
            return confirmed - paid < fastSeconds
        }
        parcelFastConfirm = Self.shopsShippingParcels(export).map { shipsParcels in
            zip(fastConfirm, orders.shop).map { fast, shop in fast && shipsParcels[Int(shop)] }
        }
        newAccount = Self.newAccountRows(export, days: Int64(config["fake_orders.young_account_days"]))
    }

    /// How many different marks are on `row` (0 to 4). One mark alone is common among
    /// honest orders (a family's shared card, a parcel locker, a same-city delivery);
    /// ring orders carry several.
    func marks(_ row: Int) -> Int { marks(row, fast: fastConfirm) }

    /// `marks` with the fast confirmation counted only at a shop that ships parcels
    /// (`parcelFastConfirm`; not at all without scans): the marks a ring block's orders
    /// must carry.
    func parcelMarks(_ row: Int) -> Int { marks(row, fast: parcelFastConfirm) }

    private func marks(_ row: Int, fast: [Bool]?) -> Int {
        (sharedDevice[row] ? 1 : 0) + (sharedAddress[row] ? 1 : 0) + ((fast?[row] ?? false) ? 1 : 0)
            + ((newAccount?[row] ?? false) ? 1 : 0)
    }

    /// Per account, whether some order of it as a shop is on a waybill; nil when the
    /// export has no scans.
    static func shopsShippingParcels(_ export: Export) -> [Bool]? {
        let orders = export.orders, logistics = export.logistics
        guard logistics.count > 0 else { return nil }
        var ships = [Bool](repeating: false, count: export.dictionaries.accounts.count)
        for order in logistics.order where Int(order) < orders.shop.count {
            ships[Int(orders.shop[Int(order)])] = true
        }
        return ships
    }

    /// Orders placed by accounts registered less than `days` before.
    static func newAccountRows(_ export: Export, days: Int64) -> [Bool]? {
        var registered = [Int64](repeating: Missing.time, count: export.dictionaries.accounts.count)
        var known = false
        for row in 0..<export.accounts.count where export.accounts.registeredAt[row] != Missing.time {
            registered[Int(export.accounts.account[row])] = export.accounts.registeredAt[row]
            known = true
        }
        guard known else { return nil }
        let orders = export.orders
        return (0..<orders.count).map { row in
            let since = registered[Int(orders.buyer[row])]
            return since != Missing.time && orders.createdAt[row] - since < days * 86_400
        }
    }
}
