import Columnar

extension BlockSearch {
    /// `block` (whose remaining cells are `cells`) split into its parts: two mode-1 ids
    /// (shops) are joined when a fifth of the mode-0 ids (buyers) of the smaller, and at
    /// least two, have cells with both; each mode-0 id then goes to the part where it
    /// has most cells. Stray background cells link two blocks' ids, but give their shops
    /// few buyers in common. Parts come in the order of their lowest shop.
    ///
    /// Buyers and shops are numbered by their rank in the block (members are ascending,
    /// so ranks keep the ids' order); every count is a dense array over ranks, grouped
    /// by counting sorts: no hashing, no comparison sorts over cells.
    func parts(of block: DenseBlock, cells: [UInt32]) -> [DenseBlock] {
        let buyers = block.members[0].count, shops = block.members[1].count
        let buyerRank = Ranks(block.members[0], size: tensor.sizes[0])
        let shopRank = Ranks(block.members[1], size: tensor.sizes[1])
        let cellBuyer = cells.map { buyerRank[tensor.coordinates[0][Int($0)]] }
        let cellShop = cells.map { shopRank[tensor.coordinates[1][Int($0)]] }
        let cellsOfBuyer = EntityGroups(keys: cellBuyer, entityCount: buyers)
        // Each buyer's distinct shops, ascending (`pairShop[pairOffsets[b] ..< pairOffsets[b + 1]]`):
        // cells in shop order, then grouped by buyer (a stable counting sort).
        let cellsOfShop = EntityGroups(keys: cellShop, entityCount: shops)
        let byShop = EntityGroups(keys: cellsOfShop.rows.map { cellBuyer[Int($0)] }, entityCount: buyers)
        var pairOffsets = [0], pairShop: [UInt32] = [], pairBuyer: [UInt32] = []
        for buyer in 0..<buyers {
            for position in byShop.rows(of: buyer) {
                let shop = cellShop[Int(cellsOfShop.rows[Int(position)])]
                if pairShop.count == pairOffsets[buyer] || pairShop[pairShop.count - 1] != shop {
                    pairShop.append(shop)
                    pairBuyer.append(UInt32(buyer))
                }
            }
            pairOffsets.append(pairShop.count)
        }
        let pairsOfShop = EntityGroups(keys: pairShop, entityCount: shops)
        // Two shops whose shared buyers reach the threshold are one part.
        var parent = Array(0..<shops)
        func root(_ shop: Int) -> Int {
            var shop = shop
            while parent[shop] != shop { shop = parent[shop] }
            return shop
        }
        var shared = [Int32](repeating: 0, count: shops)
        var touched: [Int] = []
        for a in 0..<shops {
            // The buyers of shop a and, for each, its shops above a (they follow a in
            // the buyer's ascending list): the buyers a shares with every higher shop b.
            shared.withUnsafeMutableBufferPointer { shared in
                pairShop.withUnsafeBufferPointer { pairShop in
                    for pair in pairsOfShop.rows(of: a) {
                        let buyer = Int(pairBuyer[Int(pair)])
                        for other in (Int(pair) + 1)..<pairOffsets[buyer + 1] {
                            let b = Int(pairShop[other])
                            if shared[b] == 0 { touched.append(b) }
                            shared[b] += 1
                        }
                    }
                }
            }
            for b in touched {
                if Int(shared[b]) >= max(2, min(pairsOfShop.count(of: a), pairsOfShop.count(of: b)) / 5) {
                    // A root is the lowest shop of its part.
                    let rootA = root(a), rootB = root(b)
                    if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
                }
                shared[b] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        let partOfShop = (0..<shops).map(root)
        // Each buyer joins the part holding most of its cells (the lowest part on ties);
        // `shared` counts again, now cells per part.
        var partOfBuyer = [Int](repeating: -1, count: buyers)
        for buyer in 0..<buyers {
            let rows = cellsOfBuyer.rows(of: buyer)
            for index in rows { shared[partOfShop[Int(cellShop[Int(index)])]] += 1 }
            var most: Int32 = 0
            for index in rows {
                let part = partOfShop[Int(cellShop[Int(index)])]
                if shared[part] > most || (shared[part] == most && part < partOfBuyer[buyer]) {
                    most = shared[part]
                    partOfBuyer[buyer] = part
                }
            }
            for index in rows { shared[partOfShop[Int(cellShop[Int(index)])]] = 0 }
        }
        // A part's cells: those whose buyer joined their shop's part. They are all the
        // cells inside the part's members, which are the ids they name.
        let cellPart = cells.indices.map { index in
            let part = partOfShop[Int(cellShop[index])]
            return partOfBuyer[Int(cellBuyer[index])] == part ? UInt32(part) : IdDictionary.absent
        }
        let cellsOfPart = EntityGroups(keys: cellPart, entityCount: shops)
        return (0..<shops).filter { cellsOfPart.count(of: $0) > 0 }.map { part in
            let partCells = cellsOfPart.rows(of: part).map { cells[Int($0)] }
            let members = (0..<3).map { mode in
                var ids: [UInt32] = []
                for cell in partCells where marks.insert(tensor.coordinates[mode][Int(cell)], mode: mode) {
                    ids.append(tensor.coordinates[mode][Int(cell)])
                }
                marks.unmark(ids, mode: mode)
                return ids.sorted()
            }
            return self.block(members, cells: partCells)
        }
    }

    /// `part` with every slice added whose cells inside the part's other two modes fill
    /// at least half as much of that volume as the part's own cells fill theirs: a
    /// slice that peeling dropped while two blocks were still one snapshot.
    func refined(_ part: DenseBlock) -> DenseBlock {
        var members = part.members
        var grown = false
        for mode in 0..<3 {
            let others = [(mode + 1) % 3, (mode + 2) % 3]
            let needed = 0.5 * part.fill * Double(members[others[0]].count * members[others[1]].count)
            // Visit the slices of the other mode whose members hold fewer cells; check the
            // ids of the third.
            let via = entries(of: members[others[0]], mode: others[0]) <= entries(of: members[others[1]], mode: others[1])
                ? 0 : 1
            let visited = others[via], checked = others[1 - via]
            marks.mark(members[mode], mode: mode)
            marks.mark(members[checked], mode: checked)
            let slices = tensor.slices[visited]
            // The entry arrays of `visited` hold mode `visited + 1` in `first`.
            let candidateIds = (visited + 1) % 3 == mode ? slices.first : slices.second
            let checkedIds = (visited + 1) % 3 == mode ? slices.second : slices.first
            var candidates: [UInt32] = []
            slices.cells.withUnsafeBufferPointer { cells in
                candidateIds.withUnsafeBufferPointer { candidateIds in
                    checkedIds.withUnsafeBufferPointer { checkedIds in
                        remaining.live.words.withUnsafeBufferPointer { live in
                            let inMode = marks.flags[mode], inChecked = marks.flags[checked]
                            let counts = marks.counters[mode]
                            for id in members[visited] {
                                for entry in slices.range(of: Int(id)) {
                                    let bit = LiveCells.bit(of: cells[entry]), candidate = Int(candidateIds[entry])
                                    guard live[bit.word] & bit.mask != 0, !inMode[candidate], inChecked[Int(checkedIds[entry])]
                                    else { continue }
                                    counts[candidate] += 1
                                    if counts[candidate] == 1 { candidates.append(UInt32(candidate)) }
                                }
                            }
                        }
                    }
                }
            }
            marks.unmark(members[mode], mode: mode)
            marks.unmark(members[checked], mode: checked)
            let added = candidates.filter { Double(marks.takeCount($0, mode: mode)) >= needed }
            if !added.isEmpty {
                members[mode] = (members[mode] + added).sorted()
                grown = true
            }
        }
        return grown ? block(members) : part
    }

    /// `part` peeled again on its own cells, against the whole tensor's background: the
    /// densest block inside it by the same measure. A part takes every id with a cell in
    /// it, so a stray background cell brings its buyer or its day along; this drops them.
    func trimmed(_ part: DenseBlock) -> DenseBlock {
        let cells = cells(of: part.members)
        let ranks = (0..<3).map { Ranks(part.members[$0], size: tensor.sizes[$0]) }
        let local = Tensor3(
            sizes: part.members.map(\.count),
            coordinates: (0..<3).map { mode in cells.map { ranks[mode][tensor.coordinates[mode][Int($0)]] } },
            mass: cells.map { tensor.mass[Int($0)] })
        guard let kept = BlockSearch(finder: finder, tensor: local, background: background).peel() else { return part }
        return block((0..<3).map { mode in kept[mode].map { part.members[mode][Int($0)] } })
    }
}

/// Rank of each member id in an ascending member list, read through a dense array of
/// the mode's size.
private struct Ranks {
    private let rank: [UInt32]

    init(_ members: [UInt32], size: Int) {
        var rank = [UInt32](repeating: .max, count: size)
        for (index, id) in members.enumerated() { rank[Int(id)] = UInt32(index) }
        self.rank = rank
    }

    subscript(id: UInt32) -> UInt32 { rank[Int(id)] }
}
