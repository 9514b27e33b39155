import Columnar

/// What a reader that hands a file's rows over a batch at a time delivers (`batchRead`
/// of `CSVFileReader.read`): a batch of rows; or, once the file is read, how the ids of
/// its run-id column (`FieldDecoding.idRuns`) changed, since the batches held
/// provisional ids (a run whose value an earlier run had took a new id, now merged).
public enum BatchDelivery<Batch> {
    case rows(Batch)
    case renumbered(IdRenumbering)

    /// The same delivery with its rows through `transform`.
    public func map<Other>(_ transform: (Batch) -> Other) -> BatchDelivery<Other> {
        switch self {
        case .rows(let batch): .rows(transform(batch))
        case .renumbered(let renumbering): .renumbered(renumbering)
        }
    }
}

extension BatchDelivery: Sendable where Batch: Sendable {}

/// Streams one CSV file into its table: reads fixed-size chunks into one buffer, binds
/// the header's columns by name to typed column decoders, and then, a step at a time,
/// frames the records of the buffer (`RecordFrame`) and decodes them column by column
/// (`ColumnGroup`), on up to `threads` cores; every problem becomes an `IngestError`
/// that names file, line, column and value.
///
/// A record cut by the end of a chunk is moved to the front of the buffer and scanned
/// again once the next chunk is in, so the buffer holds at most one record plus one
/// chunk and memory does not grow with the file.
///
/// Two cores: a step's bytes are split into one part per core, each starting after the
/// first line feed past its split point (a guess: that line feed may be inside quotes).
/// The parts are framed at once, without writing to the buffer; a part is kept only if
/// the part before it ended exactly where it starts, else the next step frames it again
/// from the true record start. Quoted fields of the kept parts are then unquoted. The
/// column groups of the step are then decoded at once, each by one core over all rows
/// in file order, and while they are, one core frames the next step's records from where
/// this step's end (known to be a record start), so that a step dominated by one column
/// group (near-unique waybill ids) still keeps both cores busy. Ids, columns, warnings
/// and errors are those of one core.
struct CSVFileReader {
    /// The longest record accepted, in bytes.
    static let maxLineBytes = 1 << 20
    /// The most columns a header may have.
    static let maxColumns = 4096

    /// The file's name in errors and reports.
    let file: String
    /// Bytes asked of the source per read.
    let chunkSize: Int
    /// Where framing and decoding tasks run.
    let cores: any TaskRunner
    /// The most cores that frame and decode at once; each step is shaped for the cores
    /// free at its start (`TaskRunner.availableThreads`: parts, framing ahead).
    var threads: Int { cores.threads }
    /// Bytes one frame covers at most, so that a frame's bytes and spans stay in cache
    /// while its columns are decoded (tests make it tiny).
    var frameBytes = 1 << 18
    /// A step is split over the cores only when each part gets at least this many bytes.
    var minimumPartBytes = 1 << 14

    init(file: String, chunkSize: Int, cores: any TaskRunner) {
        self.file = file
        self.chunkSize = chunkSize
        self.cores = cores
    }

    init(file: String, chunkSize: Int, threads: Int) {
        self.init(file: file, chunkSize: chunkSize, cores: ConcurrentTasks.Cores(threads: threads))
    }

    /// What reading a file counted.
    struct Tally {
        var rows = 0
        var bytesDecoded = 0
        var unknownOrders = WarningTally()
    }

