import Columnar
import Testing

@testable import Detection

@Suite struct WaybillTrajectoryTests {
    /// A random scan table: waybills of 1 to 8 scans (many of one), some shipping
    /// several orders, rows shuffled out of time order, missing orders, locations and
    /// weights, and a few equal times.
    static func randomScans(seed: Int) -> (LogisticsTable, paidAt: [Int64], waybillCount: Int) {
        var random = SplitMix(seed: UInt64(seed))
        let waybillCount = Int(random.next() % 40) + 1, orderCount = 30, locationCount = 4
        var table = LogisticsTable()
        for waybill in 0..<waybillCount {
            let scans = random.next() % 3 == 0 ? 1 : Int(random.next() % 8) + 1
            let orders = (0..<(random.next() % 4 == 0 ? 2 : 1)).map { _ in UInt32(random.next() % UInt64(orderCount)) }
            for _ in 0..<scans {
                table.waybill.append(UInt32(waybill))
                table.order.append(random.next() % 10 == 0 ? IdDictionary.absent : orders[Int(random.next() % UInt64(orders.count))])
                table.courier.append(UInt32(waybill % 3))
                table.event.append(UInt8(random.next() % 6))
                table.at.append(Int64(random.next() % 40) * 300)
                table.location.append(random.next() % 5 == 0 ? IdDictionary.absent : UInt32(random.next() % UInt64(locationCount)))
                table.weightGrams.append(random.next() % 3 == 0 ? Int32(random.next() % 900) : Missing.count)
            }
        }
        var shuffled = LogisticsTable()
        for row in (0..<table.count).shuffled(using: &random) {
            shuffled.waybill.append(table.waybill[row])
            shuffled.order.append(table.order[row])
            shuffled.courier.append(table.courier[row])
            shuffled.event.append(table.event[row])
            shuffled.at.append(table.at[row])
            shuffled.location.append(table.location[row])
            shuffled.weightGrams.append(table.weightGrams[row])
        }
        let paidAt = (0..<orderCount).map { _ in random.next() % 6 == 0 ? Missing.time : Int64(random.next() % 40) * 300 }
        return (shuffled, paidAt, waybillCount)
    }

    /// Plain reference: the waybill's rows sorted by (time, row), each feature computed
    /// on its own by the definition in `WaybillTrajectory`.
    static func reference(_ table: LogisticsTable, paidAt: [Int64], waybill: Int, rules: TrajectoryRules) -> WaybillTrajectory {
        let rows = (0..<table.count).filter { table.waybill[$0] == UInt32(waybill) }
            .sorted { (table.at[$0], $0) < (table.at[$1], $1) }
        var expected = WaybillTrajectory()
        guard !rows.isEmpty else { return expected }
        func events(_ wanted: ScanEvent...) -> [Int] { rows.filter { wanted.map(\.rawValue).contains(table.event[$0]) } }
        expected.scans = UInt32(rows.count)
        expected.courier = table.courier[rows[0]]
        let named = rows.map { table.order[$0] }.filter { $0 != IdDictionary.absent }
        expected.orders = UInt32(Set(named).count)
        expected.order = named.first ?? IdDictionary.absent
        expected.startAt = events(.created, .pickup).first.map { table.at[$0] } ?? Missing.time
        let signed = events(.signed).first
        expected.signedAt = signed.map { table.at[$0] } ?? Missing.time
        expected.grams = rows.map { table.weightGrams[$0] }.first { $0 >= 0 } ?? Missing.count
        if !events(.transit).isEmpty { expected.flags.insert(.transit) }
        let terminal = !events(.signed, .returned).isEmpty
        if terminal { expected.flags.insert(.terminal) }
        if let pickup = events(.pickup).first, expected.order != IdDictionary.absent,
            paidAt[Int(expected.order)] != Missing.time, table.at[pickup] < paidAt[Int(expected.order)]
        {
            expected.flags.insert(.pickupBeforePayment)
        }
        let located = rows.filter { table.location[$0] != IdDictionary.absent }
        if Set(located.map { table.location[$0] }).count > 1 { expected.flags.insert(.moved) }
        for (a, b) in zip(located, located.dropFirst())
        where table.location[a] != table.location[b] && table.at[b] - table.at[a] < rules.minimumHopSeconds {
            expected.flags.insert(.impossibleHop)
        }
        if let signed, let first = located.first, table.location[signed] != IdDictionary.absent,
            table.location[signed] == table.location[first]
        {
            expected.flags.insert(.signedWhereIssued)
        }
        if !terminal && table.at[rows.last!] < rules.stalledBefore { expected.flags.insert(.stalled) }
        return expected
    }

    @Test(arguments: 0..<60) func kernelMatchesReference(seed: Int) {
        let (table, paidAt, waybillCount) = Self.randomScans(seed: seed)
        let rules = TrajectoryRules(minimumHopSeconds: 900, stalledBefore: 6000)
        let groups = EntityGroups(keys: table.waybill, entityCount: waybillCount + 1, orderedBy: table.at)
        for threads in [1, 2] {
            let traced = WaybillTrajectory.trace(table, paidAt: paidAt, waybills: groups, rules: rules, threads: threads)
            #expect(traced.count == waybillCount + 1)
            for waybill in 0...waybillCount {
                #expect(traced[waybill] == Self.reference(table, paidAt: paidAt, waybill: waybill, rules: rules),
                        "waybill \(waybill), seed \(seed), threads \(threads)")
            }
        }
    }

    @Test func singleScanWaybill() {
        var table = LogisticsTable()
        table.waybill = [0]; table.order = [0]; table.courier = [2]; table.event = [ScanEvent.signed.rawValue]
        table.at = [500]; table.location = [7]; table.weightGrams = [Missing.count]
        let groups = EntityGroups(keys: table.waybill, entityCount: 1, orderedBy: table.at)
        let trajectory = WaybillTrajectory.trace(
            table, paidAt: [100], waybills: groups, rules: TrajectoryRules(minimumHopSeconds: 600, stalledBefore: 0),
            threads: 1)[0]
        #expect(trajectory.scans == 1 && trajectory.orders == 1 && trajectory.courier == 2)
        #expect(trajectory.secondsToSigned == nil)
        #expect(trajectory.flags == [.terminal, .signedWhereIssued])
    }
}
