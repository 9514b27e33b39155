import Detection
import Foundation
import OrdersFixture

// The injected-block benchmark of issue 6: a buyer x shop x day tensor (10k x 2k x 60)
// with ~500k uniformly random background cells and blocks of several sizes and fills
// injected on top. Reports, per block, whether the finder recovered it exactly, and
// over all blocks the recall and precision of injected cells and the peeling time.
// Usage: injected-blocks [SEED]

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
let blocks = finder.blocks(in: tensor)
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
print(String(format: "peeling time: %.3f s for %d blocks (%.3f s per block)", elapsed, blocks.count, elapsed / Double(max(1, blocks.count))))
