import CFraming
import Columnar

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The framed records of one step of reading: frames in file order, the physical line
/// each frame starts on, and how many rows (counted across the frames) are decoded:
/// those before the first broken record.
struct RecordBatch: @unchecked Sendable {
    let buffer: UnsafeRawPointer
    let frames: [RecordFrame]
    let firstLines: [Int]
    let rows: Int
}

/// Why a field's value was refused: its row in the batch and field (the first in file
/// order wins), its line and the quoted value.
struct ValueFailure {
    let row: Int
    let field: Int
    let line: Int
    let problem: ValueProblem
    let value: String

    /// Whether `self` comes before `other` in the file.
    func precedes(_ other: ValueFailure) -> Bool { (row, field) < (other.row, other.field) }
}

/// One column of a CSV file, or the id columns that share one dictionary, decoded a
/// batch at a time by one thread: a typed loop down the column chosen once per file
/// (no dispatch per field), values staged for the table.
///
/// Columns sharing a dictionary (`buyer_id` and `shop_id` into accounts) are one group,
/// decoded row by row in field order, so ids are handed out in the file's first-seen
/// order whatever the thread count. Different groups touch different state, so groups
/// run on different cores.
final class ColumnGroup: @unchecked Sendable {
    /// What the group's fields hold.
    enum Kind {
        /// Ids interned into `dictionary`; `IdDictionary.absent` when empty.
        case ids
        /// Ids in runs of equal values, each run's value appended as new to `dictionary`
        /// and merged with an equal earlier one once the file is read (`mergeRunRepeats`).
        case runIDs
        /// Ids that must each be new in `dictionary` (`order_id` of orders: the id is the
        /// row), appended as new and checked for repeats all at once (`placeNewKeys`).
        case uniqueIDs
        /// Order ids looked up in `dictionary` (the orders'); unknown ones are counted.
        case orderRows
        case money, time, count, stars, flag
        case vocabulary(Vocabulary)
    }

    let kind: Kind
    /// Positions of the group's fields in a record, in order.
    let fields: [Int]
    /// Whether an empty value is an error, per field.
    let required: [Bool]
    /// The file and header names, for warnings.
    private let file: String
    private let names: [String]
    /// The id space of `ids`, `runIDs`, `uniqueIDs` and `orderRows`.
    var dictionary = IdDictionary(capacity: 0)
    /// Keys `dictionary` held before this file (an id space earlier files interned into,
    /// as ratings' buyers meet the accounts of orders): `reserveForFile` sizes it for the
    /// file's new keys on top of them.
    var keysBeforeFile = 0
    /// The month of the previous value of a `time` column.
    private var month = FieldParser.MonthCache()
    /// Order ids not in the export (`orderRows`).
    private(set) var unknownOrders = WarningTally()
    /// Empty values of an id group so far.
    private var emptyValues = 0
    /// Values of an id group equal to the same field of the row before, counted until
    /// the dictionary is sized for the file (`reserveForFile`).
    private var runRepeats = 0
    /// The line of each record a `uniqueIDs` group appended a key for, by id.
    private var newKeyLines = RecordLines()
    /// Per field, the last id `countRunRepeats` saw.
    private lazy var lastCountedIDs = [UInt32](repeating: IdDictionary.absent, count: fields.count)
    private var sizedForFile = false
    /// One staging buffer per field, `stageRows` rows of 8 bytes.
    private var stages: [UnsafeMutableRawPointer]
    private var stageRows = 0
    /// The keys of an id group's block, and the ids they get when the group has several
    /// fields (a one-field group's ids go straight to its stage, which for `uniqueIDs`
    /// is only scratch: their id is the row).
    private let block: IdDictionary.KeyBlock
    private let blockIDs: UnsafeMutablePointer<UInt32>

