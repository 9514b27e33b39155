/// One search of a tensor for dense blocks, the state of one
/// `DenseBlockFinder.blocks(in:)` call: the cells that earlier passes have not taken out,
/// the background `susp` compares blocks with, and scratch marks. Every block it
/// measures counts only the remaining cells.
struct BlockSearch {
    let finder: DenseBlockFinder
    let tensor: Tensor3
    let background: Background
    var remaining: RemainingCells
    let marks: MemberMarks

    /// A search of `tensor`; `background` defaults to the tensor's own (a part of a block
    /// is searched against the whole tensor's).
    init(finder: DenseBlockFinder, tensor: Tensor3, background: Background? = nil) {
        self.finder = finder
        self.tensor = tensor
        remaining = RemainingCells(tensor)
        // The background's shape: slices that hold any cell (ids never used are no part
        // of the relation, and counting them would make any non-empty block look dense).
        self.background = background ?? Background(
            mass: remaining.mass, sides: SIMD3(remaining.occupiedSlices.map { Double(max(1, $0)) }))
        marks = MemberMarks(sizes: tensor.sizes)
    }

    /// The tensor's fill over the background's shape.
    var tensorFill: Double {
        Double(tensor.cellCount) / (background.sides[0] * background.sides[1] * background.sides[2])
    }

    /// The block with these members: its mass, cell count and density over the remaining
    /// cells, which are `cells` when the caller has them.
    func block(_ members: [[UInt32]], cells: [UInt32]? = nil) -> DenseBlock {
        let inside = cells ?? self.cells(of: members)
        var mass = 0.0
        tensor.mass.withUnsafeBufferPointer { cellMass in
            for cell in inside { mass += cellMass[Int(cell)] }
        }
        let sides = SIMD3(Double(members[0].count), Double(members[1].count), Double(members[2].count))
        return DenseBlock(
            members: members, mass: mass, density: finder.measure(mass: mass, sides: sides, background: background),
            cellCount: inside.count)
    }

    /// The remaining cells whose three ids are in `members`, found through the slices of
    /// the mode whose members hold the fewest cells.
    func cells(of members: [[UInt32]]) -> [UInt32] {
        let mode = (0..<3).min { entries(of: members[$0], mode: $0) < entries(of: members[$1], mode: $1) }!
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
                    remaining.live.words.withUnsafeBufferPointer { live in
                        let inFirst = marks.flags[first], inSecond = marks.flags[second]
                        for id in members[mode] {
                            for entry in slices.range(of: Int(id)) {
                                let bit = LiveCells.bit(of: cells[entry])
                                if live[bit.word] & bit.mask != 0 && inFirst[Int(firstIds[entry])]
                                    && inSecond[Int(secondIds[entry])]
                                {
                                    inside.append(cells[entry])
                                }
                            }
                        }
                    }
                }
            }
        }
        return inside
    }

    /// The number of cells (remaining or not) in the slices `ids` of `mode`: the cost of
    /// visiting them.
    func entries(of ids: [UInt32], mode: Int) -> Int {
        let offsets = tensor.slices[mode].offsets
        return ids.reduce(0) { $0 + offsets[Int($1) + 1] - offsets[Int($1)] }
    }

    /// Takes those of `cells` that remain out of the search.
    mutating func takeOut(_ cells: [UInt32]) {
        remaining.remove(cells, of: tensor)
    }
}

/// What `susp` compares a block with: the tensor's mass spread uniformly over the
/// slices that hold any cell (each side at least 1).
struct Background {
    var mass: Double
    var sides: SIMD3<Double>
}

/// One bit per cell of a tensor: set while the cell is still in play. A bit set of half
/// a million cells is 64 KB, so the random checks of a peeling pass stay in cache. Hot
/// loops read `words` through a raw buffer with `LiveCells.bit(of:)`.
struct LiveCells {
    private(set) var words: [UInt64]

    /// All `count` cells live.
    init(count: Int) {
        words = [UInt64](repeating: ~0, count: (count + 63) / 64)
        if count % 64 != 0 { words[words.count - 1] = (1 << UInt64(count % 64)) - 1 }
    }

    /// The word of `words` that holds the bit of `cell`, and the bit.
    @inline(__always)
    static func bit(of cell: UInt32) -> (word: Int, mask: UInt64) { (Int(cell >> 6), 1 << UInt64(cell & 63)) }