    /// Reads the file from `source` into `target`. With `selected` (stored column names,
    /// `SchemaColumn.storedName`), every record is still framed and checked as CSV (quotes,
    /// line count, field count, UTF-8) and the header must still have the required
    /// columns, but only the selected columns, and the new ids that give a table its rows,
    /// are decoded and checked; the others stay empty in the target. With `batchRead`, the
    /// target's columns hold one batch of rows at a time: each batch, once delivered, is
    /// handed to `batchRead` and then emptied out of them (so they are not sized for the
    /// file either); the id spaces fill as without it. A new-id column's values are
    /// checked for repeats once the file is read, or before its first other error is
    /// reported (`BoundColumns.repeatedNewID`): the error is the first in the file either way.
    /// A run-id column's repeated runs are merged once the file is read
    /// (`BoundColumns.mergeRunRepeats`): the kept column is renumbered, and `batchRead`
    /// gets the renumbering last (`BatchDelivery.renumbered`) when any id changed.
    func read<Schema: TableSchema>(
        _ source: inout any ByteSource, as schema: Schema.Type, into target: inout Schema.Target,
        selected: Set<String>? = nil, batchRead: ((BatchDelivery<Schema.Target>) -> Void)? = nil
    ) throws(IngestError) -> Tally {
        precondition(chunkSize < 1 << 30, "field offsets are 32-bit")
        let capacity = Self.maxLineBytes + chunkSize
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 32)
        defer { buffer.deallocate() }
        var tally = Tally()
        var filled = 0
        var start = 0
        var line = 1
        var atEnd = false
        var columns: BoundColumns<Schema>?
        defer { columns?.restore(into: &target) }
        var frames: [RecordFrame] = [], spare: [RecordFrame] = []
        var ahead: RecordBatch?
        var reserved = false
        do throws(IngestError) {
            while !atEnd {
                if start > 0 {
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: filled - start)
                    filled -= start
                    start = 0
                }
                let count = try source.read(into: UnsafeMutableRawBufferPointer(
                    rebasing: buffer[filled..<min(filled + chunkSize, capacity)]))
                atEnd = count == 0
                tally.bytesDecoded += count
                filled += count
                if columns == nil {
                    if Self.startsWithByteOrderMark(buffer, filled: filled) { start = 3 }
                    guard start < filled,
                        let binding = try readHeader(
                            buffer, filled: filled, start: &start, line: &line, atEnd: atEnd, as: Schema.Column.self)
                    else { continue }
                    columns = BoundColumns<Schema>(binding, file: file, selected: selected, target: &target)
                    frames = (0..<threads).map { _ in RecordFrame(columns: binding.columns.count) }
                    spare = (0..<threads).map { _ in RecordFrame(columns: binding.columns.count) }
                }
                guard let bound = columns else { continue }
                while start < filled {
                    let batch: RecordBatch
                    if let framed = ahead {
                        batch = framed
                        ahead = nil
                        swap(&frames, &spare)
                    } else {
                        batch = frameStep(buffer, filled: filled, start: start, line: line, atEnd: atEnd, frames: frames)
                    }
                    let last = batch.frames[batch.frames.count - 1]
                    if batch.rows > 0 {
                        var next: Lookahead?
                        let width = cores.availableThreads
                        if width > 1, case .finished = last.stop, last.end < filled {
                            next = Lookahead(
                                buffer: buffer, filled: filled, start: last.end, end: min(filled, last.end + width * frameBytes),
                                line: batch.firstLines[batch.frames.count - 1] + last.lineCount, atEnd: atEnd, frame: spare[0])
                        }
                        if let failure = decode(batch, bound.groups, framingAhead: next) {
                            throw IngestError(file: file, line: failure.line, column: bound.site(failure.field),
                                              value: failure.value, problem: .value(failure.problem))
                        }
                        ahead = next?.batch
                    }
                    if case .broken(let problem, let field, let value, let relativeLine) = last.stop {
                        throw IngestError(file: file, line: batch.firstLines[batch.frames.count - 1] + relativeLine,
                                          column: field.map(bound.site), value: value, problem: problem)
                    }
                    bound.deliver(rows: batch.rows, into: &target)
                    if let batchRead {
                        batchRead(.rows(target))
                        bound.empty(&target)
                    }
                    tally.rows += batch.rows
                    line = batch.firstLines[batch.frames.count - 1] + last.lineCount
                    start = last.end
                    if case .needMore = last.stop { break }
                }
                if !reserved && tally.rows > 0 {
                    reserved = true
                    let consumed = tally.bytesDecoded - (filled - start)
                    if let expected = source.expectedBytes, expected > consumed {
                        let rows = Int(Double(expected) / Double(consumed) * Double(tally.rows) * 1.02)
                        if batchRead == nil { bound.reserve(rows: rows, in: &target) }
                        for group in bound.groups { group.reserveForFile(rows: rows, rowsRead: tally.rows) }
                    }
                }
            }
        } catch {
            throw columns?.repeatedNewID(before: error) ?? error
        }
        guard let bound = columns else { throw IngestError(file: file, problem: .noHeader) }
        if let repeated = bound.repeatedNewID() { throw repeated }
        if let renumbering = bound.mergeRunRepeats(in: &target) { batchRead?(.renumbered(renumbering)) }
        tally.unknownOrders = bound.unknownOrders
        return tally
    }

    /// Scans the header record at `start`: nil when the buffer ends inside it (read more).
    private func readHeader<Column: SchemaColumn>(
        _ buffer: UnsafeMutableRawBufferPointer, filled: Int, start: inout Int, line: inout Int, atEnd: Bool,
        as column: Column.Type
    ) throws(IngestError) -> HeaderBinding<Column>? {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
        var fields = FieldSpans(capacity: Self.maxColumns)
        var quotedLineFeeds = 0
        switch CSVScanner.scanRecord(bytes, from: start, atEnd: atEnd, fields: &fields, quotedLineFeeds: &quotedLineFeeds) {
        case .needMore:
            if filled - start > Self.maxLineBytes {
                throw IngestError(file: file, line: line, problem: .lineTooLong(Self.maxLineBytes))
            }
            return nil
        case .malformed(let problem, _):
            throw IngestError(file: file, line: line, problem: problem)
        case .complete(let next):
            if next - start > Self.maxLineBytes {
                throw IngestError(file: file, line: line, problem: .lineTooLong(Self.maxLineBytes))
            }
            if let field = RecordFrame.firstInvalidUTF8(bytes, fields: fields) {
                throw IngestError(
                    file: file, line: line, column: ColumnSite(name: "header", index: field + 1),
                    value: IngestError.quoted(UnsafeRawBufferPointer(rebasing: bytes[fields.start(field)..<fields.end(field)])),
                    problem: .invalidUTF8)
            }
            let binding = try HeaderBinding<Column>(file: file, buffer: buffer, fields: fields)
            line += 1 + quotedLineFeeds
            start = next
            return binding
        }
    }

    /// Frames the next records of `buffer[start..<filled]`: one part per core when there
    /// are bytes enough, each part at most `frameBytes`; parts whose guessed start proves
    /// wrong are dropped (the next step frames them again).
    private func frameStep(
        _ buffer: UnsafeMutableRawBufferPointer, filled: Int, start: Int, line: Int, atEnd: Bool, frames: [RecordFrame]
    ) -> RecordBatch {
        let available = filled - start
        let width = cores.availableThreads
        let parts = width > 1 && available >= width * minimumPartBytes ? width : 1
        let total = min(available, parts * frameBytes)
        let end = total == available ? filled : start + total
        var starts = [start]
        for part in 1..<parts {
            var position = start + part * (total / parts)
            while position < end && buffer[position] != CSVScanner.lineFeed { position += 1 }
            guard position + 1 < end else { break }
            starts.append(position + 1)
        }
        let ends = Array(starts.dropFirst()) + [end]
        let job = FramingJob(buffer: buffer, filled: filled, starts: starts, ends: ends, atEnd: atEnd, frames: frames)
        _ = cores.map(count: starts.count) { part in job.frame(part) }
        var kept = [frames[0]], firstLines = [line]
        for part in 1..<starts.count {
            let previous = frames[part - 1]
            guard case .finished = previous.stop, previous.end == starts[part] else { break }
            firstLines.append(firstLines[part - 1] + previous.lineCount)
            kept.append(frames[part])
        }
        for frame in kept { frame.unquote(buffer) }
        return RecordBatch(buffer: UnsafeRawPointer(buffer.baseAddress!), frames: kept, firstLines: firstLines,
                           rows: kept.reduce(0) { $0 + $1.rows })
    }

    /// Decodes every column group of the batch (one core per group at a time), and frames
    /// the next step's records as one more task when `framingAhead` is given (second in
    /// line, after the heaviest group); the first refused value in file order.
    private func decode(_ batch: RecordBatch, _ groups: [ColumnGroup], framingAhead: Lookahead?) -> ValueFailure? {
        for group in groups { group.prepare(rows: batch.rows) }
        let framing = framingAhead == nil ? groups.count : min(1, groups.count)
        let failures = cores.map(count: groups.count + (framingAhead == nil ? 0 : 1)) { task -> ValueFailure? in
            if task == framing {
                framingAhead!.frame()
                return nil
            }
            return groups[task < framing ? task : task - 1].decode(batch)
        }
        var first: ValueFailure?
        for case let failure? in failures where first.map(failure.precedes) ?? true { first = failure }
        return first
    }

    /// Whether the buffer starts with a UTF-8 byte order mark (which some spreadsheet
    /// programs write before the header).
    private static func startsWithByteOrderMark(_ buffer: UnsafeMutableRawBufferPointer, filled: Int) -> Bool {
        filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF
    }
}

