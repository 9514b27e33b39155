/// One bit per cell of a tensor: set while the cell is still in play. A bit set of half
/// a million cells is 64 KB, so the random checks of a peeling pass stay in cache.
struct LiveCells {
    private(set) var words: [UInt64]

    /// All `count` cells live.
    init(count: Int) {
        words = [UInt64](repeating: ~0, count: (count + 63) / 64)
        if count % 64 != 0 { words[words.count - 1] = (1 << UInt64(count % 64)) - 1 }
    }

    @inline(__always)
    func contains(_ cell: UInt32) -> Bool { words[Int(cell >> 6)] & (1 << UInt64(cell & 63)) != 0 }

    @inline(__always)
    mutating func remove(_ cell: UInt32) { words[Int(cell >> 6)] &= ~(1 << UInt64(cell & 63)) }
}

/// The cells that earlier passes have not taken out, with the mass and the number of
/// live cells of every slice kept up to date, so that a pass starts from a copy instead
/// of a sweep over the whole tensor.
struct RemainingCells {
    var live: LiveCells
    /// Per mode and slice, the mass of its live cells.
    var sliceMass: [[Double]]
    /// Per mode and slice, the number of its live cells.
    var sliceCells: [[Int]]
    var mass: Double
    var count: Int

    init(_ tensor: Tensor3) {
        live = LiveCells(count: tensor.cellCount)
        sliceMass = tensor.slices.map { slices in
            slices.mass.withUnsafeBufferPointer { mass in
                (0..<(slices.offsets.count - 1)).map { id in slices.range(of: id).reduce(0.0) { $0 + mass[$1] } }
            }
        }
        sliceCells = tensor.slices.map { slices in zip(slices.offsets.dropFirst(), slices.offsets).map { $0 - $1 } }
        mass = tensor.mass.reduce(0, +)
        count = tensor.cellCount
    }

    /// Per mode, the number of slices holding a live cell.
    var occupiedSlices: [Int] { sliceCells.map { counts in counts.count { $0 > 0 } } }

    /// Takes `cells` (live, each once) out.
    mutating func remove(_ cells: [UInt32], of tensor: Tensor3) {
        for cell in cells {
            let value = tensor.mass[Int(cell)]
            live.remove(cell)
            mass -= value
            count -= 1
            for mode in 0..<3 {
                let id = Int(tensor.coordinates[mode][Int(cell)])
                sliceMass[mode][id] -= value
                sliceCells[mode][id] -= 1
            }
        }
    }
}

extension DenseBlockFinder {
    /// One peeling pass over the remaining cells; nil when none are left.
    func peel(_ tensor: Tensor3, remaining: RemainingCells, background: Background, marks: MemberMarks) -> DenseBlock? {
        guard remaining.count > 0 else { return nil }
        let heaps = (0..<3).map { mode in
            SliceHeap(
                mass: remaining.sliceMass[mode],
                members: remaining.sliceCells[mode].indices.filter { remaining.sliceCells[mode][$0] > 0 }.map(UInt32.init))
        }
        var live = remaining.live
        var mass = remaining.mass
        var sides = SIMD3(Double(heaps[0].count), Double(heaps[1].count), Double(heaps[2].count))
        // The removal order of slices; the block is what is left after the best prefix.
        var removals: [(mode: Int, id: UInt32)] = []
        var best = measure(mass: mass, sides: sides, background: background)
        var bestPrefix = 0
        while heaps[0].count > 0 && heaps[1].count > 0 && heaps[2].count > 0 {
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
            let id = heaps[choice].popMinimum()
            sides[choice] -= 1
            mass -= Self.removeSlice(
                tensor.slices[choice].range(of: Int(id)), of: tensor.slices[choice], live: &live,
                heaps: (heaps[(choice + 1) % 3], heaps[(choice + 2) % 3]))
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
        return block(members, in: tensor, live: remaining.live, marks: marks, density: best)
    }

    /// Takes the live cells among `entries` of one slice out of the block: clears their
    /// bit and lowers the mass of their slices in the two other modes (`heaps.0` for
    /// mode + 1, `heaps.1` for mode + 2); returns the mass removed. The hot loop of
    /// peeling: each cell of the tensor passes here once per pass.
    static func removeSlice(
        _ entries: Range<Int>, of slices: SliceCells, live: inout LiveCells, heaps: (SliceHeap, SliceHeap)
    ) -> Double {
        var removed = 0.0
        slices.cells.withUnsafeBufferPointer { cells in
            slices.first.withUnsafeBufferPointer { firstIds in
                slices.second.withUnsafeBufferPointer { secondIds in
                    slices.mass.withUnsafeBufferPointer { mass in
                        for entry in entries where live.contains(cells[entry]) {
                            live.remove(cells[entry])
                            removed += mass[entry]
                            heaps.0.decrease(firstIds[entry], by: mass[entry])
                            heaps.1.decrease(secondIds[entry], by: mass[entry])
                        }
                    }
                }
            }
        }
        return removed
    }
}
