/// A tunable number of a detector (a window length, a minimum block size ...), with the
/// default built in and a line of documentation that the printed config file carries.
public struct Parameter: Sendable, Hashable {
    /// Dotted key in the config file, e.g. `fake_orders.window_seconds`.
    public var key: String
    public var defaultValue: Double
    public var description: String

    public init(_ key: String, _ defaultValue: Double, _ description: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// Every threshold, weight and parameter of a scan, by dotted key. Defaults are built
/// in (each detector declares its own); a TOML file overrides any of them, and an
/// unknown key is an error, so a misspelt setting never silently does nothing.
public struct DetectionConfig: Sendable, Equatable {
    /// Score at or above which a suspect is proposed for the blacklist.
    public static let blacklistKey = "lists.blacklist"
    /// Score at or above which a suspect is proposed for key scrutiny.
    public static let keyScrutinyKey = "lists.key_scrutiny"

    /// Every known key with its documentation, in the order the config file prints them.
    public let parameters: [Parameter]
    private var values: [String: Double]

    /// The built-in defaults for `detectors`.
    public init(detectors: [any Detector]) {
        var parameters = [
            Parameter(Self.blacklistKey, 0.8, "score at or above which a suspect is proposed for the blacklist"),
            Parameter(Self.keyScrutinyKey, 0.5, "score at or above which a suspect is proposed for key scrutiny"),
        ]
        for detector in detectors {
            parameters += detector.parameters
            for signal in detector.signals {
                let prefix = "signals.\(signal.name)."
                parameters += [
                    Parameter(prefix + "threshold", signal.threshold, signal.description),
                    Parameter(prefix + "saturation", signal.saturation, "value at which the signal adds its full weight"),
                    Parameter(prefix + "weight", signal.weight, "largest part of a score this signal can give"),
                ]
            }
        }
        // Keys several detectors share (e.g. the low-star cut of the rating detectors) are
        // declared by each of them; the first declaration stands, listed once.
        var seen = Set<String>()
        self.parameters = parameters.filter { seen.insert($0.key).inserted }
        self.values = Dictionary(parameters.map { ($0.key, $0.defaultValue) }, uniquingKeysWith: { first, _ in first })
    }

    /// The value of `key`; a key no detector declared is a programming error.
    public subscript(key: String) -> Double {
        guard let value = values[key] else { preconditionFailure("undeclared config key \(key)") }
        return value
    }

    /// Sets `key`, which must be declared.
    public mutating func set(_ key: String, _ value: Double) throws(ConfigError) {
        guard values[key] != nil else { throw ConfigError(file: nil, line: nil, message: "unknown key '\(key)'") }
        values[key] = value
    }

    /// `signal` with the threshold, saturation and weight this config gives it.
    public func tuned(_ signal: SignalDefinition) -> SignalDefinition {
        var tuned = signal
        let prefix = "signals.\(signal.name)."
        tuned.threshold = self[prefix + "threshold"]
        tuned.saturation = self[prefix + "saturation"]
        tuned.weight = self[prefix + "weight"]
        return tuned
    }

    /// The list a score is proposed for, or nil when it is below both thresholds.
    public func proposedList(for score: Double) -> ProposedList? {
        if score >= self[Self.blacklistKey] { return .blacklist }
        if score >= self[Self.keyScrutinyKey] { return .keyScrutiny }
        return nil
    }

    /// Checks values that would make a scan meaningless.
    public func validate() throws(ConfigError) {
        for parameter in parameters where !(self[parameter.key].isFinite) {
            throw ConfigError(file: nil, line: nil, message: "'\(parameter.key)' must be a finite number")
        }
        for key in parameters.map(\.key) where key.hasSuffix(".weight") {
            let weight = self[key]
            if weight < 0 || weight > 1 {
                throw ConfigError(file: nil, line: nil, message: "'\(key)' is \(weight); a weight must be in [0, 1]")
            }
        }
        if self[Self.keyScrutinyKey] > self[Self.blacklistKey] {
            throw ConfigError(
                file: nil, line: nil,
                message: "'\(Self.keyScrutinyKey)' is above '\(Self.blacklistKey)'; scrutiny must not need a higher score")
        }
    }
}

/// A config file that cannot be used: names the file, the line and the key.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var message: String

    public init(file: String?, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case let (file?, line?): "\(file):\(line): \(message)"
        case let (file?, nil): "\(file): \(message)"
        default: message
        }
    }
}