/// The parts of one framing step, handed to the cores.
private struct FramingJob: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    let filled: Int
    let starts: [Int], ends: [Int]
    let atEnd: Bool
    let frames: [RecordFrame]

    func frame(_ part: Int) {
        frames[part].frame(buffer, filled: filled, from: starts[part], to: ends[part], atEnd: atEnd,
                           maxLineBytes: CSVFileReader.maxLineBytes)
    }
}

/// The next step's records, framed by one core from a known record start while the
/// column groups of the current step are decoded (they read only bytes before `start`;
/// unquoting writes only after it).
private final class Lookahead: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    let filled: Int, start: Int, end: Int, line: Int
    let atEnd: Bool
    let recordFrame: RecordFrame

    init(buffer: UnsafeMutableRawBufferPointer, filled: Int, start: Int, end: Int, line: Int, atEnd: Bool, frame: RecordFrame) {
        self.buffer = buffer
        self.filled = filled
        self.start = start
        self.end = end
        self.line = line
        self.atEnd = atEnd
        recordFrame = frame
    }

    /// Frames and unquotes the records starting in `start..<end`.
    func frame() {
        recordFrame.frame(buffer, filled: filled, from: start, to: end, atEnd: atEnd, maxLineBytes: CSVFileReader.maxLineBytes)
        recordFrame.unquote(buffer)
    }

    /// The framed records as the next step's batch (after `frame`).
    var batch: RecordBatch {
        RecordBatch(buffer: UnsafeRawPointer(buffer.baseAddress!), frames: [recordFrame], firstLines: [line], rows: recordFrame.rows)
    }
}

