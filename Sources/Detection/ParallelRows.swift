import Dispatch

/// Runs a kernel over contiguous slices of a row range on several cores. Each slice's
/// result comes back in slice order, so a caller that combines them in that order gets
/// the same answer for any number of threads (integer accumulators combine exactly).
public enum ParallelRows {
    /// Below this many rows per slice, extra threads cost more than they save.
    public static let minimumRowsPerSlice = 32_768

    /// The slices `0..<count` is cut into for `threads` workers.
    public static func slices(count: Int, threads: Int) -> [Range<Int>] {
        let workers = max(1, min(threads, count / minimumRowsPerSlice))
        return (0..<workers).map { worker in
            (count * worker / workers)..<(count * (worker + 1) / workers)
        }
    }

    /// `body` applied to each slice of `0..<count`, concurrently; results in slice order.
    public static func map<Result: Sendable>(
        count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Result
    ) -> [Result] {
        let ranges = slices(count: count, threads: threads)
        if ranges.count == 1 { return [body(ranges[0])] }
        let results = ResultSlots<Result>(count: ranges.count)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            results.store(body(ranges[index]), at: index)
        }
        return results.values
    }

    /// `body` applied to each of `items` concurrently on up to `threads` cores; results
    /// in item order.
    public static func each<Item: Sendable, Result: Sendable>(
        _ items: [Item], threads: Int, _ body: @Sendable (Item) -> Result
    ) -> [Result] {
        if threads <= 1 || items.count <= 1 { return items.map(body) }
        let results = ResultSlots<Result>(count: items.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: min(threads, items.count)) { _ in
            while let index = next.take(below: items.count) {
                results.store(body(items[index]), at: index)
            }
        }
        return results.values
    }
}

/// Write-once slots filled by concurrent workers, each slot by exactly one worker.
private final class ResultSlots<Result>: @unchecked Sendable {
    private var slots: [Result?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ value: Result, at index: Int) {
        slots.withUnsafeMutableBufferPointer { $0[index] = value }
    }
    var values: [Result] { slots.map { $0! } }
}

/// A shared work counter handing out item indices to workers.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = DispatchSemaphore(value: 1)
    func take(below limit: Int) -> Int? {
        lock.wait()
        defer { lock.signal() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
