import Foundation

/// How a block's density is measured. Both are from the dense-subtensor literature
/// (M-Zoom, D-Cube): `arithmetic` favours large blocks, `suspiciousness` compares the
/// block's mass with what a uniform background would put there and favours blocks far
/// denser than their surroundings, which is what lockstep fraud looks like.
public enum BlockDensity: Sendable {
    /// Mass divided by the average side length.
    case arithmetic
    /// `M (log(M / P) - 1) + P`, where `P` is the mass a block of this shape would hold
    /// if the tensor's mass were spread uniformly (Jiang et al.'s `susp`).
    case suspiciousness
}

/// A dense block: one set of ids per mode, its mass and density.
public struct DenseBlock: Sendable, Equatable {
    /// Ids of the block in each mode, ascending.
    public var members: [[UInt32]]
    public var mass: Double
    public var density: Double
    /// Number of non-empty cells inside the block.
    public var cellCount: Int
    /// The share of the block's cells (its volume) that hold mass.
    public var fill: Double {
        let volume = members.reduce(1.0) { $0 * Double($1.count) }
        return volume > 0 ? Double(cellCount) / volume : 0
    }
}

/// Finds dense blocks in a three-way tensor by greedy peeling in the manner of M-Zoom
/// (Shin et al., PKDD 2016), the single-slice variant of D-Cube: repeatedly remove the
/// lightest slice of whichever mode leaves the densest block, and remember the density
/// after every removal; the densest snapshot is the block. One pass touches each cell
/// once, with a heap update for its other two slices: O(cells log slices).
///
/// Two steps keep the answer to what is really there. `susp` rewards mass, so one
/// snapshot can hold two unrelated dense blocks: a found block is split into parts
/// whose mode-1 ids share mode-0 ids (see `parts`). And peeling
/// always returns something, even from pure noise: a part is reported only when its
/// fill is `minimumFillLift` times the tensor's. Each part then gets back the slices
/// that fill its volume about as densely as it does (`refined`), its cells are taken
/// out, and the search repeats.
public struct DenseBlockFinder: Sendable {
    public var density: BlockDensity
    /// Stop after this many peeling passes.
    public var maximumBlocks: Int
    /// Per mode, the smallest side of a block worth reporting.
    public var minimumSides: [Int]
    /// How many times the tensor's own fill a reported block's fill must reach.
    public var minimumFillLift: Double

    public init(
        density: BlockDensity = .suspiciousness, maximumBlocks: Int = 10, minimumSides: [Int] = [2, 2, 2],
        minimumFillLift: Double = 10
    ) {
        self.density = density
        self.maximumBlocks = maximumBlocks
        self.minimumSides = minimumSides
        self.minimumFillLift = minimumFillLift
    }

    /// The reportable blocks of up to `maximumBlocks` passes, in the order found;
    /// deterministic.
    public func blocks(in tensor: Tensor3) -> [DenseBlock] {
        var removedCell = [Bool](repeating: false, count: tensor.cellCount)
        let totalMass = tensor.mass.reduce(0, +)
        // The background's shape: slices that hold any cell (ids never used are no part
        // of the relation, and counting them would make any non-empty block look dense).
        let cardinalities = (0..<3).map { mode in
            (0..<tensor.sizes[mode]).filter { tensor.slices[mode].count(of: $0) > 0 }.count
        }
        let tensorFill = Double(tensor.cellCount) / cardinalities.reduce(1.0) { $0 * Double(max(1, $1)) }
        var found: [DenseBlock] = []
        for _ in 0..<maximumBlocks {
            guard let peeled = peel(tensor, removedCell: removedCell, background: (totalMass, cardinalities)),
                peeled.mass > 0
            else { break }
            // A block barely denser than the background is no block, and splitting it
            // would cost a pass over its shop pairs.
            let candidates = peeled.fill >= minimumFillLift * tensorFill / 10
                ? parts(of: peeled, in: tensor, removedCell: removedCell).map {
                    refined($0, in: tensor, removedCell: removedCell)
                } : []
            for part in candidates {
                if zip(part.members, minimumSides).allSatisfy({ $0.count >= $1 }),
                    part.fill >= minimumFillLift * tensorFill
                {
                    found.append(part)
                    forEachCell(of: part, in: tensor, removedCell: removedCell) { removedCell[$0] = true }
                }
            }
            forEachCell(of: peeled, in: tensor, removedCell: removedCell) { removedCell[$0] = true }
        }
        return found
    }

