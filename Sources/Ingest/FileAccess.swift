#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Columnar

/// The one door from `Ingest` to the operating system's files: readers open files only
/// through it, so tests can put faults (short reads, failing reads) in the way.
public protocol FileAccess: Sendable {
    /// Whether a file exists at `path`.
    func exists(_ path: String) -> Bool
    /// Opens `path` for reading from the start; `name` is how errors call the file.
    func open(_ path: String, name: String) throws(IngestError) -> any ByteSource
    /// The whole file at `path` in memory, read-only (a native export's segment files,
    /// which are read in place). The system's files are mapped; the default reads the
    /// file through `open` into memory of its own, so a fake door's faults apply.
    func wholeFile(_ path: String, name: String) throws(IngestError) -> FileBytes
}

extension FileAccess {
    public func wholeFile(_ path: String, name: String) throws(IngestError) -> FileBytes {
        try readWhole(path, name: name)
    }

    /// The whole file at `path` read through `open` into memory of its own, of the size
    /// the file says it has and a page more, so that the read finding its end needs no
    /// room of its own (doubled, should the file hold more).
    func readWhole(_ path: String, name: String) throws(IngestError) -> FileBytes {
        var source = try open(path, name: name)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: (source.expectedBytes ?? 0) + 4096, alignment: 64)
        var count = 0
        do throws(IngestError) {
            while true {
                if count == buffer.count {
                    let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * buffer.count, alignment: 64)
                    larger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                    buffer.deallocate()
                    buffer = larger
                }
                let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                if read == 0 { return FileBytes(owning: buffer, count: count) }
                count += read
            }
        } catch {
            buffer.deallocate()
            throw error
        }
    }
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

    /// A read-only private mapping of the file (its pages are the file cache's: no copy
    /// and no fresh memory), or the file read into memory where it cannot be mapped (an
    /// empty file, a pipe, a file system without mappings). The size is checked again
    /// once the mapping exists, so that a file cut shorter before then is an error, not a
    /// crash. Left to the caller: a file cut shorter by another process while it is being
    /// read raises SIGBUS on the first page past its new end (the mapping cannot turn
    /// that into an error); replacing a file by renaming another over it is safe.
    public func wholeFile(_ path: String, name: String) throws(IngestError) -> FileBytes {
        let descriptor = openForReading(path)
        guard descriptor >= 0 else { throw IngestError(file: name, problem: .unreadable(Self.reason(errno))) }
        defer { close(descriptor) }
        let size = Self.regularFileSize(descriptor) ?? 0
        guard size > 0, let base = mapForReading(descriptor, size: size) else { return try readWhole(path, name: name) }
        let bytes = FileBytes(bytes: UnsafeRawBufferPointer(start: base, count: size)) { unmap($0) }
        guard let now = Self.regularFileSize(descriptor), now >= size else {
            throw IngestError(file: name, problem: .unreadable("the file was cut shorter while it was being opened"))
        }
        return bytes
    }

    /// The size of the regular file open as `descriptor`, or nil for anything else.
    private static func regularFileSize(_ descriptor: Int32) -> Int? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(status.st_size)
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

/// `open(2)`, `read(2)`, `mmap(2)` and `munmap(2)` under names the methods above do not
/// shadow.
private func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
private func mapForReading(_ descriptor: Int32, size: Int) -> UnsafeRawPointer? {
    guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else { return nil }
    return UnsafeRawPointer(base)
}
private func unmap(_ bytes: UnsafeRawBufferPointer) {
    munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
}
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}
