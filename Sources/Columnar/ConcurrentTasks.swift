import Dispatch
import Synchronization

/// Runs numbered tasks on up to `threads` cores, each task exactly once, results in task
/// order: the work-sharing loop of the engine (segment blocks here, row slices and
/// entity ranges in `Detection.ParallelRows`; `LanePool` shares the tasks of long lanes
/// the same way). Workers take the next task from a shared atomic counter, so uneven
/// tasks still keep every core busy.
public enum ConcurrentTasks {
    /// `body(task)` for every task in `0..<count`; results in task order.
    public static func map<Result: Sendable>(
        count: Int, threads: Int, _ body: @Sendable (Int) -> Result
    ) -> [Result] {
        map(count: count, threads: threads, worker: {}) { task, _ in body(task) }
    }

    /// `body(task, &state)` for every task in `0..<count`, where `state` belongs to the
    /// worker running the task (made by `worker` once per worker: scratch memory that
    /// tasks reuse instead of allocating their own); results in task order.
    public static func map<Worker, Result: Sendable>(
        count: Int, threads: Int, worker: @Sendable () -> Worker, _ body: @Sendable (Int, inout Worker) -> Result
    ) -> [Result] {
        if threads <= 1 || count <= 1 {
            var state = worker()
            return (0..<count).map { body($0, &state) }
        }
        let results = ResultSlots<Result>(count: count)
        let next = TaskCounter()
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
            var state = worker()
            while true {
                let task = next.value.add(1, ordering: .relaxed).oldValue
                guard task < count else { return }
                results.store(body(task, &state), at: task)
            }
        }
        return results.values
    }
}

/// Where a reader's parallel tasks run: a fixed number of cores (`ConcurrentTasks`), or
/// one lane of a `LanePool`, whose cores change while it runs. Readers shape their work
/// for `threads` (how many parts a step is cut into); results never depend on which
/// thread runs a task.
public protocol TaskRunner: Sendable {
    /// The most cores that may run this runner's tasks at once.
    var threads: Int { get }
    /// How many of them could run its tasks now (at least 1): a reader shapes each step
    /// for it, so that work cut for cores that are busy elsewhere is not paid for.
    var availableThreads: Int { get }
    /// `body(task)` for every task in `0..<count`, each exactly once; results in task order.
    func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result]
}

extension ConcurrentTasks {
    /// Tasks on up to `threads` cores, shared from one counter (`ConcurrentTasks.map`).
    public struct Cores: TaskRunner {
        public let threads: Int
        public init(threads: Int) { self.threads = threads }
        public var availableThreads: Int { max(1, threads) }

        public func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
            ConcurrentTasks.map(count: count, threads: threads, body)
        }
    }
}

/// The next task to hand out, at a stable heap address shared by the workers.
private final class TaskCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// Write-once slots filled by concurrent workers, each slot by exactly one worker. The
/// slots live in memory the class owns: storing through an array's
/// `withUnsafeMutableBufferPointer` from several threads races on the array itself.
final class ResultSlots<Result>: @unchecked Sendable {
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
