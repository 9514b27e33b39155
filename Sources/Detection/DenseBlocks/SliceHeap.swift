/// An indexed binary min-heap of one mode's slices keyed by their mass, so that the
/// lightest slice is found in O(1) and a slice whose mass drops moves up in O(log n).
/// Ties break by slice id, which keeps peeling deterministic.
///
/// Peeling updates a heap once per cell, so the storage is three raw buffers owned by
/// this object (no copy-on-write checks on the hot path); every index is in range by
/// construction: `heap` holds `count` slice ids, `position` and `mass` one entry per
/// slice of the mode.
final class SliceHeap {
    private let heap: UnsafeMutableBufferPointer<UInt32>
    /// Position of each slice in `heap`, or -1 when it is not in the heap.
    private let position: UnsafeMutableBufferPointer<Int32>
    private let masses: UnsafeMutableBufferPointer<Double>
    private(set) var count: Int

    init(mass: [Double], members: [UInt32]) {
        heap = .allocate(capacity: max(1, members.count))
        position = .allocate(capacity: max(1, mass.count))
        masses = .allocate(capacity: max(1, mass.count))
        _ = position.initialize(from: repeatElement(-1, count: position.count))
        _ = masses.initialize(from: mass + repeatElement(0, count: masses.count - mass.count))
        _ = heap.initialize(from: members + repeatElement(0, count: heap.count - members.count))
        count = members.count
        for index in 0..<count { position[Int(heap[index])] = Int32(index) }
        if count > 1 {
            for index in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        }
    }

    deinit {
        heap.deallocate()
        position.deallocate()
        masses.deallocate()
    }

    var minimum: UInt32? { count > 0 ? heap[0] : nil }

    /// The current mass of slice `id`.
    func mass(_ id: UInt32) -> Double { masses[Int(id)] }

    /// The slices still in the heap, in heap order.
    var members: [UInt32] { Array(heap[0..<count]) }

    /// Removes and returns the lightest slice.
    func popMinimum() -> UInt32 {
        let top = heap[0]
        count -= 1
        position[Int(top)] = -1
        if count > 0 {
            let last = heap[count]
            heap[0] = last
            position[Int(last)] = 0
            siftDown(0)
        }
        return top
    }

    /// Lowers the mass of slice `id` by `amount` (>= 0), moving it up if it is still in
    /// the heap.
    func decrease(_ id: UInt32, by amount: Double) {
        masses[Int(id)] -= amount
        let index = Int(position[Int(id)])
        // Most decreases leave a slice above its parent: check before the call.
        if index > 0 && less(id, heap[(index - 1) / 2]) { siftUp(index) }
    }

    @inline(__always)
    private func less(_ a: UInt32, _ b: UInt32) -> Bool {
        let massA = masses[Int(a)], massB = masses[Int(b)]
        return massA < massB || (massA == massB && a < b)
    }

    private func siftUp(_ start: Int) {
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

    private func siftDown(_ start: Int) {
        var index = start
        let item = heap[index]
        while true {
            let left = 2 * index + 1
            guard left < count else { break }
            var child = left
            if left + 1 < count && less(heap[left + 1], heap[left]) { child = left + 1 }
            guard less(heap[child], item) else { break }
            heap[index] = heap[child]
            position[Int(heap[index])] = Int32(index)
            index = child
        }
        heap[index] = item
        position[Int(item)] = Int32(index)
    }
}
