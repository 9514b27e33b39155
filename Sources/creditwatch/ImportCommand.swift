import ArgumentParser
import Foundation
import Ingest

/// `creditwatch import`: turns data in other forms into export folders.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn data in other forms into export folders that scan reads.",
        subcommands: [RatingsNetwork.self])
}

/// `creditwatch import ratings-network`: a signed rating network to an export folder.
struct RatingsNetwork: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratings-network",
        abstract: "Write an export folder from a rating network CSV (source,target,rating,time).",
        discussion: """
            Reads the common signed-network form `source,target,rating,time` (Bitcoin OTC / \
            Alpha, Epinions...), with or without a header line. source becomes the rater \
            (buyer_id) and target the rated shop (shop_id). rating may be on any numeric \
            scale: stars = 1 + round(4 (rating - MIN) / (MAX - MIN)), linear from MIN..MAX \
            to 1..5, where MIN:MAX is the file's observed range unless --scale gives it \
            (a file whose ratings are all equal maps them to 3). time is Unix seconds (a \
            fraction is dropped) or ISO 8601. The export holds ratings.csv (no order ids) \
            and orders.csv with its header only, so order-based signals do not apply.

            Example:
              creditwatch import ratings-network soc-sign-bitcoinotc.csv --out exports/otc --scale -10:10
              creditwatch scan exports/otc
            """)

    @Argument(help: "The rating network CSV file.")
    var file: String

    @Option(help: "Folder to write the export into (created if missing).")
    var out: String

    @Option(parsing: .unconditional, help: "The rating scale as MIN:MAX, e.g. -10:10 (default: the file's observed range).")
    var scale: String?

    func validate() throws {
        if let scale, Self.parseScale(scale) == nil {
            throw ValidationError("--scale must be MIN:MAX with MIN < MAX, e.g. -10:10 or 1:5")
        }
    }

    /// `MIN:MAX` as a range, or nil when malformed.
    static func parseScale(_ text: String) -> ClosedRange<Double>? {
        guard let colon = text.lastIndex(of: ":"), let low = Double(text[..<colon]),
            let high = Double(text[text.index(after: colon)...]), low < high
        else { return nil }
        return low...high
    }

    func run() throws {
        let name = URL(fileURLWithPath: file).lastPathComponent
        let network: RatingNetwork
        let range: ClosedRange<Double>
        do {
            network = try RatingNetwork.read(file, name: name)
            range = scale.flatMap(Self.parseScale) ?? network.observed
            try network.check(scale: range, file: name)
        } catch {
            throw CommandFailure.input("\(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Data(network.ratingsCSV(scale: range).utf8).write(to: URL(fileURLWithPath: out + "/ratings.csv"))
            try Data(RatingNetwork.ordersCSV.utf8).write(to: URL(fileURLWithPath: out + "/orders.csv"))
        } catch {
            throw CommandFailure.input("cannot write \(out): \(error.localizedDescription)")
        }
        print("wrote \(out): \(network.edges.count) ratings, scale \(range.lowerBound):\(range.upperBound) -> 1..5 stars")
    }
}
