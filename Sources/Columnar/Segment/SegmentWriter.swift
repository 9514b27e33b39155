/// One column to be written: its name, light encoding and values.
public struct SegmentColumnData: Sendable {
    public var name: String
    public var type: SegmentValueType
    public var encoding: SegmentEncoding
    private let values: Values

    private enum Values: Sendable {
        case uint8(Column<UInt8>), int32(Column<Int32>), uint32(Column<UInt32>), int64(Column<Int64>)
    }

    /// A column of `values`; the encoding defaults to plain for bytes, byte planes for
    /// 32-bit values and zigzag deltas for 64-bit values (times, amounts).
    public init<T: SegmentValue>(_ name: String, _ values: [T], encoding: SegmentEncoding? = nil) {
        self.init(name, Column(values), encoding: encoding)
    }

    /// A column of a table's `values` (shared, not copied); the encoding as above.
    public init<T: SegmentValue>(_ name: String, _ values: Column<T>, encoding: SegmentEncoding? = nil) {
        self.name = name
        type = T.segmentType
        switch T.segmentType {
        case .uint8: self.values = .uint8(values as! Column<UInt8>)
        case .int32: self.values = .int32(values as! Column<Int32>)
        case .uint32: self.values = .uint32(values as! Column<UInt32>)
        case .int64: self.values = .int64(values as! Column<Int64>)
        }
        self.encoding = encoding ?? Self.defaultEncoding(T.segmentType)
        precondition(self.encoding != .deltaShuffled || type == .int64, "delta encoding is for 64-bit values")
    }

    static func defaultEncoding(_ type: SegmentValueType) -> SegmentEncoding {
        switch type {
        case .uint8: .plain
        case .int32, .uint32: .shuffled
        case .int64: .deltaShuffled
        }
    }

    public var count: Int {
        switch values {
        case .uint8(let v): v.count
        case .int32(let v): v.count
        case .uint32(let v): v.count
        case .int64(let v): v.count
        }
    }

    /// The raw little-endian bytes of values `range`.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        func bytes<T: BitwiseCopyable>(_ values: Column<T>) -> R {
            values.withUnsafeBufferPointer { body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[range]))) }
        }
        switch values {
        case .uint8(let v): return bytes(v)
        case .int32(let v): return bytes(v)
        case .uint32(let v): return bytes(v)
        case .int64(let v): return bytes(v)
        }
    }
}

/// Writes a segment file (docs/FORMAT.md): the header, each row group's column blocks
/// (compressed concurrently), then each raw column's blocks back to back (a reader can
/// use such a column in place), the footer and the trailer. The whole file is built in
/// memory; the caller writes it where it belongs.
public enum SegmentWriter {
    /// The bytes of a segment file holding `table` with `rows` rows (0 for a file of
    /// unrelated columns, such as the dictionaries), each column cut into blocks of
    /// `blockValues` values.
    public static func file(
        table: String, rows: Int, columns: [SegmentColumnData], blockValues: Int = SegmentFormat.rowGroupRows,
        threads: Int
    ) -> [UInt8] {
        precondition(blockValues > 0 && blockValues <= SegmentFormat.maximumBlockValues, "block size out of range")
        // Where a block goes, as a sort key: compressed blocks row group by row group
        // (block g of every column before block g + 1 of any), then each raw column's
        // blocks in order, one column after the other.
        func placement(_ task: (column: Int, range: Range<Int>)) -> (Int, Int, Int) {
            columns[task.column].encoding == .raw ? (1, task.column, task.range.lowerBound) : (0, task.range.lowerBound, task.column)
        }
        let tasks = columns.indices.flatMap { column in
            stride(from: 0, to: columns[column].count, by: blockValues).map { start in
                (column: column, range: start..<min(start + blockValues, columns[column].count))
            }
        }.sorted { placement($0) < placement($1) }
        let stored = ConcurrentTasks.map(count: tasks.count, threads: threads) { index -> (bytes: [UInt8], checksum: UInt32) in
            let task = tasks[index]
            let column = columns[task.column]
            let block = column.withBytes(task.range) { raw in
                SegmentCodec.compress(raw, width: column.type.width, encoding: column.encoding)
            }
            return (block, block.withUnsafeBytes { SegmentFormat.blockChecksum($0, version: SegmentFormat.version) })
        }
        var bytes = SegmentFormat.magic
        bytes.appendInteger(SegmentFormat.version)
        bytes.appendInteger(UInt32(0))
        var footer = SegmentFooter(
            table: table, rows: rows,
            columns: columns.map { SegmentColumn(name: $0.name, type: $0.type, encoding: $0.encoding, blocks: []) })
        for (task, block) in zip(tasks, stored) {
            let width = columns[task.column].type.width
            if columns[task.column].encoding == .raw && task.range.lowerBound == 0 && bytes.count % width != 0 {
                // A raw column starts at a multiple of its width, so that a mapping of the
                // file holds its values aligned and a reader can use them in place.
                bytes.append(contentsOf: repeatElement(0, count: width - bytes.count % width))
            }
            footer.columns[task.column].blocks.append(SegmentBlock(
                offset: bytes.count, storedLength: block.bytes.count, values: task.range.count, checksum: block.checksum))
            bytes.append(contentsOf: block.bytes)
        }
        appendFooter(footer, to: &bytes)
        return bytes
    }

    /// Appends the footer and the trailer that points at it to a file's blocks.
    static func appendFooter(_ footer: SegmentFooter, to bytes: inout [UInt8]) {
        let footerBytes = footer.encoded()
        let footerOffset = bytes.count
        bytes.append(contentsOf: footerBytes)
        bytes.appendInteger(UInt64(footerOffset))
        bytes.appendInteger(UInt32(footerBytes.count))
        bytes.appendInteger(XXH32.digest(footerBytes))
        bytes.append(contentsOf: SegmentFormat.trailerMagic)
    }
}
