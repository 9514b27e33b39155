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
    public static func generate(_ config: GeneratorConfig, into folder: String) throws -> GenerationSummary {
        let world = World(config: config)
        var summary = GenerationSummary()
        let orders = try ExportFile(folder: folder, name: "orders", compress: config.compress)
        let ratings = try ExportFile(folder: folder, name: "ratings", compress: config.compress)
        let logistics = try ExportFile(folder: folder, name: "logistics", compress: config.compress)
        try orders.write(bytes(Partition.ordersHeader))
        try ratings.write(bytes(Partition.ratingsHeader))
        try logistics.write(bytes(Partition.logisticsHeader))

        let partitions = partition(world)
        let parallel = max(1, ProcessInfoLite.cores)
        var next = 0
        while next < partitions.count {
            let batch = Array(partitions[next..<min(partitions.count, next + parallel)])
            let outputs = PartitionSlots(count: batch.count)
            let first = next
            DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                let (shops, expected) = batch[slot]
                outputs.store(slot, Partition.run(world: world, index: first + slot, shops: shops, expectedOrders: expected))
            }
            for output in outputs.taken() {
                try orders.write(output.orders.bytes)
                try ratings.write(output.ratings.bytes)
                try logistics.write(output.logistics.bytes)
                summary.orders += output.orders.bytes.lineCount
                summary.ratings += output.ratings.bytes.lineCount
                summary.scans += output.logistics.bytes.lineCount
                summary.record.append(output.record)
            }
            next += batch.count
        }
        try orders.close()
        try ratings.close()
        try logistics.close()
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
                try file.write(rows.bytes)
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
        try file.write(rows.bytes)
        try file.close()
        return world.buyers.count + world.shops.count
    }

    static func writeLabels(_ labels: [Label], folder: String, compress: Bool) throws {
        let file = try ExportFile(folder: folder, name: "labels", compress: compress)
        var text = "entity_kind,entity_id,category\n"
        for label in labels { text += "\(label.kind.rawValue),\(label.id),\(label.category.rawValue)\n" }
        try file.write(Array(text.utf8))
        try file.close()
    }

    static func bytes(_ text: StaticString) -> [UInt8] { text.withUTF8Buffer { Array($0) } }
}

/// Result slots the parallel partitions fill, one each; read only after all have finished.
private final class PartitionSlots: @unchecked Sendable {
    private var slots: [PartitionOutput?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ slot: Int, _ output: PartitionOutput) {
        lock.wait()
        slots[slot] = output
        lock.signal()
    }

    func taken() -> [PartitionOutput] { slots.map { $0! } }
}

/// The number of cores to generate on.
enum ProcessInfoLite {
    static var cores: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

extension Array where Element == UInt8 {
    var lineCount: Int {
        withUnsafeBufferPointer { buffer in
            var count = 0
            for byte in buffer where byte == 10 { count += 1 }
            return count
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
