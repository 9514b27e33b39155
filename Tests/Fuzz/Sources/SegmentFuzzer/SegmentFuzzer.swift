import Columnar

/// libFuzzer's entry: reads the input as a segment file of each table in turn and
/// decodes every column. Any outcome but an error or values is a finding: libFuzzer
/// stops on a crash, an out-of-bounds access or a leak.
@_cdecl("LLVMFuzzerTestOneInput")
public func segmentFuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    for table in [ExportSegments.dictionaries] + ExportSegments.tables {
        guard let file = try? SegmentFile(bytes: bytes, name: "fuzz.cwseg", table: table) else { continue }
        if table == ExportSegments.dictionaries {
            _ = try? ExportSegments.decodeDictionaries(file, threads: 2)
        } else {
            var export = Export()
            _ = try? ExportSegments.decodeTable(file, into: &export, threads: 2)
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