/// The header's columns bound to their decoders for one file: the column groups (ids
/// sharing a dictionary in one group, each group's dictionary moved out of the target
/// while the file is read), and how each batch's staged values, and the sentinels of
/// optional columns the header lacks, reach the target's columns.
final class BoundColumns<Schema: TableSchema> {
    typealias Target = Schema.Target
    /// Heaviest first, so that the cores finish together.
    private(set) var groups: [ColumnGroup] = []
    private let file: String
    private let names: [String]
    private var deliveries: [(inout Target, Int) -> Void] = []
    private var emptyings: [(inout Target) -> Void] = []
    private var reservations: [(inout Target, Int) -> Void] = []
    private var restorations: [(inout Target) -> Void] = []
    /// For the run-id column (`FieldDecoding.idRuns`; a table has one at most, the only
    /// group `mergeRunRepeats` merges): applies its renumbering to the column in the target.
    private var renumberRunIDs: ((inout Target, IdRenumbering) -> Void)?

    /// Binds the header's columns, only those in `selected` (stored names) when given:
    /// a new-id column (`FieldDecoding.newID`) is always bound, since its ids are the
    /// table's rows, through which other tables resolve their orders.
    init(_ binding: HeaderBinding<Schema.Column>, file: String, selected: Set<String>?, target: inout Target) {
        func isBound(_ column: Schema.Column) -> Bool { Schema.isBound(column, selected: selected) }
        self.file = file
        names = binding.names
        var idGroups: [WritableKeyPath<Target, IdDictionary>: (fields: [Int], required: [Bool], into: [WritableKeyPath<Target, Column<UInt32>>])] = [:]
        var idOrder: [WritableKeyPath<Target, IdDictionary>] = []
        var valueGroups: [ColumnGroup] = []
        var valueDeliveries: [(inout Target, Int) -> Void] = []
        for (field, column) in binding.columns.enumerated() {
            guard let column, isBound(column) else { continue }
            let decoding = Schema.decoding(column)
            precondition(column.isRequired || decoding.hasMissing, "optional column \(column.header) has no sentinel")
            func single(_ kind: ColumnGroup.Kind) -> ColumnGroup {
                ColumnGroup(kind: kind, fields: [field], required: [column.isRequired], file: file, names: binding.names)
            }
            func value<Value: BitwiseCopyable>(_ kind: ColumnGroup.Kind, into: WritableKeyPath<Target, Column<Value>>, as type: Value.Type) {
                let group = single(kind)
                valueGroups.append(group)
                valueDeliveries.append(Self.deliver(into, from: group, slot: 0, as: type))
                reservations.append(Self.reserve(into))
                emptyings.append(Self.empty(into))
            }
            switch decoding {
            case .id(let dictionary, let into):
                if idGroups[dictionary] == nil {
                    idGroups[dictionary] = ([], [], [])
                    idOrder.append(dictionary)
                }
                idGroups[dictionary]!.fields.append(field)
                idGroups[dictionary]!.required.append(column.isRequired)
                idGroups[dictionary]!.into.append(into)
            case .newID(let dictionary):
                // `RecordLines` takes a key's id for its record's place in the frame:
                // every record must give a key.
                precondition(column.isRequired, "a column of new ids is required")
                let group = single(.uniqueIDs)
                swap(&group.dictionary, &target[keyPath: dictionary])
                restorations.append { swap(&group.dictionary, &$0[keyPath: dictionary]) }
                groups.append(group)
                reservations.append { _, rows in group.dictionary.reserveCapacity(rows) }
            case .idRuns(let dictionary, let into):
                precondition(renumberRunIDs == nil, "more than one run-id column: only one is merged")
                let group = single(.runIDs)
                swap(&group.dictionary, &target[keyPath: dictionary])
                group.keysBeforeFile = group.dictionary.count
                restorations.append { swap(&group.dictionary, &$0[keyPath: dictionary]) }
                groups.append(group)
                deliveries.append(Self.deliver(into, from: group, slot: 0, as: UInt32.self))
                reservations.append(Self.reserve(into))
                emptyings.append(Self.empty(into))
                renumberRunIDs = { target, renumbering in target[keyPath: into].withElements { renumbering.apply(to: &$0) } }
            case .orderRow(let orders, let into):
                value(.orderRows, into: into, as: UInt32.self)
                valueGroups[valueGroups.count - 1].dictionary = target[keyPath: orders]
            case .money(let into): value(.money, into: into, as: Int64.self)
            case .time(let into): value(.time, into: into, as: Int64.self)
            case .count(let into): value(.count, into: into, as: Int32.self)
            case .stars(let into): value(.stars, into: into, as: UInt8.self)
            case .flag(let into): value(.flag, into: into, as: UInt8.self)
            case .vocabulary(let names, let into): value(.vocabulary(names), into: into, as: UInt8.self)
            }
        }
        for dictionary in idOrder {
            let spec = idGroups[dictionary]!
            let group = ColumnGroup(kind: .ids, fields: spec.fields, required: spec.required, file: file, names: binding.names)
            swap(&group.dictionary, &target[keyPath: dictionary])
            group.keysBeforeFile = group.dictionary.count
            restorations.append { swap(&group.dictionary, &$0[keyPath: dictionary]) }
            for (slot, into) in spec.into.enumerated() {
                deliveries.append(Self.deliver(into, from: group, slot: slot, as: UInt32.self))
                reservations.append(Self.reserve(into))
                emptyings.append(Self.empty(into))
            }
            groups.append(group)
        }
        groups += valueGroups
        deliveries += valueDeliveries
        for column in binding.absent where isBound(column) {
            precondition(Schema.decoding(column).hasMissing, "required column \(column.header) cannot be absent")
            func fill<Value: BitwiseCopyable>(_ into: WritableKeyPath<Target, Column<Value>>, with value: Value) {
                deliveries.append(Self.fill(into, with: value))
                emptyings.append(Self.empty(into))
            }
            switch Schema.decoding(column) {
            case .id(_, let into), .idRuns(_, let into), .orderRow(_, let into): fill(into, with: IdDictionary.absent)
            case .time(let into): fill(into, with: Missing.time)
            case .count(let into): fill(into, with: Missing.count)
            case .flag(let into): fill(into, with: Missing.flag)
            case .newID, .money, .stars, .vocabulary: break
            }
        }
    }

