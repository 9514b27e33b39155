extension BlockSearch {
    /// `block` split into its parts: two mode-1 ids (shops) are joined when a fifth of
    /// the mode-0 ids (buyers) of the smaller, and at least two, have cells with both;
    /// each mode-0 id then goes to the part where it has most cells. Stray background
    /// cells link two blocks' ids, but give their shops few buyers in common.
    ///
    /// Buyers and shops are numbered by their rank in the block (members are ascending,
    /// so ranks keep the ids' order) and every count is a sort of packed keys or a dense
    /// array over those ranks: no hashing.
    func parts(of block: DenseBlock) -> [DenseBlock] {
        let cells = self.cells(of: block.members)
        let buyers = block.members[0], shops = block.members[1]
        let buyerRank = Ranks(buyers, size: tensor.sizes[0]), shopRank = Ranks(shops, size: tensor.sizes[1])
        // Distinct (buyer, shop) pairs, by buyer then shop.
        let pairs = Self.distinct(cells.map { cell in
            UInt64(buyerRank[tensor.coordinates[0][Int(cell)]]) << 32 | UInt64(shopRank[tensor.coordinates[1][Int(cell)]])
        })
        var buyersOfShop = [Int](repeating: 0, count: shops.count)
        for pair in pairs { buyersOfShop[Int(UInt32(truncatingIfNeeded: pair))] += 1 }
        // For each two shops, the buyers they share: a buyer of k shops gives k(k-1)/2 pairs.
        var sharedPairs: [UInt64] = []
        var start = 0
        while start < pairs.count {
            var end = start + 1
            while end < pairs.count && pairs[end] >> 32 == pairs[start] >> 32 { end += 1 }
            for a in start..<end {
                for b in (a + 1)..<end {
                    sharedPairs.append(pairs[a] << 32 | pairs[b] & 0xFFFF_FFFF)
                }
            }
            start = end
        }
        sharedPairs.sort()
        var parent = Array(0..<shops.count)
        func root(_ shop: Int) -> Int {
            var shop = shop
            while parent[shop] != shop { shop = parent[shop] }
            return shop
        }
        start = 0
        while start < sharedPairs.count {
            var end = start + 1
            while end < sharedPairs.count && sharedPairs[end] == sharedPairs[start] { end += 1 }
            let first = Int(sharedPairs[start] >> 32), second = Int(UInt32(truncatingIfNeeded: sharedPairs[start]))
            if end - start >= max(2, min(buyersOfShop[first], buyersOfShop[second]) / 5) {
                // A root is the lowest shop of its part.
                let a = root(first), b = root(second)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
            start = end
        }
        let partOfShop = (0..<shops.count).map(root)
        // Each buyer joins the part holding most of its cells (the lowest part on ties).
        let buyerCells = cells.map { cell in
            UInt64(buyerRank[tensor.coordinates[0][Int(cell)]]) << 32
                | UInt64(partOfShop[shopRank[tensor.coordinates[1][Int(cell)]]])
        }.sorted()
        var partOfBuyer = [Int](repeating: -1, count: buyers.count)
        var mostCells = [Int](repeating: 0, count: buyers.count)
        start = 0
        while start < buyerCells.count {
            var end = start + 1
            while end < buyerCells.count && buyerCells[end] == buyerCells[start] { end += 1 }
            let buyer = Int(buyerCells[start] >> 32)
            if end - start > mostCells[buyer] {
                mostCells[buyer] = end - start
                partOfBuyer[buyer] = Int(UInt32(truncatingIfNeeded: buyerCells[start]))
            }
            start = end
        }
        // Each part's members: the ids of the cells whose buyer joined their shop's part.
        var memberKeys: [[UInt64]] = [[], [], []]
        for cell in cells {
            let part = partOfShop[shopRank[tensor.coordinates[1][Int(cell)]]]
            guard partOfBuyer[buyerRank[tensor.coordinates[0][Int(cell)]]] == part else { continue }
            for mode in 0..<3 { memberKeys[mode].append(UInt64(part) << 32 | UInt64(tensor.coordinates[mode][Int(cell)])) }
        }
        let keys = memberKeys.map(Self.distinct)
        var found: [DenseBlock] = []
        var cursors = [0, 0, 0]
        while cursors[1] < keys[1].count {
            let part = keys[1][cursors[1]] >> 32
            let members = (0..<3).map { mode in
                var ids: [UInt32] = []
                while cursors[mode] < keys[mode].count && keys[mode][cursors[mode]] >> 32 == part {
                    ids.append(UInt32(truncatingIfNeeded: keys[mode][cursors[mode]]))
                    cursors[mode] += 1
                }
                return ids
            }
            found.append(self.block(members))
        }
        return found
    }

    /// `part` with every slice added whose cells inside the part's other two modes fill
    /// at least half as much of that volume as the part's own cells fill theirs: a
    /// slice that peeling dropped while two blocks were still one snapshot.
    func refined(_ part: DenseBlock) -> DenseBlock {
        var members = part.members
        for mode in 0..<3 {
            let others = [(mode + 1) % 3, (mode + 2) % 3]
            let needed = 0.5 * part.fill * Double(members[others[0]].count * members[others[1]].count)
            // Visit the slices of the other mode whose members hold fewer cells; check the
            // ids of the third.
            let via = entries(of: members[others[0]], mode: others[0]) <= entries(of: members[others[1]], mode: others[1]) ? 0 : 1
            let visited = others[via], checked = others[1 - via]
            marks.mark(members[mode], mode: mode)
            marks.mark(members[checked], mode: checked)
            let slices = tensor.slices[visited]
            // The entry arrays of `visited` hold mode `visited + 1` in `first`.
            let candidateIds = (visited + 1) % 3 == mode ? slices.first : slices.second
            let checkedIds = (visited + 1) % 3 == mode ? slices.second : slices.first
            var candidates: [UInt32] = []
            for id in members[visited] {
                for entry in slices.range(of: Int(id)) where remaining.live.contains(slices.cells[entry]) {
                    let candidate = candidateIds[entry]
                    guard !marks.contains(candidate, mode: mode), marks.contains(checkedIds[entry], mode: checked)
                    else { continue }
                    candidates.append(candidate)
                }
            }
            marks.unmark(members[mode], mode: mode)
            marks.unmark(members[checked], mode: checked)
            // A candidate's cells in the part's volume: the length of its run once sorted.
            candidates.sort()
            var start = 0
            var added: [UInt32] = []
            while start < candidates.count {
                var end = start + 1
                while end < candidates.count && candidates[end] == candidates[start] { end += 1 }
                if Double(end - start) >= needed { added.append(candidates[start]) }
                start = end
            }
            members[mode] = Self.merged(members[mode], added)
        }
        return block(members)
    }

    /// `part` peeled again on its own cells, against the whole tensor's background: the
    /// densest block inside it by the same measure. A part takes every id with a cell in
    /// it, so a stray background cell brings its buyer or its day along; this drops them.
    func trimmed(_ part: DenseBlock) -> DenseBlock {
        let cells = cells(of: part.members)
        let ranks = (0..<3).map { Ranks(part.members[$0], size: tensor.sizes[$0]) }
        let local = Tensor3(
            sizes: part.members.map(\.count),
            coordinates: (0..<3).map { mode in
                cells.map { UInt32(ranks[mode][tensor.coordinates[mode][Int($0)]]) }
            },
            mass: cells.map { tensor.mass[Int($0)] })
        guard let peeled = BlockSearch(finder: finder, tensor: local, background: background).peel() else { return part }
        return block((0..<3).map { mode in peeled.members[mode].map { part.members[mode][Int($0)] } })
    }

    /// `keys` sorted with repeats dropped.
    static func distinct(_ keys: [UInt64]) -> [UInt64] {
        var keys = keys
        keys.sort()
        var count = 0
        for key in keys where count == 0 || keys[count - 1] != key {
            keys[count] = key
            count += 1
        }
        keys.removeLast(keys.count - count)
        return keys
    }

    /// Two ascending id lists with no id in common, merged into one ascending list.
    static func merged(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        b.isEmpty ? a : (a + b).sorted()
    }
}

/// Rank of each member id in an ascending member list, read through a dense array of
/// the mode's size.
private struct Ranks {
    private let rank: [Int32]

    init(_ members: [UInt32], size: Int) {
        var rank = [Int32](repeating: -1, count: size)
        for (index, id) in members.enumerated() { rank[Int(id)] = Int32(index) }
        self.rank = rank
    }

    subscript(id: UInt32) -> Int { Int(rank[Int(id)]) }
}
