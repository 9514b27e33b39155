import Benchmark
import Foundation
import Ingest
import OrdersFixture

/// Load throughput of a seeded 1M-row `orders.csv`, plain and LZ4-frame compressed, into
/// typed columns on 1 and 2 cores; MB/s (uncompressed CSV) and rows/s are reported as
/// custom metrics.
let benchmarks: @Sendable () -> Void = {
    let rows = 1_000_000
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("creditwatch-ingest-bench-\(rows)").path
    do {
        try OrdersFixture.write(rows: rows, to: folder)
    } catch {
        fatalError("cannot write the benchmark fixture: \(error)")
    }
    let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    let rowsPerSecond = BenchmarkMetric.custom("k rows/s", polarity: .prefersLarger, useScalingFactor: false)
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident, megabytesPerSecond, rowsPerSecond],
        timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 5)
    for form in ["plain", "lz4"] {
        for threads in [1, 2] {
            Benchmark("Ingest orders.csv 1M rows (\(form), \(threads) threads)", configuration: configuration) { benchmark in
                var reader = ExportReader()
                reader.threads = threads
                let loaded = try reader.load("\(folder)/\(form)")
                benchmark.measurement(megabytesPerSecond, Int(loaded.report.megabytesPerSecond))
                benchmark.measurement(rowsPerSecond, Int(loaded.report.rowsPerSecond / 1000))
                blackHole(loaded)
            }
        }
    }
}
