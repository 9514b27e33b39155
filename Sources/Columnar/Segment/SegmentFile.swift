/// A segment file in memory, its header, trailer and footer checked: every block's
/// offset and length lies inside the data region and its size is plausible before any
/// byte of it is read. Columns decode block by block on several cores; each block's
/// checksum is verified before it is decompressed and its decompressed size after.
/// The bytes are read in place (`FileBytes`: a mapping of the file or an owned copy) and
/// live as long as this value and its copies.
public struct SegmentFile: Sendable {
    /// The file name errors use (`orders.cwseg`).
    public let name: String
    public let footer: SegmentFooter
    /// The format version in the header (it decides the blocks' checksum).
    public let version: UInt32
    private let storage: FileBytes

    /// Checks the framing of a copy of `bytes`, which must hold table `table`.
    public init(bytes: [UInt8], name: String, table: String) throws(SegmentError) {
        try self.init(FileBytes(copying: bytes), name: name, table: table)
    }

    /// Checks the framing of `storage`, which must hold table `table`, and reads it in
    /// place from then on.
    public init(_ storage: FileBytes, name: String, table: String) throws(SegmentError) {
        self.name = name
        self.storage = storage
        let bytes = storage.bytes
        func failure(_ problem: SegmentError.Problem) -> SegmentError {
            SegmentError(file: name, table: table, problem: problem)
        }
        let size = bytes.count
        guard size >= SegmentFormat.headerSize + SegmentFormat.trailerSize else { throw failure(.truncated(size: size)) }
        guard bytes[0..<8].elementsEqual(SegmentFormat.magic) else { throw failure(.badMagic) }
        let version = Self.integer(bytes, at: 8, as: UInt32.self)
        guard SegmentFormat.readableVersions.contains(version) else { throw failure(.unsupportedVersion(version)) }
        self.version = version
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
        let footer = try SegmentFooter.decode(footerBytes, version: version) { problem, column in
            SegmentError(file: name, table: table, column: column, problem: problem)
        }
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
        let layout = try self.layout(of: column, as: T.self)
        if layout.blocks.isEmpty { return [] }
        let starts = Self.firstValues(of: layout)
        let total = starts.last!
        let check = ValueCheck(rule, for: T.self)
        var failure: SegmentError?
        let values = [T](unsafeUninitializedCapacity: max(total, 1)) { buffer, initialized in
            let destination = SharedPointer(base: UnsafeMutableRawPointer(buffer.baseAddress!))
            let problems = ConcurrentTasks.map(count: layout.blocks.count, threads: threads, worker: BlockScratch.init) {
                index, scratch -> SegmentError.Problem? in
                decode(
                    layout, block: index, firstValue: starts[index], rule: rule, check: check,
                    into: destination.base.assumingMemoryBound(to: T.self) + starts[index], scratch: scratch)
            }
            failure = problems.enumerated().lazy.compactMap { index, problem in
                problem.map { SegmentError(file: name, table: footer.table, column: column, block: index, problem: $0) }
            }.first
            initialized = failure == nil ? total : 0
        }
        if let failure { throw failure }
        return values
    }

    /// The stored bytes of `column` as one stretch of the file, when every block is raw,
    /// of the size its values take, and begins where the one before ends (as the writer
    /// lays out raw columns): a reader can use them in place once `checksumProblem(_:block:)`
    /// found none in any block. Nil for any other column.
    func rawStretch(of column: SegmentColumn) -> Range<Int>? {
        guard column.encoding == .raw, let first = column.blocks.first else { return nil }
        var end = first.offset
        for block in column.blocks {
            guard block.offset == end, block.storedLength == block.values * column.type.width else { return nil }
            end += block.storedLength
        }
        return first.offset..<end
    }

    /// The checksum problem of one block of `column`, if any: the first check `decode`
    /// makes, and all there is to check in a column used in place (`rawStretch(of:)`,
    /// the dictionaries' key bytes, where any byte is a valid value).
    func checksumProblem(_ column: SegmentColumn, block index: Int) -> SegmentError.Problem? {
        let block = column.blocks[index]
        let stored = UnsafeRawBufferPointer(rebasing: storage.bytes[block.offset..<block.offset + block.storedLength])
        let computed = SegmentFormat.blockChecksum(stored, version: version)
        return computed == block.checksum ? nil : .checksum(stored: block.checksum, computed: computed)
    }

    /// Bytes `range` of the file, held as long as the result lives.
    func mappedKeys(_ range: Range<Int>) -> MappedKeys { MappedKeys(storage, range: range) }

