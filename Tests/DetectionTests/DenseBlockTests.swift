import Testing
import TestSupport

@testable import Detection

@Suite struct DenseBlockTests {
    /// A random background of `background` cells plus blocks injected at the given fill.
    static func injected(
        sizes: [Int], background: Int, blocks: [(sides: [Int], fill: Double)], seed: UInt64
    ) -> (tensor: Tensor3, truth: [[[UInt32]]]) {
        var random = SeededRandom(seed: seed)
        var cells: [(UInt32, UInt32, UInt32)] = (0..<background).map { _ in
            (UInt32(random.next() % UInt64(sizes[0])), UInt32(random.next() % UInt64(sizes[1])),
             UInt32(random.next() % UInt64(sizes[2])))
        }
        var truth: [[[UInt32]]] = []
        for block in blocks {
            let members = (0..<3).map { mode in
                Array((0..<sizes[mode]).map(UInt32.init).shuffled(using: &random).prefix(block.sides[mode])).sorted()
            }
            for a in members[0] { for b in members[1] { for c in members[2] where Double(random.next() % 1000) < block.fill * 1000 {
                cells.append((a, b, c))
            } } }
            truth.append(members)
        }
        return (Tensor3(sizes: sizes, cells: cells, mass: [Double](repeating: 1, count: cells.count)), truth)
    }

    @Test func findsAnInjectedBlockExactly() {
        let (tensor, truth) = Self.injected(
            sizes: [2000, 400, 60], background: 40_000, blocks: [(sides: [50, 10, 3], fill: 0.8)], seed: 7)
        let blocks = DenseBlockFinder(maximumBlocks: 1).blocks(in: tensor)
        #expect(blocks.count == 1)
        #expect(blocks.first?.members == truth[0])
    }

    @Test func findsSeveralBlocksDensestFirst() {
        let (tensor, truth) = Self.injected(
            sizes: [3000, 500, 60], background: 60_000,
            blocks: [(sides: [40, 8, 4], fill: 0.9), (sides: [20, 4, 2], fill: 1.0)], seed: 11)
        let blocks = DenseBlockFinder(maximumBlocks: 2).blocks(in: tensor)
        #expect(blocks.map(\.members).sorted { $0[0].count > $1[0].count } == truth)
    }

    @Test func plainPeelingMatchesBruteForceOnTinyTensor() {
        // 2x2x1 block of mass 4 in a 4x4x2 tensor with two stray cells: the densest
        // arithmetic block is the 2x2x1 block (4 / (5/3) = 2.4) over any alternative.
        let cells: [(UInt32, UInt32, UInt32)] = [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0), (3, 2, 1), (2, 3, 1)]
        let tensor = Tensor3(sizes: [4, 4, 2], cells: cells, mass: [1, 1, 1, 1, 1, 1])
        let block = DenseBlockFinder(density: .arithmetic, maximumBlocks: 1, minimumSides: [1, 1, 1], minimumFillLift: 0).blocks(in: tensor).first
        #expect(block?.members == [[0, 1], [0, 1], [0]])
        #expect(block?.mass == 4)
        #expect(block?.fill == 1)
    }
}

@Suite struct DenseBlockSplitTests {
    @Test func twoUnrelatedBlocksAreReportedApart() {
        // Two full blocks and one stray cell linking them.
        var cells: [(UInt32, UInt32, UInt32)] = []
        for buyer in 0..<10 { for shop in 0..<3 { for day in 0..<2 { cells.append((UInt32(buyer), UInt32(shop), UInt32(day))) } } }
        for buyer in 10..<30 { for shop in 3..<8 { for day in 5..<7 { cells.append((UInt32(buyer), UInt32(shop), UInt32(day))) } } }
        cells.append((0, 5, 6))
        let tensor = Tensor3(sizes: [100, 50, 10], cells: cells, mass: [Double](repeating: 1, count: cells.count))
        let blocks = DenseBlockFinder(maximumBlocks: 2, minimumFillLift: 0).blocks(in: tensor)
        #expect(blocks.map { $0.members.map(\.count) }.sorted { $0[0] < $1[0] } == [[10, 3, 2], [20, 5, 2]])
    }
}

