/// A table column: fixed-width values read by position, which either are the column's own
/// (memory its owner allocated and frees: what the CSV reader and every builder produce)
/// or are viewed where they lie in a mapped file (a native export's raw column,
/// `Column(viewing:byteOffset:count:)`), so that loading it takes no fresh memory. Reads
/// see one buffer either way: indexing is a bounds check and a load. A mutation (the CSV
/// reader appends batches; tests set values) first makes the values the column's own and
/// unshared, copying a viewed or shared column as an array copies on write; so values are
/// never written while shared, which makes the column `Sendable`.
public struct Column<Element: BitwiseCopyable>: @unchecked Sendable {
    /// Keeps `values` alive: the memory they are in, or the mapping they lie in.
    @usableFromInline var owner: ColumnOwner<Element>
    /// The values, read-only; valid while `owner` lives.
    @usableFromInline var values: UnsafeBufferPointer<Element>

    /// An empty column.
    @inlinable
    public init() {
        owner = ColumnOwner(capacity: 0)
        values = UnsafeBufferPointer(start: nil, count: 0)
    }

    /// A column of `elements`, its own (copied once into the owner's memory).
    @inlinable
    public init(_ elements: [Element]) {
        self.init()
        elements.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// A column of the values `write` puts at the start of the column's fresh memory of
    /// `capacity` values, returning how many (at most `capacity`): a decoder fills a column
    /// with no array to copy from.
    init(capacity: Int, writing write: (UnsafeMutableBufferPointer<Element>) -> Int) {
        owner = ColumnOwner(capacity: capacity)
        let count = write(owner.memory)
        precondition(count >= 0 && count <= owner.memory.count, "more values written than room")
        values = UnsafeBufferPointer(start: owner.memory.baseAddress, count: count)
    }

    /// A column of `count` values lying at `byteOffset` in `file`, which must be aligned for
    /// `Element` and hold them; `file` lives as long as the column or any copy of it.
    /// The values are the file's bytes as they are (little-endian, as this machine reads).
    public init(viewing file: FileBytes, byteOffset: Int, count: Int) {
        let width = MemoryLayout<Element>.stride
        precondition(byteOffset >= 0 && count >= 0 && byteOffset + count * width <= file.count, "values outside the file")
        let start = file.bytes.baseAddress.map { $0 + byteOffset }
        precondition(count == 0 || Int(bitPattern: start) % MemoryLayout<Element>.alignment == 0, "misaligned values")
        owner = ColumnOwner(file: file)
        values = UnsafeBufferPointer(start: start?.assumingMemoryBound(to: Element.self), count: count)
    }

    /// Whether the values lie in a mapped file rather than in memory of the column's own.
    public var isViewingFile: Bool { owner.file != nil }

    /// Runs `body` with the values.
    @inlinable
    public func withUnsafeBufferPointer<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Element>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(values)
    }

    /// Makes the values the column's own and unshared, in memory with room for at least
    /// `capacity` values (never fewer than `count`), copying them when they are viewed,
    /// shared or lack room; returns where they start. Every mutation begins here. (A
    /// mutation that replaces `owner` reads `values` inside `withExtendedLifetime(owner)`:
    /// nothing else tells the optimizer that `values` needs the old owner, and it does
    /// release it early.)
    @inlinable
    mutating func makeOwnUnshared(capacity: Int) -> UnsafeMutablePointer<Element>? {
        if !isKnownUniquelyReferenced(&owner) || owner.file != nil || owner.memory.count < capacity {
            let copy = ColumnOwner<Element>(capacity: Swift.max(capacity, values.count))
            if let from = values.baseAddress, let to = copy.memory.baseAddress {
                withExtendedLifetime(owner) { to.initialize(from: from, count: values.count) }
            }
            owner = copy
            values = UnsafeBufferPointer(start: copy.memory.baseAddress, count: values.count)
        }
        return owner.memory.baseAddress
    }

    /// Runs `body` with the values as an unshared array, which it may change in any way;
    /// the array is copied in and, after `body`, back into memory of the column's own.
    @inlinable
    public mutating func withElements<Result>(_ body: (inout [Element]) throws -> Result) rethrows -> Result {
        var elements = withExtendedLifetime(owner) { Array(values) }
        defer { self = Column(elements) }
        return try body(&elements)
    }

    /// Runs `body` with the values made the column's own and writable in place; `body`
    /// must not replace the buffer.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (inout UnsafeMutableBufferPointer<Element>) throws -> Result
    ) rethrows -> Result {
        var buffer = UnsafeMutableBufferPointer(start: makeOwnUnshared(capacity: values.count), count: values.count)
        let given = buffer
        defer { precondition(buffer.baseAddress == given.baseAddress && buffer.count == given.count, "the column's buffer was replaced") }
        return try body(&buffer)
    }
}

