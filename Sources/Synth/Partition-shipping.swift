import Columnar

/// Shipping, confirming and rating a drafted order, and writing its rows.
extension Partition {
    mutating func ship(_ draft: OrderDraft, shop shopIndex: Int) {
        let shop = world.shops[shopIndex]
        let number = nextOrderNumber()
        let end = world.config.end
        let paid = draft.createdAt + max(5, Int64(random.exponential(mean: 100)))
        let honest = draft.origin == .honest
        if honest && random.chance(shop.bad ? 0.05 : 0.02) {
            writeOrder(draft, number: number, shop: shopIndex, paid: random.chance(0.5) ? paid : nil, confirmed: nil, status: .cancelled)
            return
        }
        let refund = draft.origin == .attacker ? draft.refund : honest && random.chance(shop.bad ? 0.2 : 0.03)
        if refund && honest && random.chance(0.3) {
            writeOrder(draft, number: number, shop: shopIndex, paid: paid, confirmed: nil, status: .refunded)
            return
        }
        let ring = draft.origin == .brushed ? world.plan.rings[draft.plan] : nil
        let outlet: Int
        if let ring, ring.outlet >= 0 {
            outlet = ring.outlet
            emptyParcelScans(draft, ring: ring, paid: paid)
        } else {
            outlet = shop.outlets.count > 1 && random.chance(0.2) ? shop.outlets[1] : shop.outlets[0]
            parcelScans(draft, shop: shop, outlet: outlet, paid: paid, refund: refund)
        }
        while let last = scans.last, last.at > end { scans.removeLast() }
        var status = OrderStatus.paid
        var signedAt: Int64?
        if let last = scans.last {
            switch last.event {
            case .signed:
                status = refund ? .refunded : .completed
                signedAt = last.at
            case .returned: status = .refunded
            default: status = .shipped
            }
        }
        var confirmed: Int64?
        if status == .completed, let signedAt {
            let delay: Double = switch draft.origin {
            case .brushed: random.logNormal(median: camouflage.confirmHours * 3600, sigma: 0.8)
            default: random.chance(0.1) ? Double(random.between(60, 600)) : min(10 * 86400, random.logNormal(median: 30 * 3600, sigma: 1))
            }
            confirmed = signedAt + Int64(delay) <= end ? signedAt + Int64(delay) : nil
        }
        writeOrder(draft, number: number, shop: shopIndex, paid: paid, confirmed: confirmed, status: status)
        if !scans.isEmpty { writeScans(number: number, outlet: outlet, emptyParcel: (ring?.outlet ?? -1) >= 0, shop: shopIndex) }
        rate(draft, number: number, shop: shop, shopIndex: shopIndex, paid: paid, signed: signedAt, confirmed: confirmed, status: status)
    }

    /// A real parcel: created at the shop's outlet, picked up with its weight, through the
    /// hubs between the shop's and the buyer's city, delivered and signed (or returned).
    mutating func parcelScans(_ draft: OrderDraft, shop: Shop, outlet: Int, paid: Int64, refund: Bool) {
        scans.removeAll(keepingCapacity: true)
        let company = world.outlets[outlet].company
        let origin = shop.city, destination = world.buyers[draft.buyer].city
        let slow = shop.bad ? 1.6 : 1
        var t = paid + Int64(random.logNormal(median: (shop.bad ? 60 : 8) * 3600, sigma: 0.7))
        scans.append(Scan(event: .created, at: t, outlet: outlet, company: company, city: origin, grams: -1))
        t += random.between(1800, 6 * 3600)
        let category = Catalog.categories[shop.category]
        let grams = world.items[draft.item].grams * draft.quantity + category.packagingGrams + random.between(-5, 20)
        scans.append(Scan(event: .pickup, at: t, outlet: outlet, company: company, city: origin, grams: random.chance(0.02) ? -1 : max(1, grams)))
        if origin == destination {
            if random.chance(0.6) {
                t += Int64(random.logNormal(median: 2 * 3600, sigma: 0.5))
                scans.append(Scan(event: .transit, at: t, outlet: -1, company: company, city: origin, grams: -1))
            }
        } else {
            t += Int64(random.logNormal(median: 3 * 3600 * slow, sigma: 0.5))
            scans.append(Scan(event: .transit, at: t, outlet: -1, company: company, city: origin, grams: -1))
            if Catalog.cities[origin] / 10000 != Catalog.cities[destination] / 10000 && random.chance(0.5) {
                t += Int64(random.logNormal(median: 14 * 3600 * slow, sigma: 0.5))
                scans.append(Scan(event: .transit, at: t, outlet: -1, company: company, city: random.below(Catalog.cities.count), grams: -1))
            }
            t += Int64(random.logNormal(median: 16 * 3600 * slow, sigma: 0.5))
            scans.append(Scan(event: .transit, at: t, outlet: -1, company: company, city: destination, grams: -1))
        }
        t += Int64(random.logNormal(median: 5 * 3600 * slow, sigma: 0.5))
        let local = world.outletsByCity[destination][company]
        let deliveryOutlet = local.isEmpty ? -1 : local[random.below(local.count)]
        scans.append(Scan(event: .delivery, at: t, outlet: deliveryOutlet, company: company, city: destination, grams: -1))
        if refund && random.chance(0.6) {
            scans.append(Scan(event: .returned, at: t + random.between(86400, 3 * 86400), outlet: deliveryOutlet, company: company, city: destination, grams: -1))
        } else {
            t += random.chance(0.7) ? random.between(60, 1800) : random.between(1800, 4 * 3600)
            scans.append(Scan(event: .signed, at: t, outlet: deliveryOutlet, company: company, city: destination, grams: -1))
        }
    }

