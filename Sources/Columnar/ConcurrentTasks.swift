import Dispatch
import Synchronization

/// Runs numbered tasks on up to `threads` cores, each task exactly once, results in task
/// order: the one work-sharing loop of the engine (segment blocks here, row slices and
/// entity ranges in `Detection.ParallelRows`). Workers take the next task from a shared
/// atomic counter, so uneven tasks still keep every core busy.
public enum ConcurrentTasks {
    /// `body(task)` for every task in `0..<count`; results in task order.
    public static func map<Result: Sendable>(
        count: Int, threads: Int, _ body: @Sendable (Int) -> Result
    ) -> [Result] {
        if threads <= 1 || count <= 1 { return (0..<count).map(body) }
        let results = ResultSlots<Result>(count: count)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
            while true {
                let task = next.add(1, ordering: .relaxed).oldValue
                guard task < count else { return }
                results.store(body(task), at: task)
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

/// A raw pointer handed to concurrent workers that write disjoint ranges behind it.
struct SharedPointer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
}
