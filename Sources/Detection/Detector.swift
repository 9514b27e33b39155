import Columnar

/// Something a detector found that is bigger than one entity and that a person should
/// read as a whole: a dense block of buyers and shops, a burst of ratings on a victim.
public struct Finding: Sendable, Codable, Hashable {
    public var category: FraudCategory
    /// One line, e.g. "block 2: 14 buyers x 3 shops, 212 orders, density 0.81".
    public var title: String
    /// The members, as `kind:id` strings, at most a few dozen.
    public var members: [String]

    public init(category: FraudCategory, title: String, members: [String]) {
        self.category = category
        self.title = title
        self.members = members
    }

    /// `count` and `noun` as a title says them: "1 shop", "3 shops", "0 days".
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

/// What a detector measured on one export.
public struct DetectorOutput: Sendable {
    public var signals: [SignalColumn]
    public var findings: [Finding]

    public init(signals: [SignalColumn], findings: [Finding] = []) {
        self.signals = signals
        self.findings = findings
    }
}

/// One family of evidence for one category of gaming credit: declares its signals and
/// tunable parameters, and measures them over an export. Scoring is shared, so a
/// detector only says what it saw.
public protocol Detector: Sendable {
    /// Short name for progress lines and timings.
    var name: String { get }
    /// Tunables with their defaults (config keys `NAME.key`).
    var parameters: [Parameter] { get }
    /// The signals `measure` fills, with default thresholds and weights.
    var signals: [SignalDefinition] { get }
    /// Computes every declared signal, tuned by `config`, using up to `threads` cores.
    /// The result must not depend on `threads`.
    func measure(_ export: Export, config: DetectionConfig, threads: Int) -> DetectorOutput
    /// The same as `measure(_:config:threads:)`, reading what other detectors of the scan
    /// compute too from `memo` (made for `export`).
    func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput
}

extension Detector {
    /// A detector that shares nothing with others ignores the memo.
    public func measure(_ export: Export, config: DetectionConfig, threads: Int, memo: ScanMemo) -> DetectorOutput {
        measure(export, config: config, threads: threads)
    }

    /// This detector's declared signal named `name`, tuned by `config`.
    public func signal(_ name: String, _ config: DetectionConfig) -> SignalDefinition {
        guard let definition = signals.first(where: { $0.name == name }) else {
            preconditionFailure("\(self.name) measures no signal named \(name)")
        }
        return config.tuned(definition)
    }
}

/// A detector that reads from the scan's `ScanMemo` what other detectors compute too;
/// measured on its own (`measure(_:config:threads:)`), it computes them in a memo of its
/// own, so its result is the same either way.
public protocol SharingDetector: Detector {}

extension SharingDetector {
    public func measure(_ export: Export, config: DetectionConfig, threads: Int) -> DetectorOutput {
        measure(export, config: config, threads: threads, memo: ScanMemo(export))
    }
}

extension Export {
    /// The dictionary that names entities of `kind`.
    public func dictionary(for kind: EntityKind) -> IdDictionary {
        switch kind {
        case .shop, .buyer: dictionaries.accounts
        case .courier: dictionaries.couriers
        case .device: dictionaries.devices
        case .address: dictionaries.addresses
        case .payment: dictionaries.payments
        }
    }
}