    /// The user's view of field `field` (0-based).
    func site(_ field: Int) -> ColumnSite {
        ColumnSite(name: field < names.count ? names[field] : "?", index: field + 1)
    }

    /// The first value of a new-id column (`FieldDecoding.newID`) that repeats an
    /// earlier one, as its `duplicateOrder` error, when it comes before `error` in the
    /// file (every error without a line does: the repeat is among the rows read): a
    /// new-id column's values are checked all at once, after the file is read or before
    /// its first other error is reported (`ColumnGroup.placeNewKeys`).
    func repeatedNewID(before error: IngestError? = nil) -> IngestError? {
        for group in groups {
            guard case .uniqueIDs = group.kind, let (line, field, value) = group.placeNewKeys() else { continue }
            if let errorLine = error?.line, (errorLine, error?.column?.index ?? 0) < (line, field + 1) { return nil }
            return IngestError(file: file, line: line, column: site(field), value: value, problem: .value(.duplicateOrder))
        }
        return nil
    }

    /// Once the file is read: places the run-id column's keys, merging those that
    /// repeat an earlier run's (`ColumnGroup.mergeRunRepeats`), and renumbers the column
    /// the target keeps; how the ids changed, nil when none did.
    func mergeRunRepeats(in target: inout Target) -> IdRenumbering? {
        guard let group = groups.first(where: { if case .runIDs = $0.kind { true } else { false } }),
            let renumbering = group.mergeRunRepeats()
        else { return nil }
        renumberRunIDs?(&target, renumbering)
        return renumbering
    }

