import Columnar

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
        return ConcurrentTasks.map(count: ranges.count, threads: ranges.count) { body(ranges[$0]) }
    }
}
