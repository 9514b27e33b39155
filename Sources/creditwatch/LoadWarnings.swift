import Ingest

/// What a load kept but a person should know (rows naming an order the export does not
/// have), written the same way by `inspect`, by `scan`'s summary and by its report, so a
/// scan over a partial export says so where its results are read.
enum LoadWarnings {
    /// One line per warned file and one per example, indented by `indent`; empty when the
    /// load had nothing to warn about.
    static func lines(_ report: LoadReport, indent: String = "  ") -> [String] {
        report.files.filter { $0.unknownOrders.count > 0 }.flatMap { file in
            ["\(indent)\(file.name): \(file.unknownOrders.count) row(s) name an order not in the export, e.g."]
                + file.unknownOrders.examples.map { "\(indent)  \($0)" }
        }
    }
}