    /// Order ids that were not in the export.
    var unknownOrders: WarningTally {
        groups.first { if case .orderRows = $0.kind { true } else { false } }?.unknownOrders ?? WarningTally()
    }

    /// Appends the staged values of a batch's `rows` rows to the target's columns.
    func deliver(rows: Int, into target: inout Target) {
        for deliver in deliveries { deliver(&target, rows) }
    }

    /// Empties every column the deliveries fill, keeping its memory for the next batch.
    func empty(_ target: inout Target) {
        for empty in emptyings { empty(&target) }
    }

    /// Makes room for about `rows` rows in every column (and in a table of new ids).
    func reserve(rows: Int, in target: inout Target) {
        for reserve in reservations { reserve(&target, rows) }
    }

    /// Moves the dictionaries back into the target.
    func restore(into target: inout Target) {
        for restore in restorations { restore(&target) }
        restorations = []
    }

    private static func deliver<Value: BitwiseCopyable>(
        _ column: WritableKeyPath<Target, Column<Value>>, from group: ColumnGroup, slot: Int, as type: Value.Type
    ) -> (inout Target, Int) -> Void {
        { target, rows in
            target[keyPath: column].append(contentsOf: UnsafeBufferPointer(start: group.stage(slot, as: Value.self), count: rows))
        }
    }

