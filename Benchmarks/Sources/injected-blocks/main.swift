import Columnar
import Detection
import Foundation
import OrdersFixture
import Synth

// The injected-block benchmark of issue 6: a buyer x shop x day tensor (10k x 2k x 60)
// with ~500k uniformly random background cells and blocks of several sizes and fills
// injected on top. Reports, per block, whether the finder recovered it exactly, and
// over all blocks the recall and precision of injected cells and the finder's time:
// CPU seconds of the calling thread (the figure to compare: wall time on a shared
// machine is meaningless) and wall seconds, per peeling pass and per reported block.
// Usage: injected-blocks [SEED]
//
// Measured 2026-11-23, seed 1, release build with -target-cpu haswell, 2 vCPUs shared
// with other builds (load 8-12), so CPU times are high by perhaps 30-50%:
// - before (M-Zoom peeling over nested arrays, split and refine through dictionaries):
//   2.91 s CPU, 0.58 s per pass, 0.49 s per block; 6.71 G instructions (callgrind) in
//   `blocks(in:)`, 1.34 G per pass; 6 blocks, injected 50x10x3 found exactly, the
//   others inside looser blocks; cell recall 1.000, precision 0.863.
// - after (slice cells inline per mode, live-cell bit set, raw-buffer kernels, split and
//   refine by counting sorts and dense counters, parts trimmed by a second peel):
//   0.166-0.178 s CPU, 0.033-0.036 s per pass, 0.028-0.030 s per block; 0.41 G
//   instructions in `blocks(in:)`, 82 M per pass (the peel itself 46 M a call); 6 blocks,
//   the 50x10x3, 100x20x2, 30x5x5 and 20x3x7 blocks found exactly, the 200x4x1 block at
//   30% fill (whose 49 buyers without a cell no finder can see) inside a looser block;
//   cell recall 1.000, precision 0.892. Seeds 2-4: 0.18-0.22 s CPU, 0.022-0.043 s per
//   block, recall 0.978-1.000, precision 0.929-0.999.
let seed = CommandLine.arguments.count > 1 ? UInt64(CommandLine.arguments[1]) ?? 1 : 1
var random = SplitMix64(seed: seed)
let sizes = [10_000, 2_000, 60]
let injected: [(sides: [Int], fill: Double)] = [
    ([50, 10, 3], 0.8), ([100, 20, 2], 0.5), ([30, 5, 5], 0.6), ([20, 3, 7], 0.9), ([200, 4, 1], 0.3),
]
var cells: [(UInt32, UInt32, UInt32)] = (0..<500_000).map { _ in
    (UInt32(random.next() % 10_000), UInt32(random.next() % 2_000), UInt32(random.next() % 60))
}
var truth: [[[UInt32]]] = []
var injectedKeys = Set<UInt64>()
func key(_ cell: (UInt32, UInt32, UInt32)) -> UInt64 { UInt64(cell.0) << 32 | UInt64(cell.1) << 8 | UInt64(cell.2) }
for block in injected {
    let members = (0..<3).map { mode in
        Array((0..<sizes[mode]).map(UInt32.init).shuffled(using: &random).prefix(block.sides[mode])).sorted()
    }
    for a in members[0] { for b in members[1] { for c in members[2] where Double(random.next() % 10_000) < block.fill * 10_000 {
        cells.append((a, b, c))
        injectedKeys.insert(key((a, b, c)))
    } } }
    truth.append(members)
}
let tensor = Tensor3(sizes: sizes, cells: cells, mass: [Double](repeating: 1, count: cells.count))
let finder = DenseBlockFinder(density: .suspiciousness, maximumBlocks: injected.count, minimumSides: [5, 2, 1])

let clock = ContinuousClock()
let start = clock.now
let cpuStart = CPUTime.thread
let blocks = finder.blocks(in: tensor)
let cpu = CPUTime.thread - cpuStart
let elapsed = (clock.now - start).seconds

var foundKeys = Set<UInt64>()
for block in blocks {
    let shops = Set(block.members[1]), days = Set(block.members[2]), buyers = Set(block.members[0])
    for cell in 0..<tensor.cellCount
    where buyers.contains(tensor.coordinates[0][cell]) && shops.contains(tensor.coordinates[1][cell])
        && days.contains(tensor.coordinates[2][cell])
    {
        foundKeys.insert(key((tensor.coordinates[0][cell], tensor.coordinates[1][cell], tensor.coordinates[2][cell])))
    }
}
let hits = injectedKeys.intersection(foundKeys).count
for block in blocks {
    print("found \(block.members.map { String($0.count) }.joined(separator: "x")), mass \(Int(block.mass)), fill \(String(format: "%.2f", block.fill))")
}
print("tensor 10000 x 2000 x 60, \(tensor.cellCount) cells (500000 background), seed \(seed)")
for (index, block) in injected.enumerated() {
    let exact = blocks.contains { $0.members == truth[index] }
    let best = blocks.map { found in
        zip(found.members, truth[index]).map { Set($0).intersection($1).count }.reduce(0, +)
    }.max() ?? 0
    print("injected \(block.sides.map(String.init).joined(separator: "x")) at \(Int(block.fill * 100))% fill: "
        + (exact ? "found exactly" : "best overlap \(best) of \(block.sides.reduce(0, +)) members"))
}
print(String(format: "injected cells: recall %.4f, precision %.4f", Double(hits) / Double(injectedKeys.count),
             foundKeys.isEmpty ? 1 : Double(hits) / Double(foundKeys.count)))
// The finder runs `maximumBlocks` passes unless the tensor runs out of cells first.
let perBlock = 1 / Double(max(1, blocks.count)), perPass = 1 / Double(finder.maximumBlocks)
print(String(format: "finder CPU time: %.3f s for %d blocks in at most %d passes (%.4f s per pass, %.4f s per block)",
             cpu, blocks.count, finder.maximumBlocks, cpu * perPass, cpu * perBlock))
print(String(format: "finder wall time: %.3f s (%.4f s per pass, %.4f s per block)", elapsed, elapsed * perPass, elapsed * perBlock))
