// Loading a whole native export at once: every block of every file is one task, and the
// tasks run on all cores straight into the final arrays of the export, or check in place
// the raw aligned columns the export's tables then view.

extension ExportSegments {
    /// The export held by `dictionaries` and `tables` (framed segment files, in reading
    /// order: orders first). The id rules need only the dictionaries' key counts, which
    /// the dictionaries' footer gives, so the blocks of all files decode together: one
    /// task per block, the largest first, each into its place in its column's final
    /// array (no copy after) or, for a raw aligned column, checked where it lies and then
    /// viewed. The error thrown is the one a reader going file by file,
    /// column by column and block by block would meet first.
    ///
    /// With `columns`, only those columns and id spaces are decoded (and checked); the
    /// others stay empty, as a columnar engine reads only the columns a query names.
    public static func decodeExport(
        dictionaries: SegmentFile, tables: [SegmentFile], columns: ExportColumns? = nil, threads: Int
    ) throws(SegmentError) -> Export {
        var plan = LoadPlan(selection: columns)
        plan.addDictionaries(dictionaries)
        for file in tables where plan.isOpen { plan.addTable(file) }
        plan.decode(threads: threads)
        return try plan.export(dictionaries: dictionaries, tables: tables, threads: threads)
    }
}

/// The part of a native export a command needs: columns by table (stored names, as in
/// docs/FORMAT.md) and the id spaces whose keys it reads. Ids in the chosen columns are
/// still checked against their dictionary's size, which the footer gives.
public struct ExportColumns: Sendable {
    public var columns: [String: Set<String>]
    public var idSpaces: Set<String>

    public init(columns: [String: Set<String>], idSpaces: Set<String>) {
        self.columns = columns
        self.idSpaces = idSpaces
    }

    /// Whether the load needs `table` at all.
    public func includes(table: String) -> Bool { !(columns[table] ?? []).isEmpty }

    func includes(_ table: String, _ column: String) -> Bool { columns[table]?.contains(column) ?? false }
}

/// The columns of an export to decode and the checks between them, in the order a
/// sequential reader meets them; it stops at the first problem found before decoding
/// (a missing column, a wrong type or row count), so that only the columns before it
/// are decoded.
private struct LoadPlan {
    enum Step {
        /// A planned column: its block problems, first block first.
        case column(Int)
        /// Id space `space`'s key lengths (column `lengths`) must add up to its key bytes.
        case dictionary(space: Int, lengths: Int, bytes: Int)
        /// A problem found before decoding; nothing after it is planned.
        case failure(SegmentError)
    }

    /// Only these columns and id spaces, when given.
    let selection: ExportColumns?
    var steps: [Step] = []
    var columns: [any PlannedColumn] = []
    /// The first planned column of a table (those before are the dictionaries').
    var firstTableColumn = 0
    var sizes = IdSpaceSizes(counts: [])
    /// Per column and block, what went wrong (after `decode`).
    var problems: [[SegmentError.Problem?]] = []

    /// False once a step failed: later files are not planned.
    var isOpen: Bool {
        if case .failure = steps.last { return false }
        return true
    }

    mutating func addDictionaries(_ file: SegmentFile) {
        var counts: [Int] = []
        for (index, space) in ExportSegments.idSpaces.enumerated() {
            let lengthsName = "\(space.name).lengths"
            guard selection?.idSpaces.contains(space.name) ?? true else {
                // Not decoded: its size is all the id rules need.
                do {
                    counts.append(try file.layout(of: lengthsName, as: UInt32.self).values)
                } catch {
                    steps.append(.failure(error))
                    return
                }
                continue
            }
            guard let lengths = add(file, lengthsName, as: UInt32.self, making: {
                DecodedColumn<UInt32>(file: file, layout: $0, rule: ExportSegments.keyLengthRule, leading: [0])
            }),
                  let bytes = add(file, "\(space.name).bytes", as: UInt8.self, making: { layout in
                      file.rawStretch(of: layout).map { KeysInPlace(file: file, layout: layout, stretch: $0) as any PlannedColumn }
                          ?? DecodedColumn<UInt8>(file: file, layout: layout, rule: .any)
                  })
            else { return }
            steps.append(.dictionary(space: index, lengths: lengths, bytes: bytes))
            counts.append(columns[lengths].layout.values)
        }
        sizes = IdSpaceSizes(counts: counts)
        firstTableColumn = columns.count
    }

