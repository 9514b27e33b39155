#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one door from `Ingest` to the operating system's files: readers open files only
/// through it, so tests can put faults (short reads, failing reads) in the way.
public protocol FileAccess: Sendable {
    /// Whether a file exists at `path`.
    func exists(_ path: String) -> Bool
    /// Opens `path` for reading from the start; `name` is how errors call the file.
    func open(_ path: String, name: String) throws(IngestError) -> any ByteSource
}

/// A stream of bytes read front to back, a chunk at a time.
public protocol ByteSource {
    /// Fills the start of `buffer` with the next bytes and returns how many; 0 only at
    /// the end. May return fewer bytes than fit (a short read).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int
    /// Bytes taken from the file so far (compressed bytes for a compressed file).
    var bytesRead: Int { get }
    /// How many bytes the whole stream will give, when known up front (a plain file's
    /// size), so that readers can reserve their columns; nil when unknown.
    var expectedBytes: Int? { get }
}

extension ByteSource {
    public var expectedBytes: Int? { nil }
}

/// Files of the local file system, read with POSIX `open` and `read`.
public struct SystemFileAccess: FileAccess {
    public init() {}

    public func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func open(_ path: String, name: String) throws(IngestError) -> any ByteSource {
        let descriptor = openForReading(path)
        guard descriptor >= 0 else { throw IngestError(file: name, problem: .unreadable(Self.reason(errno))) }
        return SystemFile(descriptor: descriptor, name: name)
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// An open file descriptor, closed when the last copy goes away.
final class SystemFile: ByteSource {
    private let descriptor: Int32
    private let name: String
    private(set) var bytesRead = 0

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        while true {
            let count = readBytes(descriptor, buffer)
            if count >= 0 {
                bytesRead += count
                return count
            }
            if errno != EINTR {
                throw IngestError(file: name, problem: .unreadable(SystemFileAccess.reason(errno)))
            }
        }
    }

    var expectedBytes: Int? {
        var status = stat()
        return fstat(descriptor, &status) == 0 && status.st_size > 0 ? Int(status.st_size) : nil
    }

    deinit { close(descriptor) }
}

/// `open(2)` and `read(2)` under names the methods above do not shadow.
private func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}
