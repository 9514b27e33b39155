#if canImport(Glibc)
import Glibc
#endif

extension Duration {
    /// The duration in seconds as a floating-point number, for reports.
    public var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

/// CPU time used so far, in seconds: on a shared machine the figure that waiting for a
/// core does not inflate, where wall-clock time does. The `features` command and the
/// benchmarks report it beside wall-clock time.
public enum CPUTime {
    /// The whole process's, all its threads together.
    public static var process: Double { seconds(of: CLOCK_PROCESS_CPUTIME_ID) }

    /// The calling thread's.
    public static var thread: Double { seconds(of: CLOCK_THREAD_CPUTIME_ID) }

    private static func seconds(of clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
