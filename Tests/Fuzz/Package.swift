// swift-tools-version:6.1
import PackageDescription

/// The fuzz target of the `.cwseg` reader, a package of its own so that `make test` never
/// builds it: `make fuzz` builds it with `-sanitize=fuzzer` (libFuzzer supplies `main`)
/// and runs it over the seed corpus in `corpus/`.
let package = Package(
    name: "SegmentFuzz",
    dependencies: [.package(name: "CreditWatch", path: "../..")],
    targets: [
        .executableTarget(
            name: "SegmentFuzzer",
            dependencies: [.product(name: "Columnar", package: "CreditWatch")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        )
    ]
)