/// The kernels of `BlockSearch` against plain reference twins (sets, dictionaries, slice
/// masses summed afresh at every step) on random tensors: the same members, not just
/// "no crash".
@Suite struct DenseBlockKernelTests {
    /// A random tensor: background cells plus a few denser blocks, masses in quarters
    /// (exact in binary, so sums agree whatever their order).
    static func randomTensor(seed: UInt64, sizes: [Int] = [14, 10, 6], background: Int = 60) -> Tensor3 {
        var random = SeededRandom(seed: seed)
        var cells: [(UInt32, UInt32, UInt32)] = []
        for _ in 0..<background {
            cells.append((UInt32(random.next() % UInt64(sizes[0])), UInt32(random.next() % UInt64(sizes[1])),
                          UInt32(random.next() % UInt64(sizes[2]))))
        }
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let sides = (0..<3).map { 1 + Int(random.next() % UInt64(min(5, sizes[$0]))) }
            let members = (0..<3).map { mode in
                Array((0..<sizes[mode]).map(UInt32.init).shuffled(using: &random).prefix(sides[mode]))
            }
            for a in members[0] { for b in members[1] { for c in members[2] where random.next() % 4 != 0 {
                cells.append((a, b, c))
            } } }
        }
        let mass = cells.map { _ in Double(1 + random.next() % 8) / 4 }
        return Tensor3(sizes: sizes, cells: cells, mass: mass)
    }

    @Test func peelingMatchesPlainPeeling() {
        for seed in 1...60 {
            let tensor = Self.randomTensor(seed: UInt64(seed))
            for density in [BlockDensity.suspiciousness, .arithmetic] {
                let finder = DenseBlockFinder(density: density)
                #expect(BlockSearch(finder: finder, tensor: tensor).peel() == referencePeel(tensor, finder: finder),
                        "seed \(seed), \(density)")
            }
        }
    }

    @Test func peelingSkipsTakenCells() {
        for seed in 1...30 {
            let tensor = Self.randomTensor(seed: UInt64(seed))
            let finder = DenseBlockFinder()
            var search = BlockSearch(finder: finder, tensor: tensor)
            let taken = (0..<tensor.cellCount).filter { $0 % 3 == seed % 3 }.map(UInt32.init)
            search.takeOut(taken)
            let rest = (0..<tensor.cellCount).filter { $0 % 3 != seed % 3 }
            let restTensor = Tensor3(
                sizes: tensor.sizes, coordinates: tensor.coordinates.map { ids in rest.map { ids[$0] } },
                mass: rest.map { tensor.mass[$0] })
            // The same background (the whole tensor's) for both.
            let reference = referencePeel(restTensor, finder: finder, background: search.background)
            #expect(search.peel() == reference, "seed \(seed)")
        }
    }

    @Test func cellsOfABlockMatchAFilter() {
        for seed in 1...30 {
            let tensor = Self.randomTensor(seed: UInt64(seed))
            var random = SeededRandom(seed: UInt64(seed) + 1000)
            let members = (0..<3).map { mode in
                (0..<tensor.sizes[mode]).map(UInt32.init).filter { _ in random.next() % 2 == 0 }
            }
            let search = BlockSearch(finder: DenseBlockFinder(), tensor: tensor)
            let expected = (0..<tensor.cellCount).filter { cell in
                (0..<3).allSatisfy { members[$0].contains(tensor.coordinates[$0][cell]) }
            }.map(UInt32.init)
            #expect(search.cells(of: members).sorted() == expected)
            let block = search.block(members)
            #expect(block.mass == expected.reduce(0.0) { $0 + tensor.mass[Int($1)] })
            #expect(block.cellCount == expected.count)
        }
    }

    @Test func splitMatchesPlainSplit() {
        for seed in 1...60 {
            let tensor = Self.randomTensor(seed: UInt64(seed), sizes: [30, 12, 5], background: 40)
            let search = BlockSearch(finder: DenseBlockFinder(), tensor: tensor)
            guard let members = search.peel() else { continue }
            let cells = search.cells(of: members)
            let parts = search.parts(of: search.block(members, cells: cells), cells: cells)
            #expect(parts.map(\.members) == referenceParts(members, in: tensor), "seed \(seed)")
            for part in parts { #expect(part == search.block(part.members)) }
        }
    }

    @Test func refiningMatchesPlainRefining() {
        for seed in 1...60 {
            let tensor = Self.randomTensor(seed: UInt64(seed), sizes: [20, 12, 6], background: 50)
            var random = SeededRandom(seed: UInt64(seed) + 2000)
            let members = (0..<3).map { mode in
                (0..<tensor.sizes[mode]).map(UInt32.init).filter { _ in random.next() % 3 == 0 }
            }
            let search = BlockSearch(finder: DenseBlockFinder(), tensor: tensor)
            let part = search.block(members)
            #expect(search.refined(part).members == referenceRefined(part, in: tensor), "seed \(seed)")
        }
    }

    @Test func equalCellsMergeInFirstSeenOrder() {
        var random = SeededRandom(seed: 5)
        // Few values, so that keys repeat; (0, 1, 0) and (0, 0, 2^21) are different cells
        // that a key packed as id0 << 42 | id1 << 21 | id2 would merge.
        let days: [UInt32] = [0, 1, 1 << 21]
        let cells = (0..<3000).map { _ in
            (UInt32(random.next() % 7), UInt32(random.next() % 3), days[Int(random.next() % 3)])
        }
        let mass = cells.map { _ in Double(random.next() % 4) }
        let tensor = Tensor3(sizes: [7, 3, (1 << 21) + 1], cells: cells, mass: mass)
        var order: [[UInt32]] = []
        var sums: [[UInt32]: Double] = [:]
        for (cell, value) in zip(cells, mass) {
            let key = [cell.0, cell.1, cell.2]
            if sums[key] == nil { order.append(key) }
            sums[key, default: 0] += value
        }
        #expect(tensor.cellCount == order.count)
        #expect((0..<tensor.cellCount).map { cell in (0..<3).map { tensor.coordinates[$0][cell] } } == order)
        #expect(tensor.mass == order.map { sums[$0]! })
    }

    @Test func trimmingDropsAStrayDay() {
        // Blocks A (days 0-1) and B (days 1-2) share day 1 and are peeled as one
        // snapshot, which keeps days 1-2 only; a stray cell of A's buyer 0 and shop 0 lies
        // on day 2. Refining gives A back day 0, and trimming drops day 2 again.
        var random = SeededRandom(seed: 3)
        var cells: [(UInt32, UInt32, UInt32)] = (0..<300).map { _ in
            (UInt32(30 + random.next() % 970), UInt32(random.next() % 200), UInt32(random.next() % 30))
        }
        for buyer in 0..<10 { for shop in 0..<3 { for day in 0..<2 { cells.append((UInt32(buyer), UInt32(shop), UInt32(day))) } } }
        for buyer in 10..<30 { for shop in 3..<8 { for day in 1..<3 { cells.append((UInt32(buyer), UInt32(shop), UInt32(day))) } } }
        cells.append((0, 0, 2))
        let tensor = Tensor3(sizes: [1000, 200, 30], cells: cells, mass: [Double](repeating: 1, count: cells.count))
        let search = BlockSearch(finder: DenseBlockFinder(), tensor: tensor)
        let members = search.peel()!
        #expect(members.map(\.count) == [30, 8, 2])
        let snapshot = search.cells(of: members)
        let parts = search.parts(of: search.block(members, cells: snapshot), cells: snapshot)
        #expect(parts.map { $0.members[2] } == [[1, 2], [1, 2]])
        let refined = search.refined(parts[0])
        #expect(refined.members[2] == [0, 1, 2])
        let blockA: [[UInt32]] = [Array(0..<10), [0, 1, 2], [0, 1]], blockB: [[UInt32]] = [Array(10..<30), [3, 4, 5, 6, 7], [1, 2]]
        #expect(search.trimmed(refined).members == blockA)
        #expect(DenseBlockFinder(maximumBlocks: 2).blocks(in: tensor).map(\.members) == [blockA, blockB])
    }
}

