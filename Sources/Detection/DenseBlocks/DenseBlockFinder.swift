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
    /// Mass divided by the block's volume (cells it could hold).
    public var fill: Double {
        let volume = members.reduce(1.0) { $0 * Double($1.count) }
        return volume > 0 ? Double(cellCount) / volume : 0
    }
}

/// Finds dense blocks in a three-way tensor by greedy peeling in the manner of M-Zoom
/// (Shin et al., PKDD 2016), the single-slice variant of D-Cube: repeatedly remove the
/// lightest slice of whichever mode leaves the densest block, and remember the density
/// after every removal; the densest snapshot is the block. The block's cells are then
/// taken out and the search repeats for the next block. One pass touches each cell
/// once, with a heap update for its other two slices: O(cells log slices).
public struct DenseBlockFinder: Sendable {
    public var density: BlockDensity
    /// Stop after this many searches (each takes one block out of the tensor).
    public var maximumBlocks: Int
    /// Per mode, the smallest side of a block worth reporting. A block found with a
    /// smaller side is taken out of the tensor but not reported.
    public var minimumSides: [Int]

    public init(density: BlockDensity = .suspiciousness, maximumBlocks: Int = 10, minimumSides: [Int] = [2, 2, 2]) {
        self.density = density
        self.maximumBlocks = maximumBlocks
        self.minimumSides = minimumSides
    }

    /// The reportable blocks among `maximumBlocks` searches, in search order (densest
    /// first); deterministic.
    public func blocks(in tensor: Tensor3) -> [DenseBlock] {
        var removedCell = [Bool](repeating: false, count: tensor.cellCount)
        let totalMass = tensor.mass.reduce(0, +)
        // The background's shape: slices that hold any cell (ids never used are no part
        // of the relation, and counting them would make any non-empty block look dense).
        let cardinalities = (0..<3).map { mode in (0..<tensor.sizes[mode]).filter { tensor.slices[mode].count(of: $0) > 0 }.count }
        var found: [DenseBlock] = []
        for _ in 0..<maximumBlocks {
            guard let block = peel(tensor, removedCell: removedCell, background: (totalMass, cardinalities)), block.mass > 0 else { break }
            let inBlock = block.members.enumerated().map { mode, ids in
                var flags = [Bool](repeating: false, count: tensor.sizes[mode])
                for id in ids { flags[Int(id)] = true }
                return flags
            }
            for cell in 0..<tensor.cellCount where !removedCell[cell] {
                if inBlock[0][Int(tensor.coordinates[0][cell])] && inBlock[1][Int(tensor.coordinates[1][cell])]
                    && inBlock[2][Int(tensor.coordinates[2][cell])]
                {
                    removedCell[cell] = true
                }
            }
            if zip(block.members, minimumSides).allSatisfy({ $0.count >= $1 }) { found.append(block) }
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
        var heaps = (0..<3).map { mode in
            SliceHeap(mass: sliceMass[mode], members: (0..<tensor.sizes[mode]).filter { alive[mode][$0] }.map(UInt32.init))
        }
        var sides = heaps.map(\.count)
        // The removal order of slices; the block is what is left after the best prefix.
        var removals: [(mode: Int, id: UInt32)] = []
        var best = measure(mass: mass, sides: sides, background: background)
        var bestPrefix = 0
        while sides.allSatisfy({ $0 > 0 }) {
            // Of each mode's lightest slice, remove the one that leaves the densest block.
            var choice = -1
            var choiceDensity = -Double.infinity
            for mode in 0..<3 {
                let id = Int(heaps[mode].minimum!)
                var after = sides
                after[mode] -= 1
                let density = measure(
                    mass: mass - heaps[mode].mass[id], sides: after, background: background)
                if density > choiceDensity {
                    choiceDensity = density
                    choice = mode
                }
            }
            let id = heaps[choice].popMinimum()
            sides[choice] -= 1
            for cell in tensor.slices[choice].rows(of: Int(id)) where cellAlive[Int(cell)] {
                let cell = Int(cell)
                cellAlive[cell] = false
                let value = tensor.mass[cell]
                mass -= value
                for other in 0..<3 where other != choice {
                    heaps[other].decrease(tensor.coordinates[other][cell], by: value)
                }
            }
            removals.append((choice, id))
            if sides.allSatisfy({ $0 > 0 }) && choiceDensity > best {
                best = choiceDensity
                bestPrefix = removals.count
            }
        }
        // Members: slices never removed plus those removed after the best prefix.
        var members: [[UInt32]] = (0..<3).map { heaps[$0].heap }
        for (mode, id) in removals[bestPrefix...] { members[mode].append(id) }
        for mode in 0..<3 { members[mode].sort() }
        var inBlock = tensor.sizes.map { [Bool](repeating: false, count: $0) }
        for mode in 0..<3 { for id in members[mode] { inBlock[mode][Int(id)] = true } }
        var blockMass = 0.0
        var blockCells = 0
        for cell in 0..<tensor.cellCount where !removedCell[cell] {
            if inBlock[0][Int(tensor.coordinates[0][cell])] && inBlock[1][Int(tensor.coordinates[1][cell])]
                && inBlock[2][Int(tensor.coordinates[2][cell])]
            {
                blockMass += tensor.mass[cell]
                blockCells += 1
            }
        }
        return DenseBlock(members: members, mass: blockMass, density: best, cellCount: blockCells)
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
