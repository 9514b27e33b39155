/// A segment file in memory, its header, trailer and footer checked: every block's
/// offset and length lies inside the data region and its size is plausible before any
/// byte of it is read. Columns decode block by block on several cores; each block's
/// checksum is verified before it is decompressed and its decompressed size after.
public struct SegmentFile: Sendable {
    /// The file name errors use (`orders.cwseg`).
    public let name: String
    public let footer: SegmentFooter
    private let bytes: [UInt8]

    /// Checks the framing of `bytes`, which must hold table `table`.
    public init(bytes: [UInt8], name: String, table: String) throws(SegmentError) {
        self.name = name
        self.bytes = bytes
        func failure(_ problem: SegmentError.Problem) -> SegmentError {
            SegmentError(file: name, table: table, problem: problem)
        }
        let size = bytes.count
        guard size >= SegmentFormat.headerSize + SegmentFormat.trailerSize else { throw failure(.truncated(size: size)) }
        guard bytes[0..<8].elementsEqual(SegmentFormat.magic) else { throw failure(.badMagic) }
        let version = Self.integer(bytes, at: 8, as: UInt32.self)
        guard version == SegmentFormat.version else { throw failure(.unsupportedVersion(version)) }
        guard Self.integer(bytes, at: 12, as: UInt32.self) == 0 else { throw failure(.badHeader) }
        let trailer = size - SegmentFormat.trailerSize
        guard bytes[(size - 8)...].elementsEqual(SegmentFormat.trailerMagic) else { throw failure(.badTrailer) }
        let footerOffset = Self.integer(bytes, at: trailer, as: UInt64.self)
        let footerLength = Int(Self.integer(bytes, at: trailer + 8, as: UInt32.self))
        guard footerOffset >= UInt64(SegmentFormat.headerSize), footerOffset <= UInt64(trailer),
              footerLength <= trailer - Int(footerOffset)
        else { throw failure(.footerOutOfBounds) }
        let dataEnd = Int(footerOffset)
        let footerRange = dataEnd..<dataEnd + footerLength
        let storedChecksum = Self.integer(bytes, at: trailer + 12, as: UInt32.self)
        let footerBytes = Array(bytes[footerRange])
        let computed = XXH32.digest(footerBytes)
        guard computed == storedChecksum else { throw failure(.footerChecksum(stored: storedChecksum, computed: computed)) }
        let footer = try SegmentFooter.decode(footerBytes) { failure(.malformedFooter($0)) }
        guard footer.table == table else { throw failure(.wrongTable(footer.table)) }
        for column in footer.columns {
            for (index, block) in column.blocks.enumerated() {
                func blockFailure(_ problem: SegmentError.Problem) -> SegmentError {
                    SegmentError(file: name, table: table, column: column.name, block: index, problem: problem)
                }
                guard block.offset >= SegmentFormat.headerSize, block.storedLength <= dataEnd - block.offset else {
                    throw blockFailure(.blockOutOfBounds(offset: block.offset, length: block.storedLength, limit: dataEnd))
                }
                // LZ4 expands at most about 255 times; anything larger is corrupt and
                // must not decide an allocation.
                guard block.values <= SegmentFormat.maximumBlockValues,
                      block.values * column.type.width <= block.storedLength * 256 + 64
                else { throw blockFailure(.implausibleSize(block.values)) }
            }
        }
        self.footer = footer
    }

    /// The column called `column`, of type `T`, every value checked against `rule`.
    public func column<T: SegmentValue>(
        _ column: String, as _: T.Type = T.self, rule: ValueRule = .any, threads: Int
    ) throws(SegmentError) -> [T] {
        guard let layout = footer.columns.first(where: { $0.name == column }) else {
            throw SegmentError(file: name, table: footer.table, column: column, problem: .missingColumn)
        }
        guard layout.type == T.segmentType else {
            throw SegmentError(
                file: name, table: footer.table, column: column,
                problem: .wrongType(expected: T.segmentType.description, found: layout.type.description))
        }
        if layout.blocks.isEmpty { return [] }
        var offsets = [0]
        for block in layout.blocks { offsets.append(offsets.last! + block.values) }
        let starts = offsets
        let total = starts.last!
        var failure: SegmentError?
        let values = [T](unsafeUninitializedCapacity: total) { buffer, initialized in
            let destination = SharedPointer(base: UnsafeMutableRawPointer(buffer.baseAddress!))
            let problems = ConcurrentTasks.map(count: layout.blocks.count, threads: threads) { index -> SegmentError.Problem? in
                let start = destination.base + starts[index] * MemoryLayout<T>.stride
                if let problem = decode(layout, block: index, into: start) { return problem }
                guard rule != .any else { return nil }
                let decoded = UnsafeBufferPointer(start: start.assumingMemoryBound(to: T.self), count: layout.blocks[index].values)
                return rule.firstViolation(decoded).map {
                    .valueOutOfRange(row: starts[index] + $0, value: Int64(truncatingIfNeeded: decoded[$0]), limit: Int(rule.upper))
                }
            }
            failure = problems.enumerated().lazy.compactMap { index, problem in
                problem.map { SegmentError(file: name, table: footer.table, column: column, block: index, problem: $0) }
            }.first
            initialized = failure == nil ? total : 0
        }
        if let failure { throw failure }
        return values
    }

    /// Decodes one block into `destination` (room for its values); the problem, if any.
    private func decode(
        _ column: SegmentColumn, block index: Int, into destination: UnsafeMutableRawPointer
    ) -> SegmentError.Problem?
    {
        let block = column.blocks[index]
        let rawCount = block.values * column.type.width
        return bytes.withUnsafeBytes { file -> SegmentError.Problem? in
            let stored = UnsafeRawBufferPointer(rebasing: file[block.offset..<block.offset + block.storedLength])
            let computed = XXH32.digest(stored)
            guard computed == block.checksum else { return .checksum(stored: block.checksum, computed: computed) }
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(rawCount, 1), alignment: 16)
            defer { scratch.deallocate() }
            let produced = SegmentCodec.decompress(
                stored, width: column.type.width, encoding: column.encoding, scratch: scratch,
                into: UnsafeMutableRawBufferPointer(start: destination, count: rawCount))
            return produced == rawCount ? nil : .decompression(expected: rawCount, produced: produced)
        }
    }

    private static func integer<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as _: T.Type) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