    /// One peeling pass over the cells not yet removed; nil when none are left.
    func peel(_ tensor: Tensor3, removedCell: [Bool], background: (mass: Double, sides: [Int])) -> DenseBlock? {
        var sliceMass = tensor.sizes.map { [Double](repeating: 0, count: $0) }
        var alive = tensor.sizes.map { [Bool](repeating: false, count: $0) }
        var mass = 0.0
        var cellAlive = [Bool](repeating: false, count: tensor.cellCount)
        for cell in 0..<tensor.cellCount where !removedCell[cell] {
            let value = tensor.mass[cell]
            mass += value
            cellAlive[cell] = true
            for mode in 0..<3 {
                let id = Int(tensor.coordinates[mode][cell])
                sliceMass[mode][id] += value
                alive[mode][id] = true
            }
        }
        guard cellAlive.contains(true) else { return nil }
        let heaps = (0..<3).map { mode in
            SliceHeap(mass: sliceMass[mode], members: (0..<tensor.sizes[mode]).filter { alive[mode][$0] }.map(UInt32.init))
        }
        var sides = heaps.map(\.count)
        // The removal order of slices; the block is what is left after the best prefix.
        var removals: [(mode: Int, id: UInt32)] = []
        var best = measure(mass: mass, sides: sides, background: background)
        var bestPrefix = 0
        while sides[0] > 0 && sides[1] > 0 && sides[2] > 0 {
            // Of each mode's lightest slice, remove the one that leaves the densest block.
            var choice = 0
            var choiceDensity = -Double.infinity
            for mode in 0..<3 {
                var after = sides
                after[mode] -= 1
                let density = measure(
                    mass: mass - heaps[mode].mass(heaps[mode].minimum!), sides: after, background: background)
                if density > choiceDensity {
                    choiceDensity = density
                    choice = mode
                }
            }
            let heap = heaps[choice]
            let id = heap.popMinimum()
            sides[choice] -= 1
            let first = (choice + 1) % 3, second = (choice + 2) % 3
            mass -= removeCells(
                of: tensor.slices[choice].rows(of: Int(id)), alive: &cellAlive, tensor: tensor,
                heaps: (heaps[first], heaps[second]), modes: (first, second))
            removals.append((choice, id))
            if choiceDensity > best {
                best = choiceDensity
                bestPrefix = removals.count
            }
        }
        // Members: slices never removed plus those removed after the best prefix.
        var members: [[UInt32]] = heaps.map(\.members)
        for (mode, id) in removals[bestPrefix...] { members[mode].append(id) }
        for mode in 0..<3 { members[mode].sort() }
        return block(members, in: tensor, removedCell: removedCell, density: best)
    }

    /// Takes the still-alive cells of one slice out of the block and lowers the mass of
    /// their slices in the two other modes; returns the mass removed.
    private func removeCells(
        of cells: ArraySlice<UInt32>, alive: inout [Bool], tensor: Tensor3, heaps: (SliceHeap, SliceHeap),
        modes: (Int, Int)
    ) -> Double {
        var removed = 0.0
        tensor.coordinates[modes.0].withUnsafeBufferPointer { firstIds in
            tensor.coordinates[modes.1].withUnsafeBufferPointer { secondIds in
                tensor.mass.withUnsafeBufferPointer { mass in
                    alive.withUnsafeMutableBufferPointer { alive in
                        for cell in cells where alive[Int(cell)] {
                            let cell = Int(cell)
                            alive[cell] = false
                            removed += mass[cell]
                            heaps.0.decrease(firstIds[cell], by: mass[cell])
                            heaps.1.decrease(secondIds[cell], by: mass[cell])
                        }
                    }
                }
            }
        }
        return removed
    }

    /// The block with these members: its mass and cell count over the cells not yet
    /// removed.
    private func block(_ members: [[UInt32]], in tensor: Tensor3, removedCell: [Bool], density: Double) -> DenseBlock {
        var result = DenseBlock(members: members, mass: 0, density: density, cellCount: 0)
        forEachCell(of: result, in: tensor, removedCell: removedCell) { cell in
            result.mass += tensor.mass[cell]
            result.cellCount += 1
        }
        return result
    }

    /// Calls `body` with every cell not yet removed whose three ids are members of `block`.
    private func forEachCell(of block: DenseBlock, in tensor: Tensor3, removedCell: [Bool], _ body: (Int) -> Void) {
        let inBlock = (0..<3).map { mode in
            var flags = [Bool](repeating: false, count: tensor.sizes[mode])
            for id in block.members[mode] { flags[Int(id)] = true }
            return flags
        }
        // Visit the smallest mode's slices rather than every cell of the tensor.
        let mode = (0..<3).min { block.members[$0].count < block.members[$1].count }!
        for id in block.members[mode] {
            for cell in tensor.slices[mode].rows(of: Int(id)) where !removedCell[Int(cell)] {
                let cell = Int(cell)
                if inBlock[0][Int(tensor.coordinates[0][cell])] && inBlock[1][Int(tensor.coordinates[1][cell])]
                    && inBlock[2][Int(tensor.coordinates[2][cell])]
                {
                    body(cell)
                }
            }
        }
    }

