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
        /// Ids interned into `dictionary`, each new (`order_id` of orders: the id is the row).
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
    /// The id space of `ids`, `uniqueIDs` and `orderRows`.
    var dictionary = IdDictionary(capacity: 0)
    /// The month of the previous value of a `time` column.
    private var month = FieldParser.MonthCache()
    /// Order ids not in the export (`orderRows`).
    private(set) var unknownOrders = WarningTally()
    /// Empty values of an id group so far.
    private var emptyValues = 0
    /// One staging buffer per field, `stageRows` rows of 8 bytes.
    private var stages: [UnsafeMutableRawPointer]
    private var stageRows = 0

    init(kind: Kind, fields: [Int], required: [Bool], file: String, names: [String]) {
        self.kind = kind
        self.fields = fields
        self.required = required
        self.file = file
        self.names = names
        stages = fields.map { _ in UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8) }
    }

    deinit { for stage in stages { stage.deallocate() } }

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
    /// the `rowsRead` rows so far show, instead of letting it double step by step: the
    /// repeats among the `n` non-empty values so far estimate the size of the id space
    /// (`N = n² / 2 repeats`, the birthday estimate), and the file's rows then draw
    /// `N (1 - e^(-draws / N))` distinct ids from it; no repeats at all (near-unique ids
    /// such as addresses) means one id per value. Only sizes change, never ids.
    func reserveForFile(rows: Int, rowsRead: Int) {
        guard case .ids = kind, rowsRead >= 1000 else { return }
        let values = rowsRead * fields.count - emptyValues
        let distinct = dictionary.count
        guard values >= 1000, distinct > 0 else { return }
        let draws = Double(rows * fields.count) * Double(values) / Double(rowsRead * fields.count)
        let repeats = values - distinct
        let expected: Double
        if repeats * 1000 <= values {
            expected = draws
        } else {
            let space = Double(values) * Double(values) / (2 * Double(repeats))
            expected = space * (1 - exp(-draws / space))
        }
        dictionary.reserveCapacity(Int(min(draws, expected * 1.1)))
    }

    /// Decodes the group's fields of the batch's rows into the stages; the first refused
    /// value, if any (rows after it are then undefined).
    func decode(_ batch: RecordBatch) -> ValueFailure? {
        switch kind {
        case .ids: return decodeIDs(batch, unique: false)
        case .uniqueIDs: return decodeIDs(batch, unique: true)
        case .orderRows: return decodeOrderRows(batch)
        case .money:
            return decodeValues(batch, missing: 0, into: stage(0, as: Int64.self)) { value throws(ValueProblem) in
                try FieldParser.moneyCents(value)
            }
        case .time:
            var month = month
            defer { self.month = month }
            return decodeValues(batch, missing: Missing.time, into: stage(0, as: Int64.self)) { value throws(ValueProblem) in
                try FieldParser.time(value, cache: &month)
            }
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

    /// Keys of an id group hashed and fetched ahead as one block (`Interner.fetchAhead`):
    /// enough for their cache misses to overlap, few enough that what they fetched is
    /// still cached when they are interned.
    static let keysAhead = 32

    /// Interns the group's id fields row by row (fields in file order within a row), so
    /// ids are first-seen ids. `unique`: every value must be new (its id is its row).
    /// Room in the dictionary is made once per frame (its rows' values, its bytes). Rows
    /// go in blocks of `keysAhead` keys: hashed and fetched ahead, then interned in order.
    private func decodeIDs(_ batch: RecordBatch, unique: Bool) -> ValueFailure? {
        var dictionary = IdDictionary(capacity: 0)
        swap(&dictionary, &self.dictionary)
        defer { swap(&dictionary, &self.dictionary) }
        let base = batch.buffer
        let fields = fields, required = required, stages = stages
        let width = fields.count
        let blockRows = max(1, ColumnGroup.keysAhead / width)
        var index = 0
        var empties = 0
        defer { emptyValues &+= empties }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: blockRows &* width) { hashes -> ValueFailure? in
            for (number, frame) in batch.frames.enumerated() {
                let rows = min(frame.rows, batch.rows &- index)
                let stride = frame.columns &* 2
                let refused = dictionary.withRoom(forKeys: rows &* width, bytes: frame.end &- frame.start) { interner -> ValueFailure? in
                    var record = UnsafePointer(frame.bounds)
                    var blockStart = 0, blockEnd = 0
                    for row in 0..<rows {
                        if row == blockEnd {
                            blockStart = row
                            blockEnd = min(rows, row &+ blockRows)
                            ColumnGroup.hash(rows: blockEnd &- row, from: record, stride: stride, fields: fields, base: base, into: hashes)
                            interner.fetchAhead(UnsafeBufferPointer(rebasing: hashes[..<((blockEnd &- row) &* width)]))
                        }
                        let hashed = (row &- blockStart) &* width
                        for slot in 0..<width {
                            let field = fields[slot]
                            let lower = Int(record[field &* 2])
                            let value = UnsafeRawBufferPointer(start: base + lower, count: Int(record[field &* 2 &+ 1]) &- lower)
                            let id: UInt32
                            if value.isEmpty {
                                guard !required[slot] else {
                                    return failure(batch, frame: number, row: row, index: index &+ row, field: field, .missingValue)
                                }
                                empties &+= 1
                                id = IdDictionary.absent
                            } else {
                                guard value.count <= FieldParser.maxIDBytes else {
                                    return failure(batch, frame: number, row: row, index: index &+ row, field: field, .idTooLong)
                                }
                                if unique {
                                    let next = interner.nextID
                                    guard interner.intern(value, hash: hashes[hashed &+ slot]) == next else {
                                        return failure(batch, frame: number, row: row, index: index &+ row, field: field, .duplicateOrder)
                                    }
                                    continue
                                }
                                id = interner.intern(value, hash: hashes[hashed &+ slot])
                            }
                            stages[slot].storeBytes(of: id, toByteOffset: (index &+ row) &* 4, as: UInt32.self)
                        }
                        record += stride
                    }
                    return nil
                }
                if let refused { return refused }
                index &+= rows
            }
            return nil
        }
    }

    /// The `IdDictionary.hash` of the group's fields in `rows` records from `record` (`stride`
    /// bounds apart), row by row into `hashes`; 0 for a value too long to be an id (it is
    /// refused before it is interned).
    @inline(__always)
    private static func hash(
        rows: Int, from record: UnsafePointer<UInt32>, stride: Int, fields: [Int], base: UnsafeRawPointer,
        into hashes: UnsafeMutableBufferPointer<UInt64>
    ) {
        var record = record
        var next = 0
        for _ in 0..<rows {
            for field in fields {
                let lower = Int(record[field &* 2])
                let value = UnsafeRawBufferPointer(start: base + lower, count: Int(record[field &* 2 &+ 1]) &- lower)
                hashes[next] = value.count <= FieldParser.maxIDBytes ? IdDictionary.hash(value) : 0
                next &+= 1
            }
            record += stride
        }
    }

    /// Resolves order ids to order rows (absent when empty or unknown; unknown ones are
    /// counted with examples).
    private func decodeOrderRows(_ batch: RecordBatch) -> ValueFailure? {
        let field = fields[0]
        let out = stage(0, as: UInt32.self)
        var index = 0
        for (number, frame) in batch.frames.enumerated() {
            let rows = min(frame.rows, batch.rows &- index)
            for row in 0..<rows {
                let value = frame.value(row, field, in: batch.buffer)
                if value.isEmpty {
                    guard !required[0] else {
                        return failure(batch, frame: number, row: row, index: index, field: field, .missingValue)
                    }
                    out[index] = IdDictionary.absent
                } else {
                    guard value.count <= FieldParser.maxIDBytes else {
                        return failure(batch, frame: number, row: row, index: index, field: field, .idTooLong)
                    }
                    if let order = dictionary.lookup(value) {
                        out[index] = order
                    } else {
                        out[index] = IdDictionary.absent
                        let line = batch.firstLines[number] + Int(frame.lines[row])
                        unknownOrders.add("\(file):\(line):\(field + 1) (\(names[field])): unknown order \"\(IngestError.quoted(value))\"")
                    }
                }
                index &+= 1
            }
        }
        return nil
    }
}
