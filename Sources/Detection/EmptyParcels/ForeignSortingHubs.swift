import Columnar

/// Waybills an outlet issued to one client shop whose route begins at another city's
/// sorting hub, beyond chance. A parcel handed in at a counter is taken to its own city's
/// sorting hub first. A waybill sold for an empty parcel has nothing to carry there: the
/// tracking history that makes it look shipped is copied from a real parcel that started
/// elsewhere, or faked along the buyer's route, so its first hub is another area's
/// (`ParcelOrigins.FirstHub.otherArea`) however plausible its weight, times and signing.
/// Honest parcels show it too, rarely (a lost hub scan, a neighbouring city's hub), at a
/// rate that varies with geography; the surprise is the beta-binomial tail of a pair's
/// count at the export's rate, so that such variation between outlets is expected.
///
/// Judged per (outlet, shop) pair: a seller's waybills are a few clients' among the
/// honest parcels of its own city (cover), and a client's bought waybills a part of its
/// real ones; the pair is where they are not diluted. It reads `ParcelOrigins`' judged
/// waybills (a shop, a start place with an area), already grouped by shop, so it makes
/// no grouping of its own.
struct ForeignSortingHubs {
    /// Per outlet: the largest pair surprise over its client shops; `.nan` for an outlet
    /// with no waybill whose first hub could be compared.
    var outletSurprise: [Double]
    /// Per shop: the largest pair surprise over its outlets; `.nan` as above.
    var shopSurprise: [Double]

    /// From each shop's judged waybills (`ParcelOrigins`' grouping by shop: start place,
    /// outlet, first hub); `correlation` is the beta-binomial's intra-class correlation,
    /// how much the share varies between honest pairs. Waybills whose first hub cannot be
    /// compared (`.unknown`) are left out, as are outlets at or above `outletCount`.
    init(shops: ValueGroups<ParcelOrigins.ShopWaybill>, outletCount: Int, correlation: Double) {
        let shopCount = shops.offsets.count - 1
        let unknown = ParcelOrigins.FirstHub.unknown, other = ParcelOrigins.FirstHub.otherArea
        // Per shop and outlet: compared waybills and, per shop, those beginning at another
        // area's hub.
        var shopCompared = [Int](repeating: 0, count: shopCount), shopForeign = shopCompared
        var outletCompared = [Int](repeating: 0, count: outletCount)
        var compared = 0, foreign = 0
        shops.values.withUnsafeBufferPointer { values in
            for shop in 0..<shopCount {
                var shopTotal = 0, shopOther = 0
                for waybill in values[shops.offsets[shop]..<shops.offsets[shop + 1]] {
                    let outlet = Int(waybill.outlet)
                    guard waybill.firstHub != unknown, outlet < outletCount else { continue }
                    shopTotal &+= 1
                    shopOther &+= waybill.firstHub == other ? 1 : 0
                    outletCompared[outlet] &+= 1
                }
                shopCompared[shop] = shopTotal
                shopForeign[shop] = shopOther
                compared &+= shopTotal
                foreign &+= shopOther
            }
        }
        var outletSurprise = outletCompared.map { $0 > 0 ? 0.0 : .nan }
        var shopSurprise = shopCompared.map { $0 > 0 ? 0.0 : .nan }
        // Shops with a foreign first hub: their waybills counted per outlet in dense
        // counters reset through the outlets touched.
        if foreign > 0 {
            let share = Double(foreign) / Double(compared)
            var pairCompared = [Int](repeating: 0, count: outletCount), pairForeign = pairCompared
            var touched: [UInt32] = []
            // Pairs' counts repeat: each (count, waybills) tail is computed once, a small
            // pair's kept in a table (`.nan` until then), a larger one's in a dictionary.
            // The tail costs a thousand instructions (seven log-gamma calls and a sum) to
            // several thousand (a pair of a hundred waybills well above the share sums
            // some fifty terms).
            let small = Self.smallPairs
            var smallSurprise = [Double](repeating: .nan, count: small * small)
            var largeSurprise: [UInt64: Double] = [:]
            func surprise(count: Int, trials: Int) -> Double {
                func tail() -> Double {
                    Chance.betaBinomialSurprise(count: count, trials: trials, share: share, correlation: correlation)
                }
                guard trials < small else {
                    let key = UInt64(trials) << 32 | UInt64(count)
                    if let known = largeSurprise[key] { return known }
                    let surprise = tail()
                    largeSurprise[key] = surprise
                    return surprise
                }
                let slot = trials &* small &+ count
                if smallSurprise[slot].isNaN { smallSurprise[slot] = tail() }
                return smallSurprise[slot]
            }
            shops.values.withUnsafeBufferPointer { values in
                for shop in 0..<shopCount where shopForeign[shop] > 0 {
                    for waybill in values[shops.offsets[shop]..<shops.offsets[shop + 1]] {
                        let outlet = Int(waybill.outlet)
                        guard waybill.firstHub != unknown, outlet < outletCount else { continue }
                        if pairCompared[outlet] == 0 { touched.append(waybill.outlet) }
                        pairCompared[outlet] &+= 1
                        pairForeign[outlet] &+= waybill.firstHub == other ? 1 : 0
                    }
                    for outlet in touched {
                        let outlet = Int(outlet)
                        let surprise = surprise(count: pairForeign[outlet], trials: pairCompared[outlet])
                        outletSurprise[outlet] = max(outletSurprise[outlet], surprise)
                        shopSurprise[shop] = max(shopSurprise[shop], surprise)
                        pairCompared[outlet] = 0
                        pairForeign[outlet] = 0
                    }
                    touched.removeAll(keepingCapacity: true)
                }
            }
        }
        self.outletSurprise = outletSurprise
        self.shopSurprise = shopSurprise
    }

    /// Pairs with fewer waybills than this have their tail kept by (count, waybills).
    static let smallPairs = 64
}
