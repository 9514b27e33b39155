// swift-tools-version:6.1
import PackageDescription

/// CreditWatch: finds gaming credit (fake orders, malicious ratings, empty parcels)
/// in e-commerce transaction exports. See docs/ARCHITECTURE.md for the pipeline.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// C code's debug information in DWARF 4: the machine's valgrind (3.19) cannot read the
/// toolchain clang's DWARF 5, and callgrind's instruction counts are how hot loops are
/// measured here (docs/PERFORMANCE.md).
let dwarf4: [CSetting] = [.unsafeFlags(["-gdwarf-4"])]

let package = Package(
    name: "CreditWatch",
    products: [
        .executable(name: "creditwatch", targets: ["creditwatch"]),
        .library(name: "Columnar", targets: ["Columnar"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "ListStore", targets: ["ListStore"]),
        .library(name: "Synth", targets: ["Synth"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .target(name: "CPrefetch"),
        .target(name: "CFraming", cSettings: dwarf4),
        .target(name: "CHeap", cSettings: dwarf4),
        .target(name: "Columnar", dependencies: ["CLZ4", "CPrefetch"], swiftSettings: strict),
        .target(name: "Ingest", dependencies: ["Columnar", "CLZ4", "CFraming"], swiftSettings: strict),
        .target(name: "Detection", dependencies: ["Columnar"], swiftSettings: strict),
        .target(
            name: "ListStore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(name: "Synth", dependencies: ["Columnar", "CLZ4"], swiftSettings: strict),
        .target(name: "Evaluation", dependencies: ["Detection", "Columnar"], swiftSettings: strict),
        .executableTarget(
            name: "creditwatch",
            dependencies: [
                "Columnar", "Ingest", "Detection", "ListStore", "Synth", "Evaluation", "CHeap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport", dependencies: ["Columnar", "ListStore", "Synth"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ColumnarTests", dependencies: ["Columnar", "CLZ4", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Ingest", "Detection", "Synth", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ListStoreTests",
            dependencies: ["ListStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "Ingest", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Detection", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests", dependencies: ["TestSupport", "ListStore"], exclude: ["Fixtures"],
            swiftSettings: strict),
    ]
)