    /// The stretch of a raw column of `T` values that a table can view in place
    /// (`rawStretch(of:)`, starting at an address aligned for `T`), else nil: such a
    /// column is used in place once `inPlaceProblem` found nothing wrong in any block.
    func inPlaceStretch<T: SegmentValue>(of column: SegmentColumn, as _: T.Type) -> Range<Int>? {
        guard column.type == T.segmentType, let stretch = rawStretch(of: column),
              let base = storage.bytes.baseAddress,
              Int(bitPattern: base + stretch.lowerBound) % MemoryLayout<T>.alignment == 0
        else { return nil }
        return stretch
    }

    /// The problem of one block of a column used in place (`inPlaceStretch(of:as:)`), if
    /// any: the checksum of its bytes, then every value against `rule` (`check` is the
    /// rule narrowed to `T`), read where they lie.
    func inPlaceProblem<T: SegmentValue>(
        _ column: SegmentColumn, block index: Int, firstValue: Int, rule: ValueRule, check: ValueCheck, as _: T.Type
    ) -> SegmentError.Problem? {
        if let problem = checksumProblem(column, block: index) { return problem }
        let block = column.blocks[index]
        let values = UnsafeBufferPointer(
            start: (storage.bytes.baseAddress! + block.offset).assumingMemoryBound(to: T.self), count: block.values)
        var violations = check.isNeeded ? check.violations(in: UnsafeRawBufferPointer(values), width: column.type.width) : 0
        if check.rejectsAll { violations = block.values }
        return Self.valueProblem(values, violations: violations, rule: rule, firstValue: firstValue)
    }

    /// The `count` values of a column at `stretch` (from `inPlaceStretch(of:as:)`), viewed in
    /// the file, which lives as long as the column.
    func column<T: SegmentValue>(viewing stretch: Range<Int>, count: Int) -> Column<T> {
        Column(viewing: storage, byteOffset: stretch.lowerBound, count: count)
    }

    /// The footer's entry for `column`, which must hold values of type `T`.
    func layout<T: SegmentValue>(of column: String, as _: T.Type) throws(SegmentError) -> SegmentColumn {
        guard let layout = footer.columns.first(where: { $0.name == column }) else {
            throw SegmentError(file: name, table: footer.table, column: column, problem: .missingColumn)
        }
        guard layout.type == T.segmentType else {
            throw SegmentError(
                file: name, table: footer.table, column: column,
                problem: .wrongType(expected: T.segmentType.description, found: layout.type.description))
        }
        return layout
    }

    /// The position of each block's first value in its column, and the total at the end.
    static func firstValues(of layout: SegmentColumn) -> [Int] {
        var offsets = [0]
        offsets.reserveCapacity(layout.blocks.count + 1)
        for block in layout.blocks { offsets.append(offsets.last! + block.values) }
        return offsets
    }

    /// Decodes one block of `column` into `destination` (room for its values, the first
    /// of which is value `firstValue` of the column): checksum of the stored bytes, LZ4,
    /// the light encoding undone and every value checked against `rule` (`check` is the
    /// same rule narrowed to `T`) in the same pass. The problem, if any.
    func decode<T: SegmentValue>(
        _ column: SegmentColumn, block index: Int, firstValue: Int, rule: ValueRule, check: ValueCheck,
        into destination: UnsafeMutablePointer<T>, scratch: BlockScratch
    ) -> SegmentError.Problem? {
        let block = column.blocks[index]
        let rawCount = block.values * column.type.width
        let stored = UnsafeRawBufferPointer(rebasing: storage.bytes[block.offset..<block.offset + block.storedLength])
        if let problem = checksumProblem(column, block: index) { return problem }
        if column.encoding == .raw && block.storedLength != rawCount {
            return .rawLength(expected: rawCount, stored: block.storedLength)
        }
        let (produced, violations) = SegmentCodec.decode(
            stored, type: column.type, encoding: column.encoding, check: check, scratch: scratch,
            into: UnsafeMutableRawBufferPointer(start: destination, count: rawCount))
        guard produced == rawCount else { return .decompression(expected: rawCount, produced: produced) }
        return Self.valueProblem(
            UnsafeBufferPointer(start: destination, count: block.values), violations: violations, rule: rule,
            firstValue: firstValue)
    }

    /// The first of a block's `values` that fails `rule` as a problem, when `violations`
    /// (counted by a `ValueCheck`) says there is one; `firstValue` is the block's first row.
    private static func valueProblem<T: SegmentValue>(
        _ values: UnsafeBufferPointer<T>, violations: Int, rule: ValueRule, firstValue: Int
    ) -> SegmentError.Problem? {
        guard violations > 0 else { return nil }
        let position = rule.firstViolation(values) ?? 0
        return .valueOutOfRange(
            row: firstValue + position, value: Int64(truncatingIfNeeded: values[position]), limit: Int(rule.upper))
    }

    private static func integer<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, as _: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