    init(kind: Kind, fields: [Int], required: [Bool], file: String, names: [String]) {
        self.kind = kind
        self.fields = fields
        self.required = required
        self.file = file
        self.names = names
        stages = fields.map { _ in UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8) }
        block = IdDictionary.KeyBlock(capacity: max(ColumnGroup.keysAhead, fields.count), keysPerRow: fields.count)
        blockIDs = .allocate(capacity: block.capacity)
    }

    deinit {
        for stage in stages { stage.deallocate() }
        block.deallocate()
        blockIDs.deallocate()
    }

    /// The staged values of field `index` of the group.
    func stage<Value>(_ index: Int, as type: Value.Type) -> UnsafeMutablePointer<Value> {
        stages[index].assumingMemoryBound(to: Value.self)
    }

    /// Makes room for `rows` staged rows.
    func prepare(rows: Int) {
        guard rows > stageRows else { return }
        stageRows = max(rows, stageRows * 2)
        for index in stages.indices {
            stages[index].deallocate()
            stages[index] = .allocate(byteCount: stageRows * 8, alignment: 8)
        }
    }

    /// Sizes the dictionary of an id group once for a file of about `rows` rows, from what
    /// the `rowsRead` rows so far show, instead of letting it double step by step (each
    /// step zeroes a new table and arena and copies the old). Values equal to the same
    /// field of the row before (a waybill's scans listed together) are one draw: the
    /// repeats among the `n` runs of equal values so far estimate the size of the id
    /// space (`N = n² / 2 repeats`, the birthday estimate), and the file's runs then draw
    /// `N (1 - e^(-draws / N))` distinct ids from it; no repeats at all (near-unique ids
    /// such as addresses) means one id per run. Keys earlier files put in the id space
    /// (`keysBeforeFile`) are neither counted as the file's nor sized for again. The
    /// table is sized for the estimate and a tenth; the keys' storage, capacity not
    /// written until used, for a tenth beyond that (the first chunk's runs per row put the bench-compare
    /// export at 948k waybills against 968k, and outgrowing the reservation copies the
    /// whole arena and bounds). Only sizes change, never ids.
    func reserveForFile(rows: Int, rowsRead: Int) {
        switch kind {
        case .ids, .runIDs: break
        default: return
        }
        guard rowsRead >= 1000, !sizedForFile else { return }
        sizedForFile = true
        let runs = rowsRead * fields.count - emptyValues - runRepeats
        let distinct = dictionary.count - keysBeforeFile
        guard runs >= 1000, distinct > 0 else { return }
        let draws = Double(rows) * Double(runs) / Double(rowsRead)
        let repeats = runs - distinct
        let expected: Double
        if repeats * 1000 <= runs {
            expected = draws
        } else {
            let space = Double(runs) * Double(runs) / (2 * Double(repeats))
            expected = space * (1 - exp(-draws / space))
        }
        let keys = min(draws, expected * 1.1)
        dictionary.reserveCapacity(keysBeforeFile + Int(keys), storedKeys: keysBeforeFile + Int(keys * 1.1))
    }

    /// Decodes the group's fields of the batch's rows into the stages; the first refused
    /// value, if any (rows after it are then undefined).
    func decode(_ batch: RecordBatch) -> ValueFailure? {
        switch kind {
        case .ids: return decodeIDs(batch)
        case .runIDs: return decodeNewIDs(batch, runs: true)
        case .uniqueIDs: return decodeNewIDs(batch, runs: false)
        case .orderRows: return decodeOrderRows(batch)
        case .money:
            return decodeValues(batch, missing: 0, into: stage(0, as: Int64.self)) { value throws(ValueProblem) in
                try FieldParser.moneyCents(value)
            }
        case .time: return decodeTimes(batch)
        case .count:
            return decodeValues(batch, missing: Missing.count, into: stage(0, as: Int32.self)) { value throws(ValueProblem) in
                Int32(truncatingIfNeeded: try FieldParser.integer(value, in: 0...Int64(Int32.max)))
            }
        case .stars:
            return decodeValues(batch, missing: 0, into: stage(0, as: UInt8.self)) { value throws(ValueProblem) in
                UInt8(truncatingIfNeeded: try FieldParser.integer(value, in: 1...5))
            }
        case .flag:
            return decodeValues(batch, missing: Missing.flag, into: stage(0, as: UInt8.self)) { value throws(ValueProblem) in
                try FieldParser.flag(value)
            }
        case .vocabulary(let names):
            return decodeValues(batch, missing: 0, into: stage(0, as: UInt8.self)) { value throws(ValueProblem) in
                try names.index(of: value)
            }
        }
    }

    /// The failure of field `field` (position in the record) at `row` of frame `frame`.
    private func failure(
        _ batch: RecordBatch, frame: Int, row: Int, index: Int, field: Int, _ problem: ValueProblem
    ) -> ValueFailure {
        let records = batch.frames[frame]
        return ValueFailure(
            row: index, field: field, line: batch.firstLines[frame] + Int(records.lines[row]), problem: problem,
            value: IngestError.quoted(records.value(row, field, in: batch.buffer)))
    }

    /// The typed loop of a one-field value column: empty values are `missing` (an error
    /// when the field is required; kinds without a sentinel are always required), others
    /// go through `parse`.
    @inline(__always)
    private func decodeValues<Value>(
        _ batch: RecordBatch, missing: Value, into out: UnsafeMutablePointer<Value>,
        _ parse: (UnsafeRawBufferPointer) throws(ValueProblem) -> Value
    ) -> ValueFailure? {
        let field = fields[0]
        let optional = !required[0]
        let base = batch.buffer
        var index = 0
        for (number, frame) in batch.frames.enumerated() {
            let rows = min(frame.rows, batch.rows &- index)
            let stride = frame.columns &* 2
            var bound = UnsafePointer(frame.bounds) + field &* 2
            for row in 0..<rows {
                let lower = Int(bound[0])
                let value = UnsafeRawBufferPointer(start: base + lower, count: Int(bound[1]) &- lower)
                bound += stride
                if value.isEmpty {
                    guard optional else {
                        return failure(batch, frame: number, row: row, index: index, field: field, .missingValue)
                    }
                    out[index] = missing
                } else {
                    do throws(ValueProblem) {
                        out[index] = try parse(value)
                    } catch {
                        return failure(batch, frame: number, row: row, index: index, field: field, error)
                    }
                }
                index &+= 1
            }
        }
        return nil
    }

    /// The typed loop of a time column: runs of ISO values in the contract's three forms
    /// go through `cw_decode_iso_times` (a C loop keeping the month cache in registers);
    /// the value each run stops at (empty, another spelling, or refused) is the fast
    /// path's no, so it goes to `FieldParser.timeCarefully`, and the next run starts after it.
    private func decodeTimes(_ batch: RecordBatch) -> ValueFailure? {
        let field = fields[0]
        let optional = !required[0]
        let base = batch.buffer
        let out = stage(0, as: Int64.self)
        // A local copy: the property's exclusivity checks once a batch, not once a run.
        var month = month
        defer { self.month = month }
        var index = 0
        for (number, frame) in batch.frames.enumerated() {
            let rows = min(frame.rows, batch.rows &- index)
            let stride = frame.columns &* 2
            let bounds = UnsafePointer(frame.bounds) + field &* 2
            var row = 0
            while true {
                row &+= cw_decode_iso_times(
                    base.assumingMemoryBound(to: UInt8.self), bounds + row &* stride, stride, rows &- row, out + (index &+ row),
                    &month.state)
                if row == rows { break }
                let lower = Int(bounds[row &* stride])
                let value = UnsafeRawBufferPointer(start: base + lower, count: Int(bounds[row &* stride &+ 1]) &- lower)
                if value.isEmpty {
                    guard optional else {
                        return failure(batch, frame: number, row: row, index: index &+ row, field: field, .missingValue)
                    }
                    out[index &+ row] = Missing.time
                } else {
                    do throws(ValueProblem) {
                        out[index &+ row] = try FieldParser.timeCarefully(value)
                    } catch {
                        return failure(batch, frame: number, row: row, index: index &+ row, field: field, error)
                    }
                }
                row &+= 1
            }
            index &+= rows
        }
        return nil
    }

    /// Keys of an id group interned as one block (`Interner.intern(_:count:into:)`):
    /// enough for their cache misses to overlap, few enough that what they fetched (a
    /// slot's line each, 8 KB) is still cached when they are interned. A key repeating the
    /// row before costs no fetch, so a block of runs of equal keys holds fewer misses
    /// than keys (docs/PERFORMANCE.md, session 9, measured on logistics' waybills, since
    /// appended a run at a time: 128 and 256 keys alike, 8% less CPU for `features` than
    /// 32). Blocks of new keys (`uniqueIDs`, `runIDs`) and order-id lookups are as long.
    static let keysAhead = 128

    /// Interns the group's id fields row by row (fields in file order within a row), so
    /// ids are first-seen ids. Room in the dictionary is made once per frame (its rows'
    /// values, their bytes). Rows go in blocks of `keysAhead` keys: gathered and checked
    /// (`gatherKeys`), then interned together.
    private func decodeIDs(_ batch: RecordBatch) -> ValueFailure? {
        var dictionary = IdDictionary(capacity: 0)
        swap(&dictionary, &self.dictionary)
        defer { swap(&dictionary, &self.dictionary) }
        let block = block, ids = blockIDs
        let width = fields.count
        let blockRows = max(1, ColumnGroup.keysAhead / width)
        var index = 0
        for (number, frame) in batch.frames.enumerated() {
            let rows = min(frame.rows, batch.rows &- index)
            let refused = dictionary.withRoom(forKeys: rows &* width, bytes: valueBytes(frame, rows: rows)) { interner -> ValueFailure? in
                var row = 0
                while row < rows {
                    let blockEnd = min(rows, row &+ blockRows)
                    let (keys, problem) = gatherKeys(batch, frame: frame, rows: row..<blockEnd)
                    let out = width == 1 ? stage(0, as: UInt32.self) + (index &+ row) : ids
                    interner.intern(block, count: keys, into: out)
                    if width > 1 {
                        // Each field's ids to its stage, a field at a time (no division per key).
                        for slot in 0..<width {
                            let column = stage(slot, as: UInt32.self) + (index &+ row)
                            var key = slot, staged = 0
                            while key < keys {
                                column[staged] = ids[key]
                                key &+= width
                                staged &+= 1
                            }
                        }
                    }
                    if !sizedForFile { countRunRepeats(rows: (index &+ row)..<(index &+ row &+ keys / width)) }
                    if let problem {
                        let at = row &+ keys / width
                        return failure(batch, frame: number, row: at, index: index &+ at, field: fields[keys % width], problem)
                    }
                    row = blockEnd
                }
                return nil
            }
            if let refused { return refused }
            index &+= rows
        }
        return nil
    }

    /// Appends the values of a one-field id group as new keys, without a probe each
    /// (`IdDictionary.withRoom(forNewKeys:)`). Without `runs` (`uniqueIDs`) every value
    /// must be new (its id is its row) and each record's line is noted: whether one
    /// repeats an earlier one is found once the file is read, or before the file's first
    /// other error (`placeNewKeys`). With `runs` (`runIDs`) each run of equal values is
    /// one key (`NewKeys.appendRuns`), a run whose value an earlier run had under a
    /// provisional id until `mergeRunRepeats`.
    private func decodeNewIDs(_ batch: RecordBatch, runs: Bool) -> ValueFailure? {
        var dictionary = IdDictionary(capacity: 0)
        swap(&dictionary, &self.dictionary)
        defer { swap(&dictionary, &self.dictionary) }
        let out = stage(0, as: UInt32.self)
        var index = 0
        for (number, frame) in batch.frames.enumerated() {
            let rows = min(frame.rows, batch.rows &- index)
            if !runs { newKeyLines.add(firstID: dictionary.count, frame: frame, rows: rows, firstLine: batch.firstLines[number]) }
            let refused = dictionary.withRoom(forNewKeys: rows, bytes: valueBytes(frame, rows: rows)) { newKeys -> ValueFailure? in
                var row = 0
                while row < rows {
                    let blockEnd = min(rows, row &+ ColumnGroup.keysAhead)
                    let (keys, problem) = gatherKeys(batch, frame: frame, rows: row..<blockEnd)
                    if runs {
                        newKeys.appendRuns(block, count: keys, into: out + (index &+ row))
                        if !sizedForFile { countRunRepeats(rows: (index &+ row)..<(index &+ row &+ keys)) }
                    } else {
                        newKeys.append(block, count: keys, into: out + (index &+ row))
                    }
                    if let problem {
                        return failure(batch, frame: number, row: row &+ keys, index: index &+ row &+ keys, field: fields[0], problem)
                    }
                    row = blockEnd
                }
                return nil
            }
            if let refused { return refused }
            index &+= rows
        }
        return nil
    }

    /// For a `runIDs` group, once the file is read: puts the keys appended into the
    /// dictionary's table and merges each run's key that repeats an earlier one
    /// (`IdDictionary.placeNewKeysMergingRepeats`); how the ids changed, nil when none did.
    func mergeRunRepeats() -> IdRenumbering? { dictionary.placeNewKeysMergingRepeats() }

    /// For a `uniqueIDs` group: puts the keys appended so far into the dictionary's table
    /// (`IdDictionary.placeNewKeys`) and returns the first value that repeats an earlier
    /// one, with its line and field, if any.
    func placeNewKeys() -> (line: Int, field: Int, value: String)? {
        guard let repeated = dictionary.placeNewKeys() else { return nil }
        let key = Array(dictionary.string(repeated).utf8)
        return (newKeyLines.line(of: Int(repeated)), fields[0], key.withUnsafeBytes { IngestError.quoted($0) })
    }

    /// The bytes of the group's values in the first `rows` rows of `frame`: the most
    /// their new keys can add to the dictionary's arena. (The frame's bytes, all columns,
    /// overstate it several times, and the arena zeroes every byte it grows by.)
    private func valueBytes(_ frame: RecordFrame, rows: Int) -> Int {
        let stride = frame.columns &* 2
        var total = 0
        for field in fields {
            var bound = UnsafePointer(frame.bounds) + field &* 2
            for _ in 0..<rows {
                total &+= Int(bound[1]) &- Int(bound[0])
                bound += stride
            }
        }
        return total
    }

    /// Puts the group's values of `rows` of `frame` into `block` in file order (row by
    /// row, a row's fields in order; an empty optional value as missing): how many, and the problem of the value after them when
    /// it is refused (empty and required, or too long to be an id). Goes down one field at
    /// a time (no work per row), each stopping at the first value refused so far.
    @inline(__always)
    private func gatherKeys(_ batch: RecordBatch, frame: RecordFrame, rows: Range<Int>) -> (Int, ValueProblem?) {
        let base = batch.buffer, keys = block.keys, lengths = block.lengths
        let width = fields.count, stride = frame.columns &* 2
        var limit = rows.count &* width
        var problem: ValueProblem?
        var empties = 0
        for slot in 0..<width {
            let optional = !required[slot]
            var bound = UnsafePointer(frame.bounds) + (rows.lowerBound &* stride &+ fields[slot] &* 2)
            var key = slot
            while key < limit {
                let lower = Int(bound[0])
                let length = Int(bound[1]) &- lower
                if length == 0 {
                    guard optional else {
                        (limit, problem) = (key, .missingValue)
                        break
                    }
                    empties &+= 1
                    lengths[key] = -1
                } else {
                    guard length <= FieldParser.maxIDBytes else {
                        (limit, problem) = (key, .idTooLong)
                        break
                    }
                    keys[key] = base + lower
                    lengths[key] = length
                }
                key &+= width
                bound += stride
            }
        }
        emptyValues &+= empties
        return (limit, problem)
    }

    /// Counts the staged ids of `rows` equal to the id of the row before (for a batch's
    /// first row, the previous batch's last), so that a waybill whose scans straddle two
    /// batches is one run, not a repeat.
    private func countRunRepeats(rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        for slot in fields.indices {
            let ids = stage(slot, as: UInt32.self)
            var previous = rows.lowerBound == 0 ? lastCountedIDs[slot] : ids[rows.lowerBound &- 1]
            for row in rows {
                if ids[row] == previous && previous != IdDictionary.absent { runRepeats &+= 1 }
                previous = ids[row]
            }
            lastCountedIDs[slot] = previous
        }
    }

    /// Resolves order ids to order rows (absent when empty or unknown; unknown ones are
    /// counted with examples), in blocks of `keysAhead` looked up together
    /// (`IdDictionary.lookup(_:count:into:)`), gathered and checked as id values are.
    private func decodeOrderRows(_ batch: RecordBatch) -> ValueFailure? {
        let field = fields[0]
        let out = stage(0, as: UInt32.self)
        var index = 0
        for (number, frame) in batch.frames.enumerated() {
            let rows = min(frame.rows, batch.rows &- index)
            var row = 0
            while row < rows {
                let blockEnd = min(rows, row &+ ColumnGroup.keysAhead)
                let (keys, problem) = gatherKeys(batch, frame: frame, rows: row..<blockEnd)
                dictionary.lookup(block, count: keys, into: out + (index &+ row))
                for key in 0..<keys where out[index &+ row &+ key] == IdDictionary.absent && block.lengths[key] >= 0 {
                    let value = UnsafeRawBufferPointer(start: block.keys[key], count: block.lengths[key])
                    let line = batch.firstLines[number] + Int(frame.lines[row &+ key])
                    unknownOrders.add("\(file):\(line):\(field + 1) (\(names[field])): unknown order \"\(IngestError.quoted(value))\"")
                }
                if let problem {
                    return failure(batch, frame: number, row: row &+ keys, index: index &+ row &+ keys, field: field, problem)
                }
                row = blockEnd
            }
            index &+= rows
        }
        return nil
    }
}