    /// Clears the bits of `cells`; returns those that were set, in order.
    mutating func remove(_ cells: [UInt32]) -> [UInt32] {
        var removed: [UInt32] = []
        removed.reserveCapacity(cells.count)
        words.withUnsafeMutableBufferPointer { words in
            for cell in cells {
                let bit = Self.bit(of: cell)
                if words[bit.word] & bit.mask != 0 {
                    words[bit.word] &= ~bit.mask
                    removed.append(cell)
                }
            }
        }
        return removed
    }
}

/// The cells that earlier passes have not taken out, with the mass and the number of
/// remaining cells of every slice kept up to date, so that a pass starts from a copy
/// instead of a sweep over the whole tensor.
struct RemainingCells {
    var live: LiveCells
    /// Per mode and slice, the mass of its remaining cells.
    var sliceMass: [[Double]]
    /// Per mode and slice, the number of its remaining cells.
    var sliceCells: [[Int32]]
    var mass: Double
    var count: Int

    init(_ tensor: Tensor3) {
        live = LiveCells(count: tensor.cellCount)
        sliceMass = tensor.slices.map { slices in
            slices.mass.withUnsafeBufferPointer { mass in
                (0..<(slices.offsets.count - 1)).map { id in slices.range(of: id).reduce(0.0) { $0 + mass[$1] } }
            }
        }
        sliceCells = tensor.slices.map { slices in zip(slices.offsets.dropFirst(), slices.offsets).map { Int32($0 - $1) } }
        mass = tensor.mass.reduce(0, +)
        count = tensor.cellCount
    }

    /// Per mode, the number of slices holding a remaining cell.
    var occupiedSlices: [Int] { sliceCells.map { counts in counts.count { $0 > 0 } } }

    /// The slices of `mode` holding a remaining cell, ascending.
    func occupied(mode: Int) -> [UInt32] {
        sliceCells[mode].indices.filter { sliceCells[mode][$0] > 0 }.map { UInt32($0) }
    }

    /// Takes those of `cells` (each at most once) that remain out.
    mutating func remove(_ cells: [UInt32], of tensor: Tensor3) {
        let taken = live.remove(cells)
        count -= taken.count
        if count == 0 {
            // Everything went (a pass whose best snapshot was all that remained): zero
            // the tallies rather than update them cell by cell.
            mass = 0
            for mode in 0..<3 {
                sliceMass[mode] = [Double](repeating: 0, count: sliceMass[mode].count)
                sliceCells[mode] = [Int32](repeating: 0, count: sliceCells[mode].count)
            }
            return
        }
        tensor.mass.withUnsafeBufferPointer { cellMass in
            for cell in taken { mass -= cellMass[Int(cell)] }
            for mode in 0..<3 {
                tensor.coordinates[mode].withUnsafeBufferPointer { ids in
                    sliceMass[mode].withUnsafeMutableBufferPointer { sliceMass in
                        sliceCells[mode].withUnsafeMutableBufferPointer { sliceCells in
                            for cell in taken {
                                let id = Int(ids[Int(cell)])
                                sliceMass[id] -= cellMass[Int(cell)]
                                sliceCells[id] -= 1
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Per mode, a flag and a counter per id, set for the members of one block at a time
/// and cleared through the same id list, so that a block costs its own size and never
/// a sweep of the whole id range. Owned by one search.
final class MemberMarks {
    /// Per mode, the flag of each id; hot loops take one mode's buffer out first.
    let flags: [UnsafeMutableBufferPointer<Bool>]
    /// Per mode, a counter per id, zero outside a count in progress.
    let counters: [UnsafeMutableBufferPointer<UInt32>]

    init(sizes: [Int]) {
        flags = sizes.map { size in
            let buffer = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(1, size))
            buffer.initialize(repeating: false)
            return buffer
        }
        counters = sizes.map { size in
            let buffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(1, size))
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        flags.forEach { $0.deallocate() }
        counters.forEach { $0.deallocate() }
    }

    func mark(_ ids: [UInt32], mode: Int) { for id in ids { flags[mode][Int(id)] = true } }

    func unmark(_ ids: [UInt32], mode: Int) { for id in ids { flags[mode][Int(id)] = false } }

    /// Marks `id`; true when it was not marked yet.
    @inline(__always)
    func insert(_ id: UInt32, mode: Int) -> Bool {
        defer { flags[mode][Int(id)] = true }
        return !flags[mode][Int(id)]
    }

    /// The counter of `id`, set back to zero.
    func takeCount(_ id: UInt32, mode: Int) -> UInt32 {
        defer { counters[mode][Int(id)] = 0 }
        return counters[mode][Int(id)]
    }
}
