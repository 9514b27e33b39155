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
    /// Per mode, the cells of each slice with their other ids and mass alongside.
    let slices: [SliceCells]

    /// Builds the tensor; each coordinate array and `mass` have one entry per cell.
    public init(sizes: [Int], coordinates: [[UInt32]], mass: [Double]) {
        precondition(sizes.count == 3 && coordinates.count == 3)
        precondition(coordinates.allSatisfy { $0.count == mass.count })
        precondition(mass.count < Int(UInt32.max), "cell numbers are 32-bit")
        self.sizes = sizes
        self.coordinates = coordinates
        self.mass = mass
        self.slices = (0..<3).map { SliceCells(mode: $0, sizes: sizes, coordinates: coordinates, mass: mass) }
    }

    public var cellCount: Int { mass.count }

    /// Cells given as (mode 0, mode 1, mode 2) keys with a count each; equal keys are
    /// summed into one cell, in first-seen order, through a `KeyPlaces` table of the cells.
    public init(sizes: [Int], cells: [(UInt32, UInt32, UInt32)], mass: [Double]) {
        precondition(cells.count == mass.count)
        var places = KeyPlaces<CellKey>(capacity: cells.count)
        var merged: [Double] = []
        for (cell, value) in zip(cells, mass) {
            let (place, isNew) = places.enter(CellKey(ids: cell))
            if isNew { merged.append(value) } else { merged[place] += value }
        }
        let keys = places.keys
        self.init(sizes: sizes, coordinates: [keys.map(\.mode0), keys.map(\.mode1), keys.map(\.mode2)], mass: merged)
    }

    /// A cell's ids in the three modes, as a key of the table that merges equal cells.
    struct CellKey: PlaceKey {
        let mode0: UInt32, mode1: UInt32, mode2: UInt32

        init(ids: (UInt32, UInt32, UInt32)) {
            (mode0, mode1, mode2) = ids
        }

        /// A well-mixed 64-bit hash of the three ids (SplitMix64's multipliers).
        var placeHash: UInt64 {
            var hash = (UInt64(mode0) ^ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
            hash = (hash ^ UInt64(mode1) ^ hash >> 29) &* 0x94D0_49BB_1331_11EB
            hash = (hash ^ UInt64(mode2) ^ hash >> 32) &* 0xBF58_476D_1CE4_E5B9
            return hash ^ hash >> 31
        }
    }
}

/// The cells of each slice of one mode of a `Tensor3` (compressed sparse rows, cells in
/// ascending order within a slice), with each cell's ids in the two other modes and its
/// mass stored alongside: removing a slice while peeling reads one contiguous run
/// instead of gathering from the coordinate columns at random.
struct SliceCells: Sendable {
    /// `offsets[s] ..< offsets[s + 1]` are the entries of slice `s`.
    let offsets: [Int]
    /// Per entry, the cell's number.
    let cells: [UInt32]
    /// Per entry, the cell's id in mode `(mode + 1) % 3`.
    let first: [UInt32]
    /// Per entry, the cell's id in mode `(mode + 2) % 3`.
    let second: [UInt32]
    /// Per entry, the cell's mass.
    let mass: [Double]

    init(mode: Int, sizes: [Int], coordinates: [[UInt32]], mass: [Double]) {
        let groups = EntityGroups(keys: coordinates[mode], entityCount: sizes[mode])
        let cells = groups.rows
        offsets = groups.offsets
        self.cells = cells
        first = cells.map { coordinates[(mode + 1) % 3][Int($0)] }
        second = cells.map { coordinates[(mode + 2) % 3][Int($0)] }
        self.mass = cells.map { mass[Int($0)] }
    }

    /// The entries of slice `id`.
    func range(of id: Int) -> Range<Int> { offsets[id]..<offsets[id + 1] }
}
