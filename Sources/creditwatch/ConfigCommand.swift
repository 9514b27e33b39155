import ArgumentParser
import Detection

/// `creditwatch config`: shows the detection settings a scan would use.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or check the detection config (thresholds, weights, parameters).",
        discussion: """
            Every setting has a built-in default. Write them to a file, edit what you want
            to tune, and pass the file to scan with --config:
              creditwatch config --print-defaults > tuned.toml
              creditwatch config --check tuned.toml
              creditwatch scan EXPORT_DIR --config tuned.toml
            An unknown key is an error naming the file, the line and the key.
            """)

    @Flag(help: "Print every setting with its default value and what it does.")
    var printDefaults = false

    @Option(name: .customLong("check"), help: "Read a config file and report the first error, if any.")
    var check: String?

    func validate() throws {
        guard printDefaults || check != nil else {
            throw ValidationError("say --print-defaults or --check FILE")
        }
    }

    func run() throws {
        let defaults = DetectionConfig(detectors: Detectors.standard)
        if printDefaults { print(defaults.toml(), terminator: "") }
        if let check {
            let config = try loadConfig(check)
            print("\(check): ok (fingerprint \(config.fingerprint))")
        }
    }
}

/// The built-in config with the settings of `path` applied (nil: the defaults).
func loadConfig(_ path: String?) throws -> DetectionConfig {
    var config = DetectionConfig(detectors: Detectors.standard)
    guard let path else { return config }
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw CommandFailure.input("\(path): cannot read config file")
    }
    try config.apply(toml: text, file: path)
    return config
}
