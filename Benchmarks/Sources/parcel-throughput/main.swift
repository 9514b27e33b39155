import Columnar
import Detection
import OrdersFixture
import Synth
#if canImport(Glibc)
import Glibc
#endif

// Throughput of the empty-parcel detector on a seeded synthetic logistics table held in
// memory (what `scan` has once an export is loaded): scan events per second for each
// thread count given, per wall-clock second and per CPU second (the per-core rate, which
// other jobs on a shared machine disturb far less), then each run's CPU and system seconds
// and minor faults. Run by scripts/parcel-throughput.sh.
//
//   parcel-throughput [EVENTS] [THREADS...] [waybill|time]   (defaults: 10000000 1 2, both row orders)

/// A reproducible export of `events` scan events: about 4.5 scans per waybill, one
/// order per waybill, rows of a few waybills out of time order, ids dense from 0. Each
/// shop ships through one outlet and its parcels start there (the `created` and `pickup`
/// scans are at the outlet's place, location id = outlet id), as a real shop's do; later
/// scans are at random places.
func syntheticExport(events: Int, seed: UInt64) -> Export {
    var random = SplitMix64(seed: seed)
    func next() -> UInt64 { random.next() }
    var export = Export()
    let waybills = events * 2 / 9, shops = 20_000, outlets = 2_000, items = 200_000, locations = 5_000
    export.dictionaries.accounts = IdDictionary(count: shops)
    export.dictionaries.items = IdDictionary(count: items)
    export.dictionaries.couriers = IdDictionary(count: outlets)
    export.dictionaries.waybills = IdDictionary(count: waybills)
    export.dictionaries.locations = IdDictionary(count: locations)
    var orders = OrdersTable()
    var scans = LogisticsTable()
    scans.waybill.reserveCapacity(events)
    for waybill in 0..<waybills {
        let paid = Int64(1_790_812_800) + Int64(next() % 5_000_000)
        let shop = UInt32(next() % UInt64(shops))
        orders.shop.append(shop)
        orders.item.append(UInt32(next() % UInt64(items)))
        orders.amountCents.append(Int64(500 + next() % 20_000))
        orders.paidAt.append(paid)
        let outlet = UInt32(shop) % UInt32(outlets)
        let count = events - scans.count < 9 && waybill == waybills - 1 ? events - scans.count : Int(3 + next() % 4)
        var at = paid + 3600
        let start = scans.count
        for scan in 0..<count {
            scans.waybill.append(UInt32(waybill))
            scans.order.append(UInt32(waybill))
            scans.courier.append(outlet)
            scans.event.append(UInt8(min(scan, 5)))
            scans.at.append(at)
            let place = UInt32(next() % UInt64(locations))
            scans.location.append(scan < 2 ? outlet : place)
            scans.weightGrams.append(scan == 1 ? Int32(next() % 3000) : Missing.count)
            at += Int64(600 + next() % 40_000)
        }
        if next() % 25 == 0, count > 2 { scans.at.swapAt(start, start + count - 1) }
        if scans.count >= events { break }
    }
    for column in [\OrdersTable.buyer, \.shipTo, \.device, \.ip, \.payment] {
        orders[keyPath: column] = Column([UInt32](repeating: 0, count: orders.shop.count))
    }
    orders.createdAt = orders.paidAt
    orders.confirmedAt = Column([Int64](repeating: Missing.time, count: orders.shop.count))
    orders.status = Column([UInt8](repeating: OrderStatus.completed.rawValue, count: orders.shop.count))
    export.dictionaries.orders = IdDictionary(count: orders.shop.count)
    export.orders = orders
    export.logistics = scans
    return export
}

extension IdDictionary {
    /// A dictionary of `count` ids "0", "1", ...
    init(count: Int) {
        self.init()
        for id in 0..<count { _ = intern(String(id)) }
    }
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
/// The row orders to measure: both unless one is named (for a profile of one).
let orders = Set(CommandLine.arguments.dropFirst().filter { Int($0) == nil })
let events = arguments.first ?? 10_000_000
let threadCounts = arguments.count > 1 ? Array(arguments.dropFirst()) : [1, 2]
/// The same export with its scan rows in time order, as a logistics system that logs
/// events as they happen writes them: every waybill's rows interleaved with others', so
/// the detector has to group them (an export written waybill by waybill is grouped already).
func inTimeOrder(_ export: Export) -> Export {
    var copy = export
    let scans = export.logistics
    copy.logistics = scans.reordered(scans.at.indices.sorted { (scans.at[$0], $0) < (scans.at[$1], $1) })
    return copy
}
let waybillByWaybill = syntheticExport(events: events, seed: 42)
let detector = EmptyParcelDetector()
let config = DetectionConfig(detectors: [detector])
let clock = ContinuousClock()
/// A digest of every signal value and evidence sample: equal digests for both row orders
/// and every thread count show the results are the same.
func outputFingerprint(_ output: DetectorOutput) -> UInt64 {
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ value: UInt64) { digest = (digest ^ value) &* 0x100_0000_01b3 }
    for signal in output.signals {
        for value in signal.values { mix(value.isNaN ? 1 : value.bitPattern) }
        for entity in signal.samples.keys.sorted() {
            mix(UInt64(entity))
            for sample in signal.samples[entity]! { (sample.kind.rawValue + sample.id).utf8.forEach { mix(UInt64($0)) } }
        }
    }
    return digest
}
func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
/// The process's system CPU seconds and minor page faults so far: a run's fresh memory
/// shows in both (faulting in and clearing pages the kernel hands it), and how much of it
/// the host must back anew is what makes one run of the same work cost more than another.
func systemUsage() -> (seconds: Double, faults: Int) {
    #if canImport(Glibc)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return (Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6, usage.ru_minflt)
    #else
    return (0, 0)
    #endif
}
let rowOrders = [("waybill", "waybill by waybill", { waybillByWaybill }), ("time", "in time order", { inTimeOrder(waybillByWaybill) })]
for (key, rows, export) in rowOrders where orders.isEmpty || orders.contains(key) {
    let export = export()
    for threads in threadCounts {
        var best = Double.infinity, bestCPU = Double.infinity
        var fingerprint: UInt64 = 0
        // Each run's CPU and system seconds and minor faults, in run order.
        var runs: [(cpu: Double, system: Double, faults: Int)] = []
        for _ in 0..<3 {
            let start = clock.now, startCPU = CPUTime.process, startSystem = systemUsage()
            let output = detector.measure(export, config: config, threads: threads)
            precondition(output.signals.count == detector.signals.count)
            fingerprint = outputFingerprint(output)
            let cpu = CPUTime.process - startCPU, end = systemUsage()
            best = min(best, (clock.now - start).seconds)
            bestCPU = min(bestCPU, cpu)
            runs.append((cpu, end.seconds - startSystem.seconds, end.faults - startSystem.faults))
        }
        let events = Double(export.logistics.count)
        print("empty parcels: \(export.logistics.count) scan events \(rows), \(threads) thread(s): best of 3 \(rounded(best, 1000)) s wall, "
            + "\(rounded(events / best / 1e6, 10)) M events/s; \(rounded(bestCPU, 1000)) CPU s, \(rounded(events / bestCPU / 1e6, 10)) M events per CPU second (per core); "
            + "runs' CPU s \(runs.map { String(rounded($0.cpu, 1000)) }.joined(separator: "/")) "
            + "(sys \(runs.map { String(rounded($0.system, 1000)) }.joined(separator: "/")), "
            + "minor faults \(runs.map { String($0.faults) }.joined(separator: "/"))); output \(String(fingerprint, radix: 16))")
    }
}
