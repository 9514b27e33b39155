import Columnar
import Dispatch

/// What a finished `generate` run wrote: row counts and the record of injected fraud.
public struct GenerationSummary: Sendable {
    public var orders = 0
    public var ratings = 0
    public var scans = 0
    public var accounts = 0
    public var labels: [Label] = []
    public var record = InjectionRecord()
}

/// Writes a synthetic export (orders, ratings, logistics, accounts and labels) for a
/// configuration. Shops are cut into partitions generated in parallel from their own
/// random streams and written in partition order, so the bytes depend only on the seed.
public enum Generator {
    /// Generates the export of `config` into `folder`; after each batch of partitions,
    /// `progress` gets the share of the planned orders generated so far (0 to 1).
    public static func generate(
        _ config: GeneratorConfig, into folder: String, progress: (Double) -> Void = { _ in }
    ) throws -> GenerationSummary {
        let world = World(config: config)
        var summary = GenerationSummary()
        let files = try EventFiles(folder: folder, compress: config.compress)
        let partitions = partition(world)
        // Three partitions per core and round, so one huge shop does not leave a core idle.
        let parallel = 3 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var next = 0, plannedDone = 0
        let planned = partitions.reduce(0) { $0 + $1.1 }
        var pending: [PartitionOutput] = []
        // Each round generates the next batch of partitions while one more worker writes the
        // previous batch, so compression and writing overlap with generation.
        while next < partitions.count || !pending.isEmpty {
            let batch = Array(partitions[next..<min(partitions.count, next + parallel)])
            let outputs = PartitionSlots(count: batch.count)
            let writing = pending
            let first = next
            DispatchQueue.concurrentPerform(iterations: batch.count + (writing.isEmpty ? 0 : 1)) { slot in
                guard slot < batch.count else { return outputs.attempt { try files.write(writing) } }
                let (shops, expected) = batch[slot]
                outputs.store(slot, Partition.run(world: world, index: first + slot, shops: shops, expectedOrders: expected))
            }
            try outputs.rethrow()
            for output in writing {
                summary.orders += output.orders.rows
                summary.ratings += output.ratings.rows
                summary.scans += output.logistics.rows
                summary.record.append(output.record)
            }
            pending = outputs.taken()
            next += batch.count
            if !batch.isEmpty {
                plannedDone += batch.reduce(0) { $0 + $1.1 }
                progress(Double(plannedDone) / Double(max(1, planned)))
            }
        }
        try files.close()
        summary.accounts = try writeAccounts(world, folder: folder)
        summary.labels = summary.record.labels
        try writeLabels(summary.labels, folder: folder, compress: config.compress)
        return summary
    }

    /// Contiguous shop ranges of about `partitionOrders` planned orders each.
    static func partition(_ world: World) -> [(Range<Int>, Int)] {
        var result: [(Range<Int>, Int)] = []
        var first = 0, planned = 0
        for shop in world.shops.indices {
            planned += world.shops[shop].honestOrders + 1
            for ring in world.plan.ringsAtShop[shop] { planned += world.plan.rings[ring].fakeOrders.max() ?? 0 }
            if planned >= world.config.partitionOrders || shop == world.shops.count - 1 {
                result.append((first..<(shop + 1), planned))
                first = shop + 1
                planned = 0
            }
        }
        return result
    }

    static func writeAccounts(_ world: World, folder: String) throws -> Int {
        let file = try ExportFile(folder: folder, name: "accounts", compress: world.config.compress)
        var random = Xoshiro256(seed: world.config.seed, stream: 2)
        var rows = CSVBuffer(capacity: 1 << 22)
        rows.text("account_id,kind,registered_at,region,credit_code\n")
        for (index, buyer) in world.buyers.enumerated() {
            rows.id(.buyers, index)
            rows.text(",buyer,")
            rows.timestamp(buyer.registeredAt, style: TimeStyle.draw(&random, mixed: world.config.mixedFormats))
            rows.comma()
            rows.decimal(Catalog.cities[buyer.city])
            rows.text(",\n")
            if rows.count > 1 << 22 {
                try file.write(rows)
                rows.removeAll()
            }
        }
        for (index, shop) in world.shops.enumerated() {
            rows.id(.shops, index)
            rows.text(",shop,")
            rows.timestamp(shop.registeredAt, style: TimeStyle.draw(&random, mixed: world.config.mixedFormats))
            rows.comma()
            rows.decimal(Catalog.cities[shop.city])
            rows.comma()
            rows.text(shop.creditCode)
            rows.endRow()
        }
        try file.write(rows)
        try file.close()
        return world.buyers.count + world.shops.count
    }

    static func writeLabels(_ labels: [Label], folder: String, compress: Bool) throws {
        let file = try ExportFile(folder: folder, name: "labels", compress: compress)
        var rows = CSVBuffer(capacity: 64 * (labels.count + 1))
        rows.text("entity_kind,entity_id,category\n")
        for label in labels { rows.text(Array("\(label.kind.rawValue),\(label.id),\(label.category.rawValue)\n".utf8)) }
        try file.write(rows)
        try file.close()
    }

    static func header(_ text: StaticString) -> CSVBuffer {
        var buffer = CSVBuffer(capacity: text.utf8CodeUnitCount)
        buffer.text(text)
        return buffer
    }
}

/// The three event files, written partition after partition by one writer at a time.
private final class EventFiles: @unchecked Sendable {
    let orders: ExportFile, ratings: ExportFile, logistics: ExportFile

    init(folder: String, compress: Bool) throws {
        orders = try ExportFile(folder: folder, name: "orders", compress: compress)
        ratings = try ExportFile(folder: folder, name: "ratings", compress: compress)
        logistics = try ExportFile(folder: folder, name: "logistics", compress: compress)
        try orders.write(Generator.header(Partition.ordersHeader))
        try ratings.write(Generator.header(Partition.ratingsHeader))
        try logistics.write(Generator.header(Partition.logisticsHeader))
    }

    func write(_ outputs: [PartitionOutput]) throws {
        for output in outputs {
            try orders.write(output.orders)
            try ratings.write(output.ratings)
            try logistics.write(output.logistics)
        }
    }

    func close() throws {
        try orders.close()
        try ratings.close()
        try logistics.close()
    }
}

/// Result slots the parallel partitions fill, one each, and the writer's error if any;
/// read only after all workers have finished.
private final class PartitionSlots: @unchecked Sendable {
    private var slots: [PartitionOutput?]
    private var failure: (any Error)?
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ slot: Int, _ output: PartitionOutput) {
        lock.wait()
        slots[slot] = output
        lock.signal()
    }

    func attempt(_ work: () throws -> Void) {
        do { try work() } catch {
            lock.wait()
            failure = error
            lock.signal()
        }
    }

    func rethrow() throws { if let failure { throw failure } }

    func taken() -> [PartitionOutput] { slots.map { $0! } }
}

#if canImport(Glibc)
import Glibc
#endif