    /// `block` split into its parts: two mode-1 ids (shops) are joined when a fifth of
    /// the mode-0 ids (buyers) of the smaller, and at least two, have cells with both;
    /// each mode-0 id then goes to the part where it has most cells. Stray background
    /// cells link two blocks' ids, but give their shops few buyers in common.
    func parts(of block: DenseBlock, in tensor: Tensor3, removedCell: [Bool]) -> [DenseBlock] {
        var cells: [Int] = []
        forEachCell(of: block, in: tensor, removedCell: removedCell) { cells.append($0) }
        var shopsOfBuyer: [UInt32: Set<UInt32>] = [:]
        for cell in cells { shopsOfBuyer[tensor.coordinates[0][cell], default: []].insert(tensor.coordinates[1][cell]) }
        var shared: [UInt64: Int] = [:]
        for shops in shopsOfBuyer.values where shops.count > 1 {
            let sorted = shops.sorted()
            for (index, a) in sorted.enumerated() {
                for b in sorted[(index + 1)...] { shared[UInt64(a) << 32 | UInt64(b), default: 0] += 1 }
            }
        }
        var parent = Dictionary(uniqueKeysWithValues: block.members[1].map { ($0, $0) })
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
        // Each buyer joins the part holding most of its cells (the lowest part on ties).
        var cellsPerPart: [UInt32: [UInt32: Int]] = [:]
        for cell in cells {
            cellsPerPart[tensor.coordinates[0][cell], default: [:]][root(tensor.coordinates[1][cell]), default: 0] += 1
        }
        let partOfBuyer = cellsPerPart.mapValues { counts in counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key }
        var members: [UInt32: [Set<UInt32>]] = [:]
        for cell in cells {
            let buyer = tensor.coordinates[0][cell], part = root(tensor.coordinates[1][cell])
            guard partOfBuyer[buyer] == part else { continue }
            var sets = members[part] ?? [[], [], []]
            for mode in 0..<3 { sets[mode].insert(tensor.coordinates[mode][cell]) }
            members[part] = sets
        }
        return members.keys.sorted().map { part in
            self.block(members[part]!.map { $0.sorted() }, in: tensor, removedCell: removedCell, density: block.density)
        }
    }

    /// `part` with every slice added whose cells inside the part's other two modes fill
    /// at least half as much of that volume as the part's own cells fill theirs: a
    /// slice that peeling dropped while two blocks were still one snapshot.
    func refined(_ part: DenseBlock, in tensor: Tensor3, removedCell: [Bool]) -> DenseBlock {
        var members = part.members
        for mode in 0..<3 {
            let others = (0..<3).filter { $0 != mode }
            let inOthers = others.map { other in
                var flags = [Bool](repeating: false, count: tensor.sizes[other])
                for id in members[other] { flags[Int(id)] = true }
                return flags
            }
            let needed = 0.5 * part.fill * Double(members[others[0]].count * members[others[1]].count)
            let via = members[others[0]].count <= members[others[1]].count ? 0 : 1
            let current = Set(members[mode])
            var counts: [UInt32: Int] = [:]
            for id in members[others[via]] {
                for cell in tensor.slices[others[via]].rows(of: Int(id)) where !removedCell[Int(cell)] {
                    let cell = Int(cell)
                    let candidate = tensor.coordinates[mode][cell]
                    guard !current.contains(candidate), inOthers[1 - via][Int(tensor.coordinates[others[1 - via]][cell])]
                    else { continue }
                    counts[candidate, default: 0] += 1
                }
            }
            members[mode] += counts.filter { Double($0.value) >= needed }.keys
            members[mode].sort()
        }
        return block(members, in: tensor, removedCell: removedCell, density: part.density)
    }

    /// The density of a block of `mass` with side lengths `sides`.
    func measure(mass: Double, sides: [Int], background: (mass: Double, sides: [Int])) -> Double {
        switch density {
        case .arithmetic:
            return mass / (Double(sides.reduce(0, +)) / 3)
        case .suspiciousness:
            var expected = background.mass
            for mode in 0..<3 { expected *= Double(sides[mode]) / Double(max(1, background.sides[mode])) }
            guard mass > 0, expected > 0 else { return 0 }
            return mass * (log(mass / expected) - 1) + expected
        }
    }
}
