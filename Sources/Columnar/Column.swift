/// A table column: fixed-width values read by position, which either are the column's own
/// (an array: what the CSV reader and every builder produce) or are viewed where they lie
/// in a mapped file (a native export's raw column, `Column(viewing:byteOffset:count:)`),
/// so that loading it takes no fresh memory. Reads see one buffer either way: indexing is
/// a bounds check and a load. A mutation (the CSV reader appends batches; tests set
/// values) first makes the values the column's own and unshared, copying a viewed or
/// shared column as an array copies on write; so values are never written while shared,
/// which makes the column `Sendable`.
public struct Column<Element: BitwiseCopyable>: @unchecked Sendable {
    /// Keeps `values` alive: the array they are, or the mapping they lie in.
    @usableFromInline var owner: ColumnOwner<Element>
    /// The values, read-only; valid while `owner` lives and is not mutated.
    @usableFromInline var values: UnsafeBufferPointer<Element>

    /// An empty column.
    @inlinable
    public init() { self.init([]) }

    /// A column of `elements`, its own (the array is shared, not copied).
    @inlinable
    public init(_ elements: [Element]) {
        owner = ColumnOwner(elements: elements)
        values = owner.ownValues
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

    /// Runs `body` with the values as the column's own, unshared array, which it may change
    /// in any way; every mutation of a column goes through here.
    @inlinable
    public mutating func withElements<Result>(_ body: (inout [Element]) throws -> Result) rethrows -> Result {
        if !isKnownUniquelyReferenced(&owner) || owner.file != nil {
            owner = ColumnOwner(elements: Array(values))
        }
        defer { values = owner.ownValues }
        return try body(&owner.elements)
    }

    /// Runs `body` with the values made the column's own and writable in place.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (inout UnsafeMutableBufferPointer<Element>) throws -> Result
    ) rethrows -> Result {
        try withElements { try $0.withUnsafeMutableBufferPointer(body) }
    }
}

/// What keeps a column's values alive: its own array (`file` nil), or the mapped file
/// the values lie in (`elements` empty).
@usableFromInline
final class ColumnOwner<Element>: @unchecked Sendable {
    /// Accessed only by the column that holds the owner uniquely (`Column.withElements`),
    /// so the run-time exclusivity check would only cost time.
    @exclusivity(unchecked) @usableFromInline var elements: [Element]
    @usableFromInline let file: FileBytes?

    @inlinable
    init(elements: [Element]) {
        self.elements = elements
        file = nil
    }

    init(file: FileBytes) {
        elements = []
        self.file = file
    }

    /// Where `elements` keeps its values. A native array's values stay at one address
    /// while the array is neither mutated nor released: the owner holds it, and a column
    /// mutates it only in `Column.withElements`, which reads this address again after.
    @inlinable
    var ownValues: UnsafeBufferPointer<Element> { elements.withUnsafeBufferPointer { $0 } }
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
            withElements { $0[position] = newValue }
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
        withElements { $0.reserveCapacity(minimumCapacity) }
    }

    @inlinable
    public mutating func append(_ newElement: Element) {
        withElements { $0.append(newElement) }
    }

    @inlinable
    public mutating func append<S: Sequence>(contentsOf newElements: S) where S.Element == Element {
        withElements { $0.append(contentsOf: newElements) }
    }

    @inlinable
    public mutating func removeAll(keepingCapacity keepCapacity: Bool = false) {
        withElements { $0.removeAll(keepingCapacity: keepCapacity) }
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
