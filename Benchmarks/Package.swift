// swift-tools-version:6.1
import PackageDescription

/// Throughput benchmarks of CreditWatch (ordo-one/benchmark), kept out of the main
/// package so that it stays lean. `make bench` runs them.
let package = Package(
    name: "CreditWatchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "CreditWatch", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "OrdersFixture",
            dependencies: [
                .product(name: "Columnar", package: "CreditWatch"), .product(name: "Ingest", package: "CreditWatch"),
                .product(name: "Synth", package: "CreditWatch"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "orders-fixture",
            dependencies: ["OrdersFixture"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "parcel-throughput",
            dependencies: [
                "OrdersFixture", .product(name: "Columnar", package: "CreditWatch"),
                .product(name: "Detection", package: "CreditWatch"), .product(name: "Synth", package: "CreditWatch"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "injected-blocks",
            dependencies: [
                "OrdersFixture", .product(name: "Columnar", package: "CreditWatch"),
                .product(name: "Detection", package: "CreditWatch"), .product(name: "Synth", package: "CreditWatch"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "IngestBenchmark",
            dependencies: [
                "OrdersFixture",
                .product(name: "Ingest", package: "CreditWatch"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "IngestBenchmark",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
