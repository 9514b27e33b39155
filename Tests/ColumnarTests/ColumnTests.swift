import Foundation
import Testing

@testable import Columnar

/// `Column`: values of its own or viewed in a mapped file read the same, the mapping
/// lives as long as a column viewing it, and a mutation never reaches a shared or
/// viewed column's values.
@Suite struct ColumnTests {
    private static let values: [UInt32] = (0..<1000).map { UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) }

    /// The values' bytes after `offset` bytes of padding, as a file would hold them.
    private static func file(offset: Int, release: @escaping () -> Void = {}) -> FileBytes {
        let bytes = [UInt8](repeating: 0xEE, count: offset) + values.withUnsafeBytes { Array($0) } + [0xEE]
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        buffer.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: bytes.count))
        return FileBytes(bytes: UnsafeRawBufferPointer(buffer)) { _ in
            buffer.deallocate()
            release()
        }
    }

    @Test func ownedAndViewedColumnsReadTheSameValues() {
        let owned = Column(Self.values)
        let viewed = Column<UInt32>(viewing: Self.file(offset: 64), byteOffset: 64, count: Self.values.count)
        #expect(!owned.isViewingFile && viewed.isViewingFile)
        #expect(owned == viewed && viewed == Self.values && Self.values == owned)
        #expect(viewed.count == Self.values.count)
        #expect(Array(viewed) == Self.values)
        #expect(viewed.indices.allSatisfy { viewed[$0] == Self.values[$0] })
        #expect(viewed.withUnsafeBufferPointer { Array($0) } == Self.values)
        #expect(viewed.reduce(0) { $0 &+ UInt64($1) } == Self.values.reduce(0) { $0 &+ UInt64($1) })
        #expect(Column<UInt32>(viewing: Self.file(offset: 0), byteOffset: 0, count: 999) != owned)
    }

    @Test func theFileLivesWhileAColumnViewsIt() {
        let released = ReleaseFlag()
        var column: Column<UInt32>? = Column(viewing: Self.file(offset: 4) { released.set() }, byteOffset: 4, count: 1000)
        var copy = column
        column = nil
        #expect(!released.isSet)
        #expect(copy! == Self.values)
        copy = nil
        #expect(released.isSet)
    }

    @Test func aMappingOutlivesItsFileHandle() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("column-\(UUID()).bin").path
        defer { unlink(path) }
        try Data(Self.values.withUnsafeBytes { Array($0) }).write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        let size = Self.values.count * 4
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        close(descriptor)
        try #require(mapped != MAP_FAILED)
        let file = FileBytes(bytes: UnsafeRawBufferPointer(start: mapped, count: size)) { munmap(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        let column = Column<UInt32>(viewing: file, byteOffset: 0, count: Self.values.count)
        unlink(path)
        #expect(column == Self.values)
    }

    @Test func aMutationCopiesASharedColumnAndWritesAnUnsharedOneInPlace() {
        var column = Column(Self.values)
        let shared = column
        column[3] = 7
        #expect(shared == Self.values && column[3] == 7 && column[4] == Self.values[4])
        let address = column.withUnsafeBufferPointer { $0.baseAddress }
        column[5] = 8
        column.withUnsafeMutableBufferPointer { $0[6] = 9 }
        #expect(column.withUnsafeBufferPointer { $0.baseAddress } == address)
        #expect(Array(column.prefix(7)) == Array(Self.values.prefix(3)) + [7, Self.values[4], 8, 9])
        column.append(contentsOf: [1, 2])
        column.append(3)
        #expect(column.count == Self.values.count + 3 && Array(column.suffix(3)) == [1, 2, 3])
        column.removeAll(keepingCapacity: true)
        #expect(column.isEmpty && shared.count == Self.values.count)
    }

    @Test func aMutatedViewedColumnBecomesItsOwn() {
        let file = Self.file(offset: 8)
        var column = Column<UInt32>(viewing: file, byteOffset: 8, count: Self.values.count)
        column[0] = 1
        #expect(!column.isViewingFile && column[0] == 1 && Array(column.dropFirst()) == Array(Self.values.dropFirst()))
        #expect(Column<UInt32>(viewing: file, byteOffset: 8, count: Self.values.count) == Self.values)
    }
}

/// Whether a file's release ran.
private final class ReleaseFlag: @unchecked Sendable {
    private(set) var isSet = false
    func set() { isSet = true }
}
