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
        let next = TaskCounter()
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
            while true {
                let task = next.value.add(1, ordering: .relaxed).oldValue
                guard task < count else { return }
                results.store(body(task), at: task)
            }
        }
        return results.values
    }
}

/// The next task to hand out, at a stable heap address shared by the workers.
private final class TaskCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// Write-once slots filled by concurrent workers, each slot by exactly one worker. The
/// slots live in memory the class owns: storing through an array's
/// `withUnsafeMutableBufferPointer` from several threads races on the array itself.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    func store(_ value: Result, at index: Int) { slots[index] = value }
    var values: [Result] { slots.map { $0! } }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}

/// A raw pointer handed to concurrent workers that write disjoint ranges behind it.
struct SharedPointer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
}
