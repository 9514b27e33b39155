/// The bytes of a whole file held in memory, read-only, however they got there: a
/// mapping of the file (a native export's segment files, whose pages the system's file
/// cache already holds, so loading takes no fresh memory for them) or an owned copy
/// (tests, the fuzz target, a file read through a fake `FileAccess`). A class, so that
/// the memory lives exactly as long as the last reader that holds it: `release` (unmap
/// or deallocate) runs when it goes.
public final class FileBytes: @unchecked Sendable {
    /// The bytes; valid while this object lives, never written.
    public let bytes: UnsafeRawBufferPointer
    private let release: (UnsafeRawBufferPointer) -> Void

    /// Takes `bytes`, which stay valid and unchanged until `release` is called with them.
    public init(bytes: UnsafeRawBufferPointer, release: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.bytes = bytes
        self.release = release
    }

    /// An owned copy of `array`.
    public convenience init(copying array: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(array.count, 1), alignment: 64)
        array.withUnsafeBytes { copy.copyMemory(from: $0) }
        self.init(owning: copy, count: array.count)
    }

    /// Owns `buffer` (from `UnsafeMutableRawBufferPointer.allocate`), of which the first
    /// `count` bytes are the file; deallocates it when released.
    public init(owning buffer: UnsafeMutableRawBufferPointer, count: Int) {
        precondition(count <= buffer.count, "more bytes than the buffer holds")
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        release = { _ in buffer.deallocate() }
    }

    /// Number of bytes.
    public var count: Int { bytes.count }

    deinit { release(bytes) }
}
