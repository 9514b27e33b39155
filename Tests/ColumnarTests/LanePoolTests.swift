import Columnar
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Lanes on a `LanePool` against running them one after another: every lane once, every
/// task of every `map` once, results in order, whatever the lanes, cores and lengths;
/// and a core whose lane has ended does run the tasks of a lane still running.
@Suite struct LanePoolTests {
    /// Lane `lane`'s work: `maps` calls of `map` with a few tasks each, the results
    /// folded in order (task `t` of call `c` gives `lane * 10_000 + c * 10 + t`).
    static func laneWork(_ lane: Int, maps: Int, runner: some TaskRunner) -> [Int] {
        (0..<maps).flatMap { call in
            runner.map(count: 1 + (lane + call) % 4) { task in lane * 10_000 + call * 10 + task }
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func lanesGiveWhatOneCoreGives(threads: Int) {
        for lanes in 0...4 {
            let lengths = (0..<lanes).map { [3, 200, 0, 41][$0] }
            let expected = (0..<lanes).map { Self.laneWork($0, maps: lengths[$0], runner: ConcurrentTasks.Cores(threads: 1)) }
            let pooled = LanePool.run(lanes: lanes, threads: threads) { lane, runner in
                #expect(runner.threads == max(1, threads))
                return Self.laneWork(lane, maps: lengths[lane], runner: runner)
            }
            #expect(pooled == expected, "\(lanes) lanes on \(threads) threads")
        }
    }

    /// Lane 0 ends as soon as lane 1 has started, and lane 1's tasks sleep, so the core
    /// that ran lane 0 takes some of them. When the dispatch pool gives a run one thread
    /// at a time (other tests hold the rest), lane 0 gives up waiting, both lanes run on
    /// that thread and the run cannot tell; such runs are not judged.
    @Test func aCoreWhoseLaneEndedRunsTheOthersTasks() {
        var judged = 0, helped = 0
        for _ in 0..<5 {
            let laneThreads = Mutex<[Int: UInt]>([:]), taskThreads = Mutex<Set<UInt>>([])
            _ = LanePool.run(lanes: 2, threads: 2) { lane, runner in
                laneThreads.withLock { $0[lane] = UInt(pthread_self()) }
                guard lane == 1 else {
                    for _ in 0..<1000 where laneThreads.withLock({ $0[1] == nil }) { usleep(100) }
                    return 0
                }
                for _ in 0..<50 {
                    _ = runner.map(count: 4) { _ in
                        usleep(500)
                        taskThreads.withLock { _ = $0.insert(UInt(pthread_self())) }
                    }
                }
                return 1
            }
            let lanes = laneThreads.withLock { $0 }
            guard lanes[0] != lanes[1] else { continue }
            judged += 1
            if taskThreads.withLock({ $0.count }) == 2 { helped += 1 }
        }
        #expect(judged == 0 || helped > 0, "\(judged) runs on two threads, \(helped) helped")
    }
}
