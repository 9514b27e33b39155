import Columnar
import Ingest
import Synchronization

/// The system's files with one shared count of the bytes read from them, so that a long
/// load can show how far it is (`ProgressLine.showing`) while the reader's cores read.
final class CountedFiles: FileAccess {
    /// Bytes read so far from every file opened through this door.
    let bytesRead = Atomic<Int>(0)
    private let system = SystemFileAccess()

    func exists(_ path: String) -> Bool { system.exists(path) }

    func open(_ path: String, name: String) throws(IngestError) -> any ByteSource {
        CountedSource(source: try system.open(path, name: name), files: self)
    }

    /// The system's mapping of the file, counted whole when it is made.
    func wholeFile(_ path: String, name: String) throws(IngestError) -> FileBytes {
        let bytes = try system.wholeFile(path, name: name)
        bytesRead.add(bytes.count, ordering: .relaxed)
        return bytes
    }
}

/// One file of `CountedFiles`: its reads, added to the shared count.
private struct CountedSource: ByteSource {
    var source: any ByteSource
    let files: CountedFiles

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        let count = try source.read(into: buffer)
        files.bytesRead.add(count, ordering: .relaxed)
        return count
    }

    var bytesRead: Int { source.bytesRead }
    var expectedBytes: Int? { source.expectedBytes }
}
