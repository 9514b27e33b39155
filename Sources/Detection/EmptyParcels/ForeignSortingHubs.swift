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
/// real ones; the pair is where they are not diluted.
struct ForeignSortingHubs {
    /// Per outlet: the largest pair surprise over its client shops; `.nan` for an outlet
    /// with no waybill whose first hub could be compared.
    var outletSurprise: [Double]
    /// Per shop: the largest pair surprise over its outlets; `.nan` as above.
    var shopSurprise: [Double]

    /// From each waybill's `FirstHub` (`firstHubs`), its shop and its issuing outlet
    /// (absent: none); `correlation` is the beta-binomial's intra-class correlation, how
    /// much the share varies between honest pairs.
    init(
        firstHubs: [ParcelOrigins.FirstHub], shopOfWaybill: [UInt32], outletOf: [UInt32], shopCount: Int, outletCount: Int,
        correlation: Double
    ) {
        let rows = min(firstHubs.count, shopOfWaybill.count, outletOf.count)
        let unknown = ParcelOrigins.FirstHub.unknown.rawValue, other = ParcelOrigins.FirstHub.otherArea.rawValue
        // Per shop and outlet: compared waybills and, per shop, those starting at another
        // area's hub.
        var shopCompared = [Int](repeating: 0, count: shopCount), shopForeign = shopCompared
        var outletCompared = [Int](repeating: 0, count: outletCount)
        var compared = 0, foreign = 0
        firstHubs.withUnsafeBytes { hubs in
            shopOfWaybill.withUnsafeBufferPointer { shopOf in
                outletOf.withUnsafeBufferPointer { outletOf in
                    shopCompared.withUnsafeMutableBufferPointer { shopCompared in
                        shopForeign.withUnsafeMutableBufferPointer { shopForeign in
                            outletCompared.withUnsafeMutableBufferPointer { outletCompared in
                                for row in 0..<rows where hubs[row] != unknown {
                                    let isForeign = hubs[row] == other ? 1 : 0
                                    compared &+= 1
                                    foreign &+= isForeign
                                    let shop = Int(shopOf[row]), outlet = Int(outletOf[row])
                                    if shop < shopCount {
                                        shopCompared[shop] &+= 1
                                        shopForeign[shop] &+= isForeign
                                    }
                                    if outlet < outletCount { outletCompared[outlet] &+= 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        var outletSurprise = outletCompared.map { $0 > 0 ? 0.0 : .nan }
        var shopSurprise = shopCompared.map { $0 > 0 ? 0.0 : .nan }
        // Pairs with a foreign first hub: only shops with one are grouped (each waybill's
        // outlet and foreign bit in one value), each shop's waybills counted per outlet in
        // dense counters reset through the outlets touched.
        if foreign > 0 {
            let share = Double(foreign) / Double(compared)
            let groups = firstHubs.withUnsafeBytes { hubs in
                shopOfWaybill.withUnsafeBufferPointer { shopOf in
                    outletOf.withUnsafeBufferPointer { outletOf in
                        shopForeign.withUnsafeBufferPointer { shopForeign in
                            ValueGroups(
                                rows: rows, groups: shopCount,
                                key: { row in
                                    let shop = shopOf[row]
                                    return hubs[row] != unknown && Int(shop) < shopCount && shopForeign[Int(shop)] > 0
                                        && Int(outletOf[row]) < outletCount ? shop : IdDictionary.absent
                                },
                                value: { row in outletOf[row] << 1 | (hubs[row] == other ? 1 : 0) })
                        }
                    }
                }
            }
            var pairCompared = [Int](repeating: 0, count: outletCount), pairForeign = pairCompared
            var touched: [UInt32] = []
            // Most pairs are small and their counts repeat: each small pair's tail is
            // computed once (`.nan` until then); the tail costs about a thousand
            // instructions (seven log-gamma calls and a sum).
            let small = Self.smallPairs
            var smallSurprise = [Double](repeating: .nan, count: small * small)
            func surprise(count: Int, trials: Int) -> Double {
                guard trials < small else {
                    return PraiseRates.betaBinomialSurprise(count: count, trials: trials, share: share, correlation: correlation)
                }
                let slot = trials &* small &+ count
                if smallSurprise[slot].isNaN {
                    smallSurprise[slot] = PraiseRates.betaBinomialSurprise(
                        count: count, trials: trials, share: share, correlation: correlation)
                }
                return smallSurprise[slot]
            }
            groups.values.withUnsafeBufferPointer { values in
                for shop in 0..<shopCount where groups.offsets[shop] < groups.offsets[shop + 1] {
                    for value in values[groups.offsets[shop]..<groups.offsets[shop + 1]] {
                        let outlet = Int(value >> 1)
                        if pairCompared[outlet] == 0 { touched.append(UInt32(outlet)) }
                        pairCompared[outlet] &+= 1
                        pairForeign[outlet] &+= Int(value & 1)
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
