import Testing

@testable import Detection

@Suite struct DenseBlockTests {
    /// A random background of `background` cells plus blocks injected at the given fill.
    static func injected(
        sizes: [Int], background: Int, blocks: [(sides: [Int], fill: Double)], seed: UInt64
    ) -> (tensor: Tensor3, truth: [[[UInt32]]]) {
        var random = SplitMix(seed: seed)
        var cells: [(UInt32, UInt32, UInt32)] = (0..<background).map { _ in
            (UInt32(random.next() % UInt64(sizes[0])), UInt32(random.next() % UInt64(sizes[1])),
             UInt32(random.next() % UInt64(sizes[2])))
        }
        var truth: [[[UInt32]]] = []
        for block in blocks {
            let members = (0..<3).map { mode in
                Array((0..<sizes[mode]).map(UInt32.init).shuffled(using: &random).prefix(block.sides[mode])).sorted()
            }
            for a in members[0] { for b in members[1] { for c in members[2] where Double(random.next() % 1000) < block.fill * 1000 {
                cells.append((a, b, c))
            } } }
            truth.append(members)
        }
        return (Tensor3(sizes: sizes, cells: cells, mass: [Double](repeating: 1, count: cells.count)), truth)
    }

    @Test func findsAnInjectedBlockExactly() {
        let (tensor, truth) = Self.injected(
            sizes: [2000, 400, 60], background: 40_000, blocks: [(sides: [50, 10, 3], fill: 0.8)], seed: 7)
        let blocks = DenseBlockFinder(maximumBlocks: 1).blocks(in: tensor)
        #expect(blocks.count == 1)
        #expect(blocks.first?.members == truth[0])
    }

    @Test func findsSeveralBlocksDensestFirst() {
        let (tensor, truth) = Self.injected(
            sizes: [3000, 500, 60], background: 60_000,
            blocks: [(sides: [40, 8, 4], fill: 0.9), (sides: [20, 4, 2], fill: 1.0)], seed: 11)
        let blocks = DenseBlockFinder(maximumBlocks: 2).blocks(in: tensor)
        #expect(blocks.map(\.members).sorted { $0[0].count > $1[0].count } == truth)
    }

    @Test func plainPeelingMatchesBruteForceOnTinyTensor() {
        // 2x2x1 block of mass 4 in a 4x4x2 tensor with two stray cells: the densest
        // arithmetic block is the 2x2x1 block (4 / (5/3) = 2.4) over any alternative.
        let cells: [(UInt32, UInt32, UInt32)] = [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0), (3, 2, 1), (2, 3, 1)]
        let tensor = Tensor3(sizes: [4, 4, 2], cells: cells, mass: [1, 1, 1, 1, 1, 1])
        let block = DenseBlockFinder(density: .arithmetic, maximumBlocks: 1, minimumSides: [1, 1, 1], minimumFillLift: 0).blocks(in: tensor).first
        #expect(block?.members == [[0, 1], [0, 1], [0]])
        #expect(block?.mass == 4)
        #expect(block?.fill == 1)
    }
}

@Suite struct DenseBlockSplitTests {
    @Test func twoUnrelatedBlocksAreReportedApart() {
        // Two full blocks and one stray cell linking them.
        var cells: [(UInt32, UInt32, UInt32)] = []
        for buyer in 0..<10 { for shop in 0..<3 { for day in 0..<2 { cells.append((UInt32(buyer), UInt32(shop), UInt32(day))) } } }
        for buyer in 10..<30 { for shop in 3..<8 { for day in 5..<7 { cells.append((UInt32(buyer), UInt32(shop), UInt32(day))) } } }
        cells.append((0, 5, 6))
        let tensor = Tensor3(sizes: [100, 50, 10], cells: cells, mass: [Double](repeating: 1, count: cells.count))
        let blocks = DenseBlockFinder(maximumBlocks: 2, minimumFillLift: 0).blocks(in: tensor)
        #expect(blocks.map { $0.members.map(\.count) }.sorted { $0[0] < $1[0] } == [[10, 3, 2], [20, 5, 2]])
    }
}