    mutating func addTable(_ file: SegmentFile) {
        let table = file.footer.table
        guard ExportSegments.tables.contains(table) else {
            steps.append(.failure(SegmentError(file: file.name, table: table, problem: .wrongTable(table))))
            return
        }
        if table == "orders" && file.footer.rows != sizes.orders {
            steps.append(.failure(SegmentError(
                file: file.name, table: table,
                problem: .dictionaryMismatch("\(file.footer.rows) orders but \(sizes.orders) order ids"))))
            return
        }
        var planner = ColumnPlanner(plan: self, file: file)
        var shape = Export()
        try? shape.visitColumns(of: table, sizes: sizes, &planner)
        self = planner.plan
    }

    /// Plans column `name` of `file` (a `failure` step and nil when it cannot be read);
    /// `rows` is the row count the column must have, if any.
    mutating func add<T: SegmentValue>(
        _ file: SegmentFile, _ name: String, as _: T.Type, rule: ValueRule, rows: Int? = nil
    ) -> Int? {
        add(file, name, as: T.self, rows: rows) { layout in
            file.inPlaceStretch(of: layout, as: T.self).map {
                ColumnInPlace<T>(file: file, layout: layout, stretch: $0, rule: rule) as any PlannedColumn
            } ?? DecodedColumn<T>(file: file, layout: layout, rule: rule)
        }
    }

    /// Plans column `name` of `file` as the column `making` makes from its layout.
    mutating func add<T: SegmentValue>(
        _ file: SegmentFile, _ name: String, as _: T.Type, rows: Int? = nil, making: (SegmentColumn) -> any PlannedColumn
    ) -> Int? {
        let layout: SegmentColumn
        do {
            layout = try file.layout(of: name, as: T.self)
        } catch {
            steps.append(.failure(error))
            return nil
        }
        columns.append(making(layout))
        steps.append(.column(columns.count - 1))
        if let rows, layout.values != rows {
            steps.append(.failure(SegmentError(
                file: file.name, table: file.footer.table, column: name,
                problem: .wrongRowCount(expected: rows, found: layout.values))))
            return nil
        }
        return columns.count - 1
    }

    /// Decodes every block of every planned column, the largest blocks first.
    mutating func decode(threads: Int) {
        var tasks: [(column: Int, block: Int)] = []
        for (index, column) in columns.enumerated() {
            for block in column.layout.blocks.indices { tasks.append((index, block)) }
        }
        let columns = self.columns
        func size(_ task: (column: Int, block: Int)) -> Int {
            columns[task.column].layout.blocks[task.block].values * columns[task.column].layout.type.width
        }
        tasks.sort { size($0) > size($1) || (size($0) == size($1) && ($0.column, $0.block) < ($1.column, $1.block)) }
        let order = tasks
        var problems = columns.map { [SegmentError.Problem?](repeating: nil, count: $0.layout.blocks.count) }
        func allocate(from index: Int) {
            guard index == columns.count else { return columns[index].allocate { allocate(from: index + 1) } }
            let found = ConcurrentTasks.map(count: order.count, threads: threads, worker: BlockScratch.init) { task, scratch in
                columns[order[task].column].decode(block: order[task].block, scratch: scratch)
            }
            for (task, problem) in zip(order, found) { problems[task.column][task.block] = problem }
            for (column, blocks) in zip(columns, problems) { column.isComplete = blocks.allSatisfy { $0 == nil } }
        }
        allocate(from: 0)
        self.problems = problems
    }