    /// A waybill bought from a complicit outlet: created and signed there, hours apart, a
    /// few grams or a forged plausible weight, and at most one faked transit scan.
    mutating func emptyParcelScans(_ draft: OrderDraft, ring: BrushingRing, paid: Int64) {
        scans.removeAll(keepingCapacity: true)
        let outlet = ring.outlet
        let company = world.outlets[outlet].company, city = world.outlets[outlet].city
        var t = paid + Int64(random.logNormal(median: 3600, sigma: 0.6))
        let total = Int64(random.logNormal(median: camouflage.emptyParcelHours * 3600, sigma: 0.5))
        scans.append(Scan(event: .created, at: t, outlet: outlet, company: company, city: city, grams: -1))
        let forged = random.chance(camouflage.forgedWeight)
        if ring.parcelModus == .lightParcel || forged {
            let item = world.items[draft.item]
            let grams = forged ? item.grams * draft.quantity + random.between(10, 80) : random.between(3, 30)
            t += total / 6
            scans.append(Scan(event: .pickup, at: t, outlet: outlet, company: company, city: city, grams: grams))
        }
        if random.chance(camouflage.fakedTransit) {
            t += total / 3
            scans.append(Scan(event: .transit, at: t, outlet: -1, company: company, city: world.buyers[draft.buyer].city, grams: -1))
        }
        if ring.parcelModus == .lightParcel {
            t += total / 4
            scans.append(Scan(event: .delivery, at: t, outlet: outlet, company: company, city: city, grams: -1))
        }
        scans.append(Scan(event: .signed, at: scans[0].at + total, outlet: outlet, company: company, city: city, grams: -1))
    }

    /// An honest rating after bad service is mostly 1 or 2 stars; after good service mostly 5.
    mutating func honestStars(badExperience: Bool) -> Int {
        let u = random.below(100)
        if badExperience { return u < 55 ? 1 : u < 75 ? 2 : u < 90 ? 3 : u < 95 ? 4 : 5 }
        return u < 72 ? 5 : u < 89 ? 4 : u < 94 ? 3 : u < 96 ? 2 : 1
    }

    mutating func rate(
        _ draft: OrderDraft, number: Int, shop: Shop, shopIndex: Int, paid: Int64, signed: Int64?, confirmed: Int64?,
        status: OrderStatus
    ) {
        let end = world.config.end
        switch draft.origin {
        case .attacker:
            guard status == .completed || status == .refunded else { return }
            let arrived = (signed ?? scans.last?.at ?? paid) + 3600
            attackRating(order: number, rater: draft.buyer, item: draft.item, at: min(end - 1, max(draft.ratingAt, arrived)), attack: draft.plan, shop: shopIndex)
        case .brushed:
            guard status == .completed, random.chance(0.9) else { return }
            let at = (confirmed ?? signed!) + Int64(random.exponential(mean: 3600 * (1 + camouflage.confirmHours)))
            guard at <= end else { return }
            let honestLooking = random.chance(camouflage.honestLookingRating)
            ratingDrafts.append(RatingDraft(
                order: number, buyer: draft.buyer, item: draft.item,
                stars: honestLooking ? honestStars(badExperience: false) : 5, at: at,
                textLength: honestLooking ? reviewLength(negative: false) : random.chance(0.7) ? 0 : random.between(2, 8),
                media: honestLooking && random.chance(0.08)))
        case .honest:
            guard status == .completed || status == .refunded, let signed else { return }
            let late = signed - paid > 4 * 86400
            let badExperience = late || status == .refunded || (shop.bad && random.chance(0.4))
            guard random.chance(badExperience ? 0.6 : 0.35) else { return }
            let at = (confirmed ?? signed) + Int64(random.exponential(mean: 30 * 3600))
            guard at <= end else { return }
            let stars = honestStars(badExperience: badExperience)
            ratingDrafts.append(RatingDraft(
                order: number, buyer: draft.buyer, item: draft.item, stars: stars, at: at,
                textLength: reviewLength(negative: stars <= 2), media: random.chance(stars <= 2 ? 0.2 : 0.12)))
        }
    }
}