/// Plain M-Zoom peeling: slice masses summed afresh from the cells at every step.
func referencePeel(_ tensor: Tensor3, finder: DenseBlockFinder, background: Background? = nil) -> [[UInt32]]? {
    guard tensor.cellCount > 0 else { return nil }
    var members = (0..<3).map { Set(tensor.coordinates[$0]) }
    let background = background ?? Background(
        mass: tensor.mass.reduce(0, +), sides: SIMD3(members.map { Double(max(1, $0.count)) }))
    var cellAlive = [Bool](repeating: true, count: tensor.cellCount)
    func sliceMass(_ mode: Int, _ id: UInt32) -> Double {
        (0..<tensor.cellCount).filter { cellAlive[$0] && tensor.coordinates[mode][$0] == id }.reduce(0.0) { $0 + tensor.mass[$1] }
    }
    var mass = tensor.mass.reduce(0, +)
    func sides(_ members: [Set<UInt32>]) -> SIMD3<Double> { SIMD3(members.map { Double($0.count) }) }
    var best = finder.measure(mass: mass, sides: sides(members), background: background)
    var bestMembers = members
    while members.allSatisfy({ !$0.isEmpty }) {
        var choice = (mode: 0, id: UInt32(0), mass: 0.0, density: -Double.infinity)
        for mode in 0..<3 {
            let lightest = members[mode].map { ($0, sliceMass(mode, $0)) }.min { ($0.1, $0.0) < ($1.1, $1.0) }!
            var after = sides(members)
            after[mode] -= 1
            let density = finder.measure(mass: mass - lightest.1, sides: after, background: background)
            if density > choice.density { choice = (mode, lightest.0, lightest.1, density) }
        }
        members[choice.mode].remove(choice.id)
        for cell in 0..<tensor.cellCount where tensor.coordinates[choice.mode][cell] == choice.id { cellAlive[cell] = false }
        mass -= choice.mass
        if choice.density > best {
            best = choice.density
            bestMembers = members
        }
    }
    return bestMembers.map { $0.sorted() }
}

