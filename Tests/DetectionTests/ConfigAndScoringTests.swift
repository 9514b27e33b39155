import Columnar
import Testing

@testable import Detection

@Suite struct ConfigTests {
    let defaults = DetectionConfig(detectors: Detectors.standard)

    @Test func printedDefaultsReadBackUnchanged() throws {
        var config = defaults
        try config.apply(toml: defaults.toml(), file: "defaults.toml")
        #expect(config == defaults)
        #expect(config.fingerprint == defaults.fingerprint)
    }

    @Test func overridesAKeyInASection() throws {
        var config = defaults
        try config.apply(toml: "[signals.shop_window_orders_per_buyer]\nthreshold = 4 # stricter\n", file: "c.toml")
        #expect(config["signals.shop_window_orders_per_buyer.threshold"] == 4)
        #expect(config.fingerprint != defaults.fingerprint)
    }

    @Test func unknownKeyNamesFileLineAndKey() {
        var config = defaults
        #expect(throws: ConfigError(file: "c.toml", line: 3, message: "unknown key 'lists.blaklist'")) {
            try config.apply(toml: "# tuned\n[lists]\nblaklist = 0.9\n", file: "c.toml")
        }
    }

    @Test func malformedLinesAreErrors() {
        var config = defaults
        #expect(throws: ConfigError(file: "c.toml", line: 2, message: "'lists.blacklist' must be a number, found '\"high\"'")) {
            try config.apply(toml: "[lists]\nblacklist = \"high\"\n", file: "c.toml")
        }
        #expect(throws: ConfigError(file: "c.toml", line: 1, message: "malformed section header '[lists'")) {
            try config.apply(toml: "[lists\n", file: "c.toml")
        }
        #expect(throws: ConfigError(file: "c.toml", line: 1, message: "expected 'key = number', found 'blacklist'")) {
            try config.apply(toml: "blacklist\n", file: "c.toml")
        }
    }

    @Test func invalidValuesAreErrors() {
        var config = defaults
        #expect(throws: ConfigError(file: "c.toml", line: nil, message: "'signals.shop_window_orders_per_buyer.weight' is 1.5; a weight must be in [0, 1]")) {
            try config.apply(toml: "[signals.shop_window_orders_per_buyer]\nweight = 1.5\n", file: "c.toml")
        }
    }
}

@Suite struct ScoringTests {
    static func definition(_ name: String, weight: Double) -> SignalDefinition {
        SignalDefinition(
            name: name, entityKind: .shop, category: .fakeOrders, description: name,
            threshold: 1, saturation: 3, weight: weight)
    }

    @Test func contributionRampsFromHalfToFullWeight() {
        let signal = Self.definition("s", weight: 0.8)
        #expect(signal.contribution(of: 0.99) == 0)
        #expect(signal.contribution(of: 1) == 0.4)
        #expect(signal.contribution(of: 2) == 0.6000000000000001)
        #expect(signal.contribution(of: 9) == 0.8)
        #expect(signal.contribution(of: .nan) == 0)
    }

    @Test func noisyOrCombinesSignalsAndProposesLists() {
        var export = Export()
        for id in ["shop-a", "shop-b", "shop-c"] { _ = export.dictionaries.accounts.intern(id) }
        let a = SignalColumn(definition: Self.definition("a", weight: 0.8), values: [3, 2, 0])
        let b = SignalColumn(definition: Self.definition("b", weight: 0.5), values: [3, .nan, 0])
        let config = DetectionConfig(detectors: [])
        let (scores, suspects) = Scorer.score([a, b], export: export, config: config)
        #expect(scores.count == 2)
        #expect(abs(scores[0].score - 0.9) < 1e-12)
        #expect(abs(scores[1].score - 0.6) < 1e-12)
        #expect(suspects.map(\.entityId) == ["shop-a", "shop-b"])
        #expect(suspects.map(\.proposedList) == [.blacklist, .keyScrutiny])
        #expect(suspects[0].evidence.map(\.signal) == ["a", "b"])
        #expect(suspects[1].evidence.map(\.signal) == ["a"])
    }
}