/// The physical line of each record whose key a `uniqueIDs` group appended, by the key's
/// id, kept a frame at a time: a frame whose records are one line each (no quoted line
/// feed, no blank line between them) is two numbers, any other keeps its lines. So a
/// repeat found after the file is read is reported at its line.
struct RecordLines {
    /// Per frame, the id of its first record's key and that record's line.
    private var firstIDs: [Int] = [], firstLines: [Int] = []
    /// Per frame, each record's line counted from the frame's first line; nil when they are 0, 1, 2 ...
    private var lines: [[Int32]?] = []

    /// Notes the first `rows` records of `frame`, whose keys get ids from `firstID` on;
    /// the frame starts at line `firstLine`.
    mutating func add(firstID: Int, frame: RecordFrame, rows: Int, firstLine: Int) {
        guard rows > 0 else { return }
        firstIDs.append(firstID)
        firstLines.append(firstLine)
        lines.append(frame.lines[rows &- 1] == rows &- 1 ? nil : Array(UnsafeBufferPointer(start: frame.lines, count: rows)))
    }

    /// The line of the record whose key got `id`.
    func line(of id: Int) -> Int {
        let frame = firstIDs.lowerBound(of: id + 1) - 1
        let row = id - firstIDs[frame]
        return firstLines[frame] + (lines[frame].map { Int($0[row]) } ?? row)
    }
}