/// What keeps a column's values alive: memory of its own, which it allocates and frees
/// (`file` nil), or the mapped file the values lie in (`memory` empty). Owning the memory
/// rather than an array keeps the values' address valid for the owner's whole life.
@usableFromInline
final class ColumnOwner<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The owner's memory: its first `count` values of the column that holds it are
    /// initialized, the rest is room to append into.
    @usableFromInline let memory: UnsafeMutableBufferPointer<Element>
    @usableFromInline let file: FileBytes?

    @inlinable
    init(capacity: Int) {
        memory = capacity > 0 ? .allocate(capacity: capacity) : UnsafeMutableBufferPointer(start: nil, count: 0)
        file = nil
    }

    init(file: FileBytes) {
        memory = UnsafeMutableBufferPointer(start: nil, count: 0)
        self.file = file
    }

    @inlinable
    deinit { memory.deallocate() }
}

extension Column: RandomAccessCollection, MutableCollection {
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { values.count }
    @inlinable public var count: Int { values.count }
    @inlinable public var indices: Range<Int> { 0..<values.count }
    @inlinable public func index(after i: Int) -> Int { i &+ 1 }
    @inlinable public func index(before i: Int) -> Int { i &- 1 }

    @inlinable
    public subscript(position: Int) -> Element {
        get {
            precondition(UInt(bitPattern: position) < UInt(bitPattern: values.count), "Column index out of range")
            return values.baseAddress.unsafelyUnwrapped[position]
        }
        set {
            precondition(UInt(bitPattern: position) < UInt(bitPattern: values.count), "Column index out of range")
            makeOwnUnshared(capacity: values.count).unsafelyUnwrapped[position] = newValue
        }
    }

    @inlinable
    public func withContiguousStorageIfAvailable<Result>(
        _ body: (UnsafeBufferPointer<Element>) throws -> Result
    ) rethrows -> Result? {
        try body(values)
    }
}

extension Column: RangeReplaceableCollection {
    @inlinable
    public mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C)
    where C.Element == Element {
        withElements { $0.replaceSubrange(subrange, with: newElements) }
    }

    @inlinable
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        _ = makeOwnUnshared(capacity: minimumCapacity)
    }

    /// Makes room for `extra` more values, growing the memory geometrically so that
    /// appending batch after batch copies each value a bounded number of times; returns
    /// where the values start.
    @inlinable
    mutating func makeRoom(for extra: Int) -> UnsafeMutablePointer<Element>? {
        let needed = values.count + extra
        let room = owner.memory.count
        return makeOwnUnshared(capacity: needed <= room ? room : Swift.max(needed, 2 * room))
    }

    @inlinable
    public mutating func append(_ newElement: Element) {
        let start = makeRoom(for: 1).unsafelyUnwrapped
        (start + values.count).initialize(to: newElement)
        values = UnsafeBufferPointer(start: start, count: values.count + 1)
    }

    /// Appends `newElements`, copied from where they lie.
    @inlinable
    public mutating func append(contentsOf newElements: UnsafeBufferPointer<Element>) {
        guard let from = newElements.baseAddress, newElements.count > 0 else { return }
        let start = makeRoom(for: newElements.count).unsafelyUnwrapped
        (start + values.count).initialize(from: from, count: newElements.count)
        values = UnsafeBufferPointer(start: start, count: values.count + newElements.count)
    }

    @inlinable
    public mutating func append<S: Sequence>(contentsOf newElements: S) where S.Element == Element {
        let copied: Void? = newElements.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        guard copied == nil else { return }
        _ = makeRoom(for: newElements.underestimatedCount)
        for element in newElements { append(element) }
    }

    @inlinable
    public mutating func removeAll(keepingCapacity keepCapacity: Bool = false) {
        if keepCapacity {
            let room = Swift.max(owner.memory.count, values.count)
            values = UnsafeBufferPointer(start: values.baseAddress, count: 0)
            values = UnsafeBufferPointer(start: makeOwnUnshared(capacity: room), count: 0)
        } else {
            self = Column()
        }
    }
}

extension Column: ExpressibleByArrayLiteral {
    @inlinable
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension Column: Equatable where Element: Equatable {
    public static func == (lhs: Column, rhs: Column) -> Bool {
        lhs.count == rhs.count && (lhs.values.baseAddress == rhs.values.baseAddress || lhs.elementsEqual(rhs))
    }

    /// Whether the column holds the values of `rhs`, in order.
    public static func == (lhs: Column, rhs: [Element]) -> Bool { lhs.elementsEqual(rhs) }

    /// Whether the column holds the values of `lhs`, in order.
    public static func == (lhs: [Element], rhs: Column) -> Bool { rhs.elementsEqual(lhs) }
}

extension Column: CustomStringConvertible, CustomDebugStringConvertible {
    /// As the array of the values prints.
    public var description: String { Array(self).description }
    public var debugDescription: String { Array(self).debugDescription }
}
