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
/// lightest slice of whichever mode leaves the densest block, and remember the removal
/// order; the densest snapshot is the block, replayed from that order. One pass touches
/// each cell once (a slice's cells are one contiguous run, a removed cell is a cleared
/// bit), with an indexed-heap update for its other two slices: O(cells log slices).
///
/// Three steps keep the answer to what is really there (`BlockSearch`). `susp` rewards
/// mass, so one snapshot can hold two unrelated dense blocks: a found block is split
/// into parts whose mode-1 ids share mode-0 ids (`parts`). Each part gets back the
/// slices that fill its volume about as densely as it does (`refined`), and is peeled
/// again on its own cells, which drops the stray ids that a background cell brought
/// along (`trimmed`). And peeling always returns something, even from pure noise: a part
/// is reported only when its fill is `minimumFillLift` times the tensor's. The cells of
/// reported parts and of the snapshot are taken out, and the search repeats.
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
        var search = BlockSearch(finder: self, tensor: tensor)
        let tensorFill = search.tensorFill
        var found: [DenseBlock] = []
        for _ in 0..<maximumBlocks {
            guard let members = search.peel() else { break }
            let cells = search.cells(of: members)
            let peeled = search.block(members, cells: cells)
            guard peeled.mass > 0 else { break }
            // A block barely denser than the background is no block, and splitting it
            // would cost a pass over its shop pairs.
            let parts = peeled.fill >= minimumFillLift * tensorFill / 10 ? search.parts(of: peeled, cells: cells) : []
            for part in parts {
                let refined = search.refined(part)
                guard reportable(refined, tensorFill: tensorFill) else { continue }
                let trimmed = search.trimmed(refined)
                guard reportable(trimmed, tensorFill: tensorFill) else { continue }
                found.append(trimmed)
                search.takeOut(search.cells(of: trimmed.members))
            }
            search.takeOut(cells)
        }
        return found
    }

    /// Whether `block` has the sides and the fill to be reported.
    func reportable(_ block: DenseBlock, tensorFill: Double) -> Bool {
        zip(block.members, minimumSides).allSatisfy { $0.count >= $1 } && block.fill >= minimumFillLift * tensorFill
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
