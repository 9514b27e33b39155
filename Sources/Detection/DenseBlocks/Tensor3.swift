/// A sparse three-way count tensor (for example buyer x shop x day, the number of
/// orders in each cell) in coordinate form, with each mode's slices indexed so that
/// peeling can visit a slice's cells directly. Columnar: one array per coordinate.
public struct Tensor3: Sendable {
    /// Cardinality of each mode (ids in mode `m` are `0 ..< sizes[m]`).
    public let sizes: [Int]
    /// `coordinates[m][cell]` is the cell's index in mode `m`.
    public let coordinates: [[UInt32]]
    /// The mass of each cell (an order count, or a camouflage-resistant weight).
    public let mass: [Double]
    /// Per mode, the cells of each slice (compressed sparse rows).
    let slices: [EntityGroups]

    /// Builds the tensor; each coordinate array and `mass` have one entry per cell.
    public init(sizes: [Int], coordinates: [[UInt32]], mass: [Double]) {
        precondition(sizes.count == 3 && coordinates.count == 3)
        precondition(coordinates.allSatisfy { $0.count == mass.count })
        self.sizes = sizes
        self.coordinates = coordinates
        self.mass = mass
        self.slices = (0..<3).map { EntityGroups(keys: coordinates[$0], entityCount: sizes[$0]) }
    }

    public var cellCount: Int { mass.count }

    /// Cells given as (mode 0, mode 1, mode 2) keys with a count each; equal keys are
    /// summed into one cell, in first-seen order.
    public init(sizes: [Int], cells: [(UInt32, UInt32, UInt32)], mass: [Double]) {
        var index: [UInt64: Int] = [:]
        var coordinates: [[UInt32]] = [[], [], []]
        var merged: [Double] = []
        for (cell, value) in zip(cells, mass) {
            let key = UInt64(cell.0) << 42 | UInt64(cell.1) << 21 | UInt64(cell.2)
            if let known = index[key] {
                merged[known] += value
            } else {
                index[key] = merged.count
                coordinates[0].append(cell.0)
                coordinates[1].append(cell.1)
                coordinates[2].append(cell.2)
                merged.append(value)
            }
        }
        self.init(sizes: sizes, coordinates: coordinates, mass: merged)
    }
}
