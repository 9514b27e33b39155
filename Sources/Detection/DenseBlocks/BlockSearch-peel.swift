extension BlockSearch {
    /// One peeling pass over the remaining cells; nil when none are left.
    func peel() -> DenseBlock? {
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
        var best = finder.measure(mass: mass, sides: sides, background: background)
        var bestPrefix = 0
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
        return block(members)
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
