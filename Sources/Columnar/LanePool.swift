import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a few long jobs, lanes (files read one after another), on `threads` cores, and
/// lets a core without a lane, or whose lane has ended, run the tasks the lanes still
/// running hand out through their `Lane` (`TaskRunner.map`), so that the cores finish
/// together even when one lane is much longer than the others.
///
/// A lane's thread runs its own tasks too: with every core busy in a lane of its own,
/// each lane runs as on one core. A free core waits (spinning briefly, then asleep)
/// until a lane posts tasks; it takes them from the posted set's counter, and the lane
/// waits for those it took before its `map` returns. Which thread ran a task never
/// changes its result.
public final class LanePool: @unchecked Sendable {
    /// Runs `body(lane, runner)` for every lane in `0..<lanes` on up to `threads` cores;
    /// results in lane order. Lanes start in order, one per core; a core that finds no
    /// lane left helps the others until all have ended.
    public static func run<Result: Sendable>(
        lanes: Int, threads: Int, _ body: @Sendable (Int, Lane) -> Result
    ) -> [Result] {
        let pool = LanePool(lanes: lanes)
        let runner = Lane(pool: pool, threads: max(1, threads))
        if threads <= 1 || lanes == 0 { return (0..<lanes).map { body($0, runner) } }
        let results = ResultSlots<Result>(count: lanes)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let lane = next.add(1, ordering: .relaxed).oldValue
                guard lane < lanes else { break }
                results.store(body(lane, runner), at: lane)
                pool.endLane()
            }
            pool.help()
        }
        return results.values
    }

    /// A lane's door to the pool: its tasks run on its own thread and on the free cores.
    public struct Lane: TaskRunner {
        let pool: LanePool
        public let threads: Int

        /// The lane's own thread and the helpers idle for want of tasks.
        public var availableThreads: Int { min(threads, 1 + pool.idle.load(ordering: .relaxed)) }

        public func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
            if threads <= 1 || count <= 1 { return (0..<count).map(body) }
            return withoutActuallyEscaping(body) { body in
                let results = ResultSlots<Result>(count: count)
                let tasks = PostedTasks(count: count) { task in results.store(body(task), at: task) }
                pool.post(tasks)
                while tasks.runNext() {}
                pool.withdraw(tasks)
                tasks.waitForHelpers()
                return results.values
            }
        }
    }

    private let lanes: Int
    /// Guards `posted`, `endedLanes` and the sleeping helpers.
    private let lock: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    private let wake: UnsafeMutablePointer<pthread_cond_t> = .allocate(capacity: 1)
    private var posted: [PostedTasks] = []
    private var endedLanes = 0
    /// Helpers waiting for tasks, spinning or asleep, and those asleep (both changed
    /// under `lock`).
    private let idle = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    /// Task sets posted and lanes ended so far (changed under `lock`): what a spinning
    /// helper watches.
    private let events = Atomic<Int>(0)

    private init(lanes: Int) {
        self.lanes = lanes
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        wake.deallocate()
    }

    private func post(_ tasks: PostedTasks) {
        pthread_mutex_lock(lock)
        posted.append(tasks)
        events.add(1, ordering: .releasing)
        if sleepers.load(ordering: .relaxed) > 0 { pthread_cond_broadcast(wake) }
        pthread_mutex_unlock(lock)
    }

    private func withdraw(_ tasks: PostedTasks) {
        pthread_mutex_lock(lock)
        posted.removeAll { $0 === tasks }
        pthread_mutex_unlock(lock)
    }

    private func endLane() {
        pthread_mutex_lock(lock)
        endedLanes += 1
        events.add(1, ordering: .releasing)
        if sleepers.load(ordering: .relaxed) > 0 { pthread_cond_broadcast(wake) }
        pthread_mutex_unlock(lock)
    }

    /// Runs posted tasks until every lane has ended. With none posted it watches
    /// `events` for 50 µs (a lane posts its next step's tasks within that most of the
    /// time, and a sleeping helper costs the lane a wake-up call per post), then sleeps.
    private func help() {
        let clock = ContinuousClock()
        pthread_mutex_lock(lock)
        idle.add(1, ordering: .relaxed)
        while endedLanes < lanes {
            if let tasks = posted.first(where: \.hasMore) {
                idle.subtract(1, ordering: .relaxed)
                pthread_mutex_unlock(lock)
                while tasks.runNext() {}
                pthread_mutex_lock(lock)
                idle.add(1, ordering: .relaxed)
                continue
            }
            let seen = events.load(ordering: .relaxed)
            pthread_mutex_unlock(lock)
            let until = clock.now.advanced(by: .microseconds(50))
            while events.load(ordering: .acquiring) == seen && clock.now < until {}
            pthread_mutex_lock(lock)
            if events.load(ordering: .relaxed) == seen {
                sleepers.add(1, ordering: .relaxed)
                pthread_cond_wait(wake, lock)
                sleepers.subtract(1, ordering: .relaxed)
            }
        }
        idle.subtract(1, ordering: .relaxed)
        pthread_mutex_unlock(lock)
    }
}

/// One `map` call's tasks as a lane posts them: the next task to hand out and how many
/// have finished, shared by the lane's thread and the helpers.
private final class PostedTasks: @unchecked Sendable {
    private let count: Int
    private let next = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Cleared before the posting `map` returns (the closure must not outlive it).
    private var body: ((Int) -> Void)?

    init(count: Int, body: @escaping (Int) -> Void) {
        self.count = count
        self.body = body
    }

    var hasMore: Bool { next.load(ordering: .relaxed) < count }

    /// Takes and runs the next task; false when none was left.
    func runNext() -> Bool {
        let task = next.add(1, ordering: .relaxed).oldValue
        guard task < count else { return false }
        run(task)
        finished.add(1, ordering: .releasing)
        return true
    }

    /// Not inlined, so that the reference to `body` is released before the task counts
    /// as finished.
    @inline(never)
    private func run(_ task: Int) { body!(task) }

    /// Waits until the tasks helpers took have finished (at most one task each), then
    /// lets go of the body.
    func waitForHelpers() {
        while finished.load(ordering: .acquiring) < count { sched_yield() }
        body = nil
    }
}
