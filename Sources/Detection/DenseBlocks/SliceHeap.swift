/// An indexed binary min-heap of one mode's slices keyed by their mass, so that the
/// lightest slice is found in O(1) and a slice whose mass drops moves up in O(log n).
/// Ties break by slice id, which keeps peeling deterministic.
struct SliceHeap {
    private(set) var heap: [UInt32] = []
    /// Position of each slice in `heap`, or -1 when it is not in the heap.
    private var position: [Int32]
    private(set) var mass: [Double]

    init(mass: [Double], members: [UInt32]) {
        self.mass = mass
        position = [Int32](repeating: -1, count: mass.count)
        heap = members
        for (index, id) in heap.enumerated() { position[Int(id)] = Int32(index) }
        if heap.count > 1 {
            for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        }
    }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var minimum: UInt32? { heap.first }

    func contains(_ id: UInt32) -> Bool { position[Int(id)] >= 0 }

    /// Removes and returns the lightest slice.
    mutating func popMinimum() -> UInt32 {
        let top = heap[0]
        let last = heap.removeLast()
        position[Int(top)] = -1
        if !heap.isEmpty {
            heap[0] = last
            position[Int(last)] = 0
            siftDown(0)
        }
        return top
    }

    /// Lowers the mass of a slice still in the heap by `amount` (>= 0).
    mutating func decrease(_ id: UInt32, by amount: Double) {
        mass[Int(id)] -= amount
        let index = Int(position[Int(id)])
        if index >= 0 { siftUp(index) }
    }

    private func less(_ a: UInt32, _ b: UInt32) -> Bool {
        (mass[Int(a)], a) < (mass[Int(b)], b)
    }

    private mutating func siftUp(_ start: Int) {
        var index = start
        let item = heap[index]
        while index > 0 {
            let parent = (index - 1) / 2
            guard less(item, heap[parent]) else { break }
            heap[index] = heap[parent]
            position[Int(heap[index])] = Int32(index)
            index = parent
        }
        heap[index] = item
        position[Int(item)] = Int32(index)
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        let item = heap[index]
        while true {
            let left = 2 * index + 1
            guard left < heap.count else { break }
            var child = left
            if left + 1 < heap.count && less(heap[left + 1], heap[left]) { child = left + 1 }
            guard less(heap[child], item) else { break }
            heap[index] = heap[child]
            position[Int(heap[index])] = Int32(index)
            index = child
        }
        heap[index] = item
        position[Int(item)] = Int32(index)
    }
}
