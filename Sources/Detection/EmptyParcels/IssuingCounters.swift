import Columnar

/// Where a shop's parcels from one outlet end. A real parcel travels to its buyer, so a
/// shop's parcels are signed at the counter that issued them only for the few buyers
/// who live by it; a waybill sold for an empty parcel is "signed" at the counter that
/// printed it, whatever scans were added on the way. So an (outlet, shop) pair whose
/// waybills are nearly all signed where they were issued, while the shop's other
/// waybills travel, is a counter selling waybills to that shop. The contrast with the
/// shop's other parcels keeps a shop whose buyers all collect at its own counter out.
enum IssuingCounters {
    /// Adds `.signedAtCounter` to the tells of each waybill signed where it was issued
    /// whose (outlet, shop) pair has at least `minimumWaybills` waybills signed where
    /// issued and at least `share` of its waybills so, while fewer than `otherShare` of the
    /// shop's other waybills (at least `minimumWaybills`) are.
    static func markSignedAtCounter(
        _ tells: inout [ParcelTells], trajectories: [WaybillTrajectory], shopOfWaybill: [UInt32], shopCount: Int,
        outletCount: Int, minimumWaybills: Int, share: Double, otherShare: Double
    ) {
        let minimum = max(1, minimumWaybills)
        func atCounter(_ trajectory: WaybillTrajectory) -> Bool { trajectory.flags.contains(.signedWhereIssued) }
        // Candidate pairs: enough waybills signed where issued, as sorted (outlet, shop) keys.
        var keys: [UInt64] = []
        var shopWaybills = [UInt32](repeating: 0, count: shopCount)
        var shopAtCounter = shopWaybills
        precondition(shopOfWaybill.count >= trajectories.count)
        trajectories.withUnsafeBufferPointer { trajectories in
            shopOfWaybill.withUnsafeBufferPointer { shopOfWaybill in
                shopWaybills.withUnsafeMutableBufferPointer { shopWaybills in
                    shopAtCounter.withUnsafeMutableBufferPointer { shopAtCounter in
                        for waybill in trajectories.indices {
                            let shop = Int(shopOfWaybill[waybill]), outlet = Int(trajectories[waybill].courier)
                            guard shop < shopCount else { continue }
                            shopWaybills[shop] &+= 1
                            guard atCounter(trajectories[waybill]) else { continue }
                            shopAtCounter[shop] &+= 1
                            if outlet < outletCount { keys.append(UInt64(outlet) << 32 | UInt64(shop)) }
                        }
                    }
                }
            }
        }
        keys.sort()
        var candidates: [(key: UInt64, atCounter: Int)] = []
        var start = 0
        while start < keys.count {
            var end = start
            while end < keys.count && keys[end] == keys[start] { end += 1 }
            if end - start >= minimum { candidates.append((keys[start], end - start)) }
            start = end
        }
        guard !candidates.isEmpty else { return }
        // All waybills of each candidate pair: candidates are sorted by outlet, so each
        // outlet's candidates are one range, searched by shop.
        var firstCandidate = [Int](repeating: candidates.count, count: outletCount + 1)
        for index in candidates.indices.reversed() { firstCandidate[Int(candidates[index].key >> 32)] = index }
        for outlet in (0..<outletCount).reversed() { firstCandidate[outlet] = min(firstCandidate[outlet], firstCandidate[outlet + 1]) }
        func candidate(outlet: Int, shop: Int) -> Int? {
            let key = UInt64(outlet) << 32 | UInt64(shop)
            var index = firstCandidate[outlet]
            while index < candidates.count && candidates[index].key < key { index += 1 }
            return index < candidates.count && candidates[index].key == key ? index : nil
        }
        var pairWaybills = [Int](repeating: 0, count: candidates.count)
        for waybill in trajectories.indices {
            let shop = Int(shopOfWaybill[waybill]), outlet = Int(trajectories[waybill].courier)
            guard shop < shopCount, outlet < outletCount, firstCandidate[outlet] < firstCandidate[outlet + 1] else { continue }
            if let index = candidate(outlet: outlet, shop: shop) { pairWaybills[index] += 1 }
        }
        let selling = candidates.indices.map { index -> Bool in
            let shop = Int(candidates[index].key & 0xFFFF_FFFF)
            let waybills = pairWaybills[index], signed = candidates[index].atCounter
            let otherWaybills = Int(shopWaybills[shop]) - waybills, otherSigned = Int(shopAtCounter[shop]) - signed
            return Double(signed) >= share * Double(waybills) && otherWaybills >= minimum
                && Double(otherSigned) < otherShare * Double(otherWaybills)
        }
        guard selling.contains(true) else { return }
        for waybill in trajectories.indices where atCounter(trajectories[waybill]) {
            let shop = Int(shopOfWaybill[waybill]), outlet = Int(trajectories[waybill].courier)
            guard shop < shopCount, outlet < outletCount, let index = candidate(outlet: outlet, shop: shop), selling[index] else { continue }
            tells[waybill].insert(.signedAtCounter)
        }
    }
}
