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

    /// Lane 0 ends at once; lane 1's tasks sleep, so the free core takes some. The
    /// dispatch pool may start the second core late when other tests hold its threads,
    /// so a few tries are allowed.
    @Test func aCoreWhoseLaneEndedRunsTheOthersTasks() {
        let helped = (0..<5).contains { _ in
            let threadsSeen = Mutex<Set<UInt>>([])
            _ = LanePool.run(lanes: 2, threads: 2) { lane, runner in
                guard lane == 1 else { return 0 }
                for _ in 0..<50 {
                    _ = runner.map(count: 4) { _ in
                        usleep(500)
                        threadsSeen.withLock { _ = $0.insert(UInt(pthread_self())) }
                    }
                }
                return 1
            }
            return threadsSeen.withLock { $0.count } == 2
        }
        #expect(helped)
    }
}