    /// The export, or the first error in reading order.
    func export(dictionaries file: SegmentFile, tables: [SegmentFile], threads: Int) throws(SegmentError) -> Export {
        // Key offsets of the id spaces, the big ones side by side.
        let spaces = steps.compactMap { step -> (space: Int, lengths: Int, bytes: Int)? in
            if case .dictionary(let space, let lengths, let bytes) = step { return (space, lengths, bytes) }
            return nil
        }
        let columns = self.columns
        let built = ConcurrentTasks.map(count: spaces.count, threads: threads) { index -> Result<IdDictionary, SegmentError> in
            let (space, lengths, bytes) = spaces[index]
            return Result { () throws(SegmentError) -> IdDictionary in
                try ExportSegments.dictionary(
                    ExportSegments.idSpaces[space].name, lengths: (columns[lengths] as! DecodedColumn<UInt32>).take(),
                    keys: (columns[bytes] as? KeysInPlace)?.keys ?? .decoded((columns[bytes] as! DecodedColumn<UInt8>).take()),
                    file: file)
            }
        }
        var export = Export()
        var dictionary = 0
        for step in steps {
            switch step {
            case .column(let index):
                if let (block, problem) = problems[index].enumerated().first(where: { $0.element != nil }) {
                    let column = columns[index]
                    throw SegmentError(
                        file: column.file.name, table: column.file.footer.table, column: column.layout.name, block: block,
                        problem: problem!)
                }
            case .dictionary(let space, _, _):
                export.dictionaries[keyPath: ExportSegments.idSpaces[space].path] = try built[dictionary].get()
                dictionary += 1
            case .failure(let error):
                throw error
            }
        }
        var filler = ColumnFiller(columns: columns[firstTableColumn...])
        for table in tables {
            filler.table = table.footer.table
            try export.visitColumns(of: table.footer.table, sizes: sizes, &filler)
        }
        return export
    }
}

/// Plans a table's columns in stored order, each with its rule and the file's row count.
private struct ColumnPlanner: ColumnVisitor {
    var plan: LoadPlan
    let file: SegmentFile

    /// Throws (an error nobody reads: the plan holds the failure) to end the visit at a
    /// column that cannot be read.
    mutating func visit<T: SegmentValue>(_ name: String, _: inout Column<T>, _ rule: ValueRule, rows _: Int) throws(SegmentError) {
        guard plan.selection?.includes(file.footer.table, name) ?? true else { return }
        guard plan.add(file, name, as: T.self, rule: rule, rows: file.footer.rows) != nil else {
            throw SegmentError(file: file.name, table: file.footer.table, column: name, problem: .missingColumn)
        }
    }
}

/// Moves decoded columns into the export's tables, in the order they were planned
/// (columns left out of the load keep their empty arrays).
private struct ColumnFiller: ColumnVisitor {
    var columns: ArraySlice<any PlannedColumn>
    /// The table being visited.
    var table = ""

    mutating func visit<T: SegmentValue>(_ name: String, _ values: inout Column<T>, _: ValueRule, rows _: Int) {
        guard let column = columns.first, column.file.footer.table == table, column.layout.name == name else { return }
        values = (columns.removeFirst() as! any PlannedTableColumn<T>).column()
    }
}

/// A column on its way into the export, decoded block by block by concurrent tasks.
private protocol PlannedColumn: AnyObject, Sendable {
    var file: SegmentFile { get }
    var layout: SegmentColumn { get }
    /// Set once every block decoded without a problem (before `allocate` returns).
    var isComplete: Bool { get set }
    /// Makes the column's final array and runs `body` while its memory is open for the
    /// blocks to be decoded into; the array keeps its values when the column is complete.
    func allocate(_ body: () -> Void)
    /// Decodes one block into the array being made; the problem, if any.
    func decode(block: Int, scratch: BlockScratch) -> SegmentError.Problem?
}

/// A planned column of a table, which becomes the table's `Column` once complete.
private protocol PlannedTableColumn<Value>: PlannedColumn {
    associatedtype Value: SegmentValue
    /// The values, moved out (the planned column keeps none).
    func column() -> Column<Value>
}

/// What a planned column's block tasks share, decoded or checked in place: where each
/// block's values start in the column (and, last, their total), and the rule each value
/// must meet with its check made once for the column's value type.
private struct PlannedBlocks: Sendable {
    let firstValues: [Int]
    let rule: ValueRule
    let check: ValueCheck

    init<T: SegmentValue>(_ layout: SegmentColumn, rule: ValueRule, as _: T.Type) {
        firstValues = SegmentFile.firstValues(of: layout)
        self.rule = rule
        check = ValueCheck(rule, for: T.self)
    }
}

