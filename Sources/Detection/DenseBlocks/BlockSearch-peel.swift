extension BlockSearch {
    /// One peeling pass over the remaining cells: the members of the densest snapshot,
    /// ascending; nil when no cell remains.
    func peel() -> [[UInt32]]? {
        guard remaining.count > 0 else { return nil }
        let heaps = (0..<3).map { mode in
            SliceHeap(mass: remaining.sliceMass[mode], members: remaining.occupied(mode: mode))
        }
        var live = remaining.live.words
        var mass = remaining.mass
        var sides = SIMD3(Double(heaps[0].count), Double(heaps[1].count), Double(heaps[2].count))
        // The removal order of slices; the block is what is left after the best prefix.
        var removals: [(mode: Int, id: UInt32)] = []
        removals.reserveCapacity(heaps.reduce(0) { $0 + $1.count })
        var best = finder.measure(mass: mass, sides: sides, background: background)
        var bestPrefix = 0
        live.withUnsafeMutableBufferPointer { live in
            while heaps[0].count > 0 && heaps[1].count > 0 && heaps[2].count > 0 {
                // Of each mode's lightest slice, remove the one that leaves the densest block.
                var choice = 0
                var choiceDensity = -Double.infinity
                for mode in 0..<3 {
                    var after = sides
                    after[mode] -= 1
                    let density = finder.measure(
                        mass: mass - heaps[mode].mass(heaps[mode].minimum!), sides: after, background: background)
                    if density > choiceDensity {
                        choiceDensity = density
                        choice = mode
                    }
                }
                let id = heaps[choice].popMinimum()
                sides[choice] -= 1
                let slices = tensor.slices[choice]
                mass -= slices.cells.withUnsafeBufferPointer { cells in
                    slices.first.withUnsafeBufferPointer { first in
                        slices.second.withUnsafeBufferPointer { second in
                            slices.mass.withUnsafeBufferPointer { cellMass in
                                Self.removeSlice(
                                    slices.range(of: Int(id)), cells: cells, first: first, second: second,
                                    mass: cellMass, live: live, heaps: (heaps[(choice + 1) % 3], heaps[(choice + 2) % 3]))
                            }
                        }
                    }
                }
                removals.append((choice, id))
                if choiceDensity > best {
                    best = choiceDensity
                    bestPrefix = removals.count
                }
            }
        }
        // Members: slices never removed plus those removed after the best prefix.
        var members: [[UInt32]] = heaps.map(\.members)
        for (mode, id) in removals[bestPrefix...] { members[mode].append(id) }
        for mode in 0..<3 { members[mode].sort() }
        return members
    }

    /// Takes the live cells among `entries` of one slice (entry arrays of `SliceCells`)
    /// out of the block: clears their bit in `live` and lowers the mass of their slices
    /// in the two other modes (`heaps.0` for mode + 1, `heaps.1` for mode + 2); returns
    /// the mass removed. The hot loop of peeling: each cell passes here once per pass.
    @inline(__always)
    static func removeSlice(
        _ entries: Range<Int>, cells: UnsafeBufferPointer<UInt32>, first: UnsafeBufferPointer<UInt32>,
        second: UnsafeBufferPointer<UInt32>, mass: UnsafeBufferPointer<Double>, live: UnsafeMutableBufferPointer<UInt64>,
        heaps: (SliceHeap, SliceHeap)
    ) -> Double {
        var removed = 0.0
        for entry in entries {
            let bit = LiveCells.bit(of: cells[entry])
            guard live[bit.word] & bit.mask != 0 else { continue }
            live[bit.word] &= ~bit.mask
            removed += mass[entry]
            heaps.0.decrease(first[entry], by: mass[entry])
            heaps.1.decrease(second[entry], by: mass[entry])
        }
        return removed
    }
}
