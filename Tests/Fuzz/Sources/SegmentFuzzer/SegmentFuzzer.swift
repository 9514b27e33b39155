import Columnar

/// libFuzzer's entry: reads the input as a segment file of each table in turn and
/// decodes every column, column by column and as a whole export (`decodeExport`, beside
/// a sound dictionaries file when the input is a table). Any outcome but an error or
/// values is a finding: libFuzzer stops on a crash, an out-of-bounds access or a leak.
@_cdecl("LLVMFuzzerTestOneInput")
public func segmentFuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    for table in [ExportSegments.dictionaries] + ExportSegments.tables {
        guard let file = try? SegmentFile(bytes: bytes, name: "fuzz.cwseg", table: table) else { continue }
        if table == ExportSegments.dictionaries {
            _ = try? ExportSegments.decodeDictionaries(file, threads: 2)
            _ = try? ExportSegments.decodeExport(dictionaries: file, tables: [], threads: 2)
        } else {
            var export = Export()
            _ = try? ExportSegments.decodeTable(file, into: &export, threads: 2)
            if let dictionaries = soundDictionaries(orders: file.footer.rows) {
                _ = try? ExportSegments.decodeExport(dictionaries: dictionaries, tables: [file], threads: 2)
            }
        }
        for column in file.footer.columns {
            switch column.type {
            case .uint8: _ = try? file.column(column.name, as: UInt8.self, threads: 2)
            case .int32: _ = try? file.column(column.name, as: Int32.self, threads: 2)
            case .uint32: _ = try? file.column(column.name, as: UInt32.self, threads: 2)
            case .int64: _ = try? file.column(column.name, as: Int64.self, threads: 2)
            }
        }
    }
    return 0
}

/// Dictionaries files by order count, made once each.
nonisolated(unsafe) private var dictionariesByOrders: [Int: SegmentFile] = [:]

/// A sound dictionaries file with `orders` order ids (up to 100,000) and 300 keys in
/// every other id space, so that a fuzzed table's ids mostly fall inside them.
private func soundDictionaries(orders: Int) -> SegmentFile? {
    guard orders <= 100_000 else { return nil }
    if let file = dictionariesByOrders[orders] { return file }
    var export = Export()
    for space in ExportSegments.idSpaces where space.name != "orders" {
        for key in 0..<300 { _ = export.dictionaries[keyPath: space.path].intern("k\(key)") }
    }
    for key in 0..<orders { _ = export.dictionaries.orders.intern("o\(key)") }
    let bytes = ExportSegments.encode(export, threads: 1)[0].bytes
    let file = try? SegmentFile(bytes: bytes, name: "dictionaries.cwseg", table: ExportSegments.dictionaries)
    dictionariesByOrders[orders] = file
    return file
}

/// libFuzzer's driver, which its own `main` would call.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The executable's entry under the name SwiftPM links as `main`: hands over to
/// libFuzzer's driver with the input function above.
@_cdecl("SegmentFuzzer_main")
func segmentFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { segmentFuzzerTestOneInput($0, $1) }
}