/// A planned column of values of type `T`, decoded straight into its final array:
/// `leading` values and then the column's, each task writing only its own block's values
/// in place. `base` is written only while no task runs and read by the tasks. A
/// dictionary's key lengths (`NAME.lengths`, u32) are one with a leading 0: the array
/// becomes its key bounds (`ExportSegments.dictionary` sums them in place into offsets),
/// so no column of lengths is made only to be copied behind that 0.
private final class DecodedColumn<T: SegmentValue>: PlannedTableColumn, @unchecked Sendable {
    let file: SegmentFile
    let layout: SegmentColumn
    let blocks: PlannedBlocks
    /// The values before the column's own (a column that failed keeps only these).
    let leading: [T]
    private var values: [T] = []
    var isComplete = false
    private var base: UnsafeMutablePointer<T>?

    init(file: SegmentFile, layout: SegmentColumn, rule: ValueRule, leading: [T] = []) {
        self.file = file
        self.layout = layout
        self.leading = leading
        blocks = PlannedBlocks(layout, rule: rule, as: T.self)
    }

    func allocate(_ body: () -> Void) {
        let total = blocks.firstValues.last!
        values = [T](unsafeUninitializedCapacity: max(leading.count + total, 1)) { buffer, initialized in
            for (index, value) in leading.enumerated() { buffer[index] = value }
            base = buffer.baseAddress! + leading.count
            body()
            base = nil
            initialized = leading.count + (isComplete ? total : 0)
        }
    }

    /// The values, leading ones first, moved out (the column keeps none).
    func take() -> [T] {
        var taken: [T] = []
        swap(&taken, &values)
        return taken
    }

    func column() -> Column<T> { Column(take()) }

    func decode(block: Int, scratch: BlockScratch) -> SegmentError.Problem? {
        file.decode(
            layout, block: block, firstValue: blocks.firstValues[block], rule: blocks.rule, check: blocks.check,
            into: base! + blocks.firstValues[block], scratch: scratch)
    }
}

/// A dictionary's key bytes used in place in the mapped file (a raw column laid out back
/// to back, `SegmentFile.rawStretch(of:)`): nothing is allocated or copied, each block's
/// checksum is verified as a task.
private final class KeysInPlace: PlannedColumn, @unchecked Sendable {
    let file: SegmentFile
    let layout: SegmentColumn
    let stretch: Range<Int>
    var isComplete = false

    init(file: SegmentFile, layout: SegmentColumn, stretch: Range<Int>) {
        self.file = file
        self.layout = layout
        self.stretch = stretch
    }

    func allocate(_ body: () -> Void) { body() }

    func decode(block: Int, scratch _: BlockScratch) -> SegmentError.Problem? {
        file.checksumProblem(layout, block: block)
    }

    /// The keys, once every block checked.
    var keys: ExportSegments.StoredKeys { .inPlace(file.mappedKeys(stretch)) }
}

/// A table's raw column used in place in the mapped file (`SegmentFile.inPlaceStretch`):
/// nothing is allocated or copied; each block's task verifies its checksum and checks
/// every value against the column's rule where it lies, so the values a table views are
/// as sound as decoded ones (docs/FORMAT.md, rule 6).
private final class ColumnInPlace<T: SegmentValue>: PlannedTableColumn, @unchecked Sendable {
    let file: SegmentFile
    let layout: SegmentColumn
    let stretch: Range<Int>
    let blocks: PlannedBlocks
    var isComplete = false

    init(file: SegmentFile, layout: SegmentColumn, stretch: Range<Int>, rule: ValueRule) {
        self.file = file
        self.layout = layout
        self.stretch = stretch
        blocks = PlannedBlocks(layout, rule: rule, as: T.self)
    }

    func allocate(_ body: () -> Void) { body() }

    func decode(block: Int, scratch _: BlockScratch) -> SegmentError.Problem? {
        file.inPlaceProblem(
            layout, block: block, firstValue: blocks.firstValues[block], rule: blocks.rule, check: blocks.check, as: T.self)
    }

    func column() -> Column<T> { file.column(viewing: stretch, count: blocks.firstValues.last!) }
}
