extension DetectionConfig {
    /// The config as a TOML file: one `[section]` per key prefix, every key with its
    /// documentation as a comment. `config --print-defaults` prints this.
    public func toml() -> String {
        var text = "# CreditWatch detection config. Every key is optional; unknown keys are errors.\n"
        var section = ""
        for parameter in parameters {
            let dot = parameter.key.lastIndex(of: ".")!
            let keySection = String(parameter.key[..<dot])
            if keySection != section {
                section = keySection
                text += "\n[\(section)]\n"
            }
            text += "# \(parameter.description)\n"
            text += "\(parameter.key[parameter.key.index(after: dot)...]) = \(Self.format(self[parameter.key]))\n"
        }
        return text
    }

    /// A stable fingerprint of every value, stored with each run so that two runs can
    /// be compared knowing whether their settings were the same.
    public var fingerprint: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in toml().utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Applies the settings of a TOML config file over these values. Accepts the subset
    /// the printed file uses: comments, `[dotted.section]` headers and `key = number`
    /// (integers, decimals, exponents, `_` separators). Anything else is an error naming
    /// `file` and the line.
    public mutating func apply(toml text: String, file: String) throws(ConfigError) {
        var section = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), !trimmed.hasPrefix("[[") else {
                    throw ConfigError(file: file, line: lineNumber, message: "malformed section header '\(trimmed)'")
                }
                section = String(trimmed.dropFirst().dropLast()).trimmingWhitespace()
                guard !section.isEmpty else {
                    throw ConfigError(file: file, line: lineNumber, message: "empty section header")
                }
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigError(file: file, line: lineNumber, message: "expected 'key = number', found '\(trimmed)'")
            }
            let name = String(trimmed[..<equals]).trimmingWhitespace()
            let rawValue = String(trimmed[trimmed.index(after: equals)...]).trimmingWhitespace()
            let key = section.isEmpty ? name : "\(section).\(name)"
            guard let value = Double(rawValue.replacingUnderscores()) else {
                throw ConfigError(file: file, line: lineNumber, message: "'\(key)' must be a number, found '\(rawValue)'")
            }
            do {
                try set(key, value)
            } catch {
                throw ConfigError(file: file, line: lineNumber, message: error.message)
            }
        }
        do {
            try validate()
        } catch {
            throw ConfigError(file: file, line: nil, message: error.message)
        }
    }

    private static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }

    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