    private static func fill<Value: BitwiseCopyable>(_ column: WritableKeyPath<Target, Column<Value>>, with value: Value) -> (inout Target, Int) -> Void {
        { target, rows in target[keyPath: column].append(contentsOf: repeatElement(value, count: rows)) }
    }

    private static func reserve<Value: BitwiseCopyable>(_ column: WritableKeyPath<Target, Column<Value>>) -> (inout Target, Int) -> Void {
        { target, rows in target[keyPath: column].reserveCapacity(rows) }
    }

    private static func empty<Value: BitwiseCopyable>(_ column: WritableKeyPath<Target, Column<Value>>) -> (inout Target) -> Void {
        { target in target[keyPath: column].removeAll(keepingCapacity: true) }
    }
}

/// Which schema column each field of a file's records holds, found from the header by
/// name: the field named exactly as the schema does, else the one whose name matches once
/// ASCII case and spaces or tabs around it are ignored (spreadsheet-made headers carry
/// them), so that an unknown column such as `Amount` beside `amount` stays unknown. Two
/// fields of the same rank for one column are refused (`duplicateColumn`), not chosen
/// between. Unknown columns are skipped, and optional columns the header lacks are
/// listed so that their sentinel is stored for every record.
struct HeaderBinding<Column: SchemaColumn> {
    /// By field position: the schema column, or nil for a column the engine ignores.
    let columns: [Column?]
    let names: [String]
    let absent: [Column]

    init(file: String, buffer: UnsafeMutableRawBufferPointer, fields: borrowing FieldSpans) throws(IngestError) {
        guard fields.count <= fields.capacity else {
            throw IngestError(file: file, line: 1, problem: .tooManyColumns(fields.capacity))
        }
        var names: [String] = []
        for field in 0..<fields.count {
            var span = fields.start(field)..<fields.end(field)
            if !span.isEmpty && buffer[span.lowerBound] == CSVScanner.quote {
                span = CSVScanner.unquote(buffer, start: span.lowerBound, end: span.upperBound)
            }
            names.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span]), as: UTF8.self))
        }
        var columns = [Column?](repeating: nil, count: names.count)
        var absent: [Column] = []
        let keys = names.map(Self.matchKey)
        for column in Column.allCases {
            let exact = names.indices.filter { names[$0] == column.header }
            let fields = exact.isEmpty ? keys.indices.filter { keys[$0] == column.header } : exact
            guard let field = fields.first else {
                if column.isRequired { throw IngestError(file: file, line: 1, problem: .missingColumn(column.header)) }
                absent.append(column)
                continue
            }
            if fields.count > 1 {
                throw IngestError(
                    file: file, line: 1,
                    problem: .duplicateColumn(
                        column.header, firstField: field + 1, firstName: names[field],
                        secondField: fields[1] + 1, secondName: names[fields[1]]))
            }
            columns[field] = column
        }
        self.columns = columns
        self.names = names
        self.absent = absent
    }

    /// A header name as the schema spells it: without surrounding spaces or tabs, ASCII
    /// letters in lower case.
    static func matchKey(_ name: String) -> String {
        let trimmed = name.utf8.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        return String(decoding: trimmed.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
