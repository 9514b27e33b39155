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
        var remaining = RemainingCells(tensor)
        // The background's shape: slices that hold any cell (ids never used are no part
        // of the relation, and counting them would make any non-empty block look dense).
        let cardinalities = remaining.occupiedSlices
        let background = Background(
            mass: remaining.mass, sides: SIMD3(cardinalities.map { Double(max(1, $0)) }))
        let tensorFill = Double(tensor.cellCount) / cardinalities.reduce(1.0) { $0 * Double(max(1, $1)) }
        let marks = MemberMarks(sizes: tensor.sizes)
        var found: [DenseBlock] = []
        for _ in 0..<maximumBlocks {
            guard let peeled = peel(tensor, remaining: remaining, background: background, marks: marks),
                peeled.mass > 0
            else { break }
            // A block barely denser than the background is no block, and splitting it
            // would cost a pass over its shop pairs.
            let candidates = peeled.fill >= minimumFillLift * tensorFill / 10
                ? parts(of: peeled, in: tensor, live: remaining.live, marks: marks).map {
                    refined($0, in: tensor, live: remaining.live, marks: marks)
                } : []
            for part in candidates {
                if zip(part.members, minimumSides).allSatisfy({ $0.count >= $1 }),
                    part.fill >= minimumFillLift * tensorFill
                {
                    found.append(part)
                    remaining.remove(cells(of: part.members, in: tensor, live: remaining.live, marks: marks), of: tensor)
                }
            }
            remaining.remove(cells(of: peeled.members, in: tensor, live: remaining.live, marks: marks), of: tensor)
        }
        return found
    }

    /// The block with these members: its mass and cell count over the live cells.
    func block(
        _ members: [[UInt32]], in tensor: Tensor3, live: LiveCells, marks: MemberMarks, density: Double
    ) -> DenseBlock {
        let inside = cells(of: members, in: tensor, live: live, marks: marks)
        var mass = 0.0
        tensor.mass.withUnsafeBufferPointer { cellMass in
            for cell in inside { mass += cellMass[Int(cell)] }
        }
        return DenseBlock(members: members, mass: mass, density: density, cellCount: inside.count)
    }

    /// The live cells whose three ids are in `members`, ascending within each slice of
    /// the mode with fewest members (whose slices are visited rather than every cell).
    func cells(of members: [[UInt32]], in tensor: Tensor3, live: LiveCells, marks: MemberMarks) -> [UInt32] {
        let mode = (0..<3).min { members[$0].count < members[$1].count }!
        let first = (mode + 1) % 3, second = (mode + 2) % 3
        marks.mark(members[first], mode: first)
        marks.mark(members[second], mode: second)
        defer {
            marks.unmark(members[first], mode: first)
            marks.unmark(members[second], mode: second)
        }
        let slices = tensor.slices[mode]
        var inside: [UInt32] = []
        slices.cells.withUnsafeBufferPointer { cells in
            slices.first.withUnsafeBufferPointer { firstIds in
                slices.second.withUnsafeBufferPointer { secondIds in
                    for id in members[mode] {
                        for entry in slices.range(of: Int(id)) where live.contains(cells[entry])
                            && marks.contains(firstIds[entry], mode: first)
                            && marks.contains(secondIds[entry], mode: second)
                        {
                            inside.append(cells[entry])
                        }
                    }
                }
            }
        }
        return inside
    }

    /// The density of a block of `mass` with side lengths `sides`.
    @inline(__always)
    func measure(mass: Double, sides: SIMD3<Double>, background: Background) -> Double {
        switch density {
        case .arithmetic:
            return mass / ((sides[0] + sides[1] + sides[2]) / 3)
        case .suspiciousness:
            var expected = background.mass
            for mode in 0..<3 { expected *= sides[mode] / background.sides[mode] }
            guard mass > 0, expected > 0 else { return 0 }
            return mass * (log(mass / expected) - 1) + expected
        }
    }
}

/// What `susp` compares a block with: the tensor's mass spread uniformly over the
/// slices that hold any cell (each side at least 1).
struct Background {
    var mass: Double
    var sides: SIMD3<Double>
}

/// Per mode, a flag per id, set for the members of one block at a time and cleared
/// through the same member list, so that a block costs its own size and never a sweep
/// of the whole id range. Owned by one `blocks(in:)` call.
final class MemberMarks {
    private let flags: [UnsafeMutableBufferPointer<Bool>]

    init(sizes: [Int]) {
        flags = sizes.map { size in
            let buffer = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(1, size))
            buffer.initialize(repeating: false)
            return buffer
        }
    }

    deinit { flags.forEach { $0.deallocate() } }

    func mark(_ ids: [UInt32], mode: Int) { for id in ids { flags[mode][Int(id)] = true } }

    func unmark(_ ids: [UInt32], mode: Int) { for id in ids { flags[mode][Int(id)] = false } }

    @inline(__always)
    func contains(_ id: UInt32, mode: Int) -> Bool { flags[mode][Int(id)] }
}