/// The cells of `tensor` inside `members`, by a filter over every cell.
private func referenceCells(_ members: [[UInt32]], in tensor: Tensor3) -> [Int] {
    let sets = members.map(Set.init)
    return (0..<tensor.cellCount).filter { cell in (0..<3).allSatisfy { sets[$0].contains(tensor.coordinates[$0][cell]) } }
}

/// The split of `BlockSearch.parts` with sets and dictionaries.
func referenceParts(_ members: [[UInt32]], in tensor: Tensor3) -> [[[UInt32]]] {
    let cells = referenceCells(members, in: tensor)
    var shopsOfBuyer: [UInt32: Set<UInt32>] = [:]
    for cell in cells { shopsOfBuyer[tensor.coordinates[0][cell], default: []].insert(tensor.coordinates[1][cell]) }
    var shared: [UInt64: Int] = [:]
    for shops in shopsOfBuyer.values where shops.count > 1 {
        let sorted = shops.sorted()
        for (index, a) in sorted.enumerated() {
            for b in sorted[(index + 1)...] { shared[UInt64(a) << 32 | UInt64(b), default: 0] += 1 }
        }
    }
    var parent = Dictionary(uniqueKeysWithValues: members[1].map { ($0, $0) })
    func root(_ shop: UInt32) -> UInt32 {
        var shop = shop
        while parent[shop]! != shop { shop = parent[shop]! }
        return shop
    }
    var buyersOfShop: [UInt32: Int] = [:]
    for shops in shopsOfBuyer.values { for shop in shops { buyersOfShop[shop, default: 0] += 1 } }
    for (pair, count) in shared {
        let first = UInt32(pair >> 32), second = UInt32(truncatingIfNeeded: pair)
        guard count >= max(2, min(buyersOfShop[first]!, buyersOfShop[second]!) / 5) else { continue }
        let a = root(first), b = root(second)
        if a != b { parent[max(a, b)] = min(a, b) }
    }
    var cellsPerPart: [UInt32: [UInt32: Int]] = [:]
    for cell in cells {
        cellsPerPart[tensor.coordinates[0][cell], default: [:]][root(tensor.coordinates[1][cell]), default: 0] += 1
    }
    let partOfBuyer = cellsPerPart.mapValues { counts in counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key }
    var parts: [UInt32: [Set<UInt32>]] = [:]
    for cell in cells {
        let buyer = tensor.coordinates[0][cell], part = root(tensor.coordinates[1][cell])
        guard partOfBuyer[buyer] == part else { continue }
        var sets = parts[part] ?? [[], [], []]
        for mode in 0..<3 { sets[mode].insert(tensor.coordinates[mode][cell]) }
        parts[part] = sets
    }
    return parts.keys.sorted().map { parts[$0]!.map { $0.sorted() } }
}

/// The refinement of `BlockSearch.refined` with sets and dictionaries.
func referenceRefined(_ part: DenseBlock, in tensor: Tensor3) -> [[UInt32]] {
    var members = part.members
    for mode in 0..<3 {
        let others = (0..<3).filter { $0 != mode }
        let needed = 0.5 * part.fill * Double(members[others[0]].count * members[others[1]].count)
        let current = Set(members[mode]), first = Set(members[others[0]]), second = Set(members[others[1]])
        var counts: [UInt32: Int] = [:]
        for cell in 0..<tensor.cellCount
        where !current.contains(tensor.coordinates[mode][cell]) && first.contains(tensor.coordinates[others[0]][cell])
            && second.contains(tensor.coordinates[others[1]][cell])
        {
            counts[tensor.coordinates[mode][cell], default: 0] += 1
        }
        members[mode] = (members[mode] + counts.filter { Double($0.value) >= needed }.keys).sorted()
    }
    return members
}
