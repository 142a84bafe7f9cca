// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The data-heavy modules are optimized even in debug builds: `swift run cohort demo` and
/// `swift test` build in debug, and generating, importing and analysing millions of rows in
/// unoptimized code made the demo miss its 60-second budget. Debugging these modules needs
/// `-c debug -Xswiftc -Onone`.
let optimizedStrict: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Cohort",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cohort", targets: ["cohort"]),
        .executable(name: "cohort-bench", targets: ["cohort-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure: the concepts every layer names (node name, purpose, address, date, run mode).
        .target(name: "CohortCore", swiftSettings: strict),
        // Starting child processes below Foundation's descriptor-count bug (Foundation only).
        .target(name: "CohortProcess", swiftSettings: strict),
        // Pure maths: no I/O, no NIO, no SQLite.
        .target(name: "CohortPrivacy", dependencies: ["CohortCore"], swiftSettings: optimizedStrict),
        .target(name: "CohortAnalytics", dependencies: ["CohortCore"], swiftSettings: optimizedStrict),
        // Pure protocol core of secure aggregation (issue 13): no I/O, no networking.
        .target(
            name: "CohortSecureAggregation",
            dependencies: [
                "CohortPrivacy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: optimizedStrict
        ),
        // Pure: federated learning algorithms (DP k-means, DP logistic regression, evaluation, quantiles).
        .target(name: "CohortLearning", dependencies: ["CohortAnalytics", "CohortPrivacy"], swiftSettings: optimizedStrict),
        // zlib (apt: zlib1g-dev) for reading gzip-compressed import files.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

        .target(
            name: "CohortAudit",
            dependencies: [
                "CohortCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: optimizedStrict
        ),
        .target(
            name: "CohortStore",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimizedStrict
        ),
        .target(
            name: "CohortWire",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            exclude: ["Protos", "generate.sh"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Pure: study specs, calibration, aggregation, results and the lead and participant
        // state machines. No NIO, gRPC, SQLite or networking.
        .target(
            name: "CohortStudy",
            dependencies: [
                "CohortAnalytics", "CohortCore", "CohortPrivacy", "CohortLearning",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // PKI and the mutual-TLS peer transport.
        .target(
            name: "CohortNet",
            dependencies: [
                "CohortCore", "CohortWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The node: home and config, study engine, services, runtime, admin, metrics.
        .target(
            name: "CohortNode",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CohortLearning", "CohortNet", "CohortPrivacy",
                "CohortSecureAggregation", "CohortStore", "CohortStudy", "CohortWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CohortScenario",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CohortLearning", "CohortNet", "CohortNode", "CohortPrivacy",
                "CohortStore", "CohortStudy", "CohortWire", "CohortProcess",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimizedStrict
        ),
        .executableTarget(
            name: "cohort",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CohortNet", "CohortNode", "CohortPrivacy",
                "CohortScenario", "CohortStore", "CohortStudy", "CohortWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks and test tools, outside the shipping CLI.
        .executableTarget(
            name: "cohort-bench",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CohortLearning", "CohortNet", "CohortNetTestSupport", "CohortNode",
                "CohortPrivacy", "CohortScenario", "CohortSecureAggregation", "CohortStore", "CohortWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimizedStrict
        ),
        .target(
            name: "CohortTestSupport",
            dependencies: ["CohortCore", "CohortPrivacy", "CohortStudy"],
            swiftSettings: strict
        ),

        // Test helpers that need the PKI (a throwaway CA and node certificates).
        .target(
            name: "CohortNetTestSupport",
            dependencies: [
                "CohortNet",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "CohortCoreTests", dependencies: ["CohortCore"], swiftSettings: strict),
        .testTarget(
            name: "CohortStudyTests",
            dependencies: ["CohortStudy", "CohortCore", "CohortPrivacy", "CohortTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "CohortNetTests",
            dependencies: [
                "CohortNet", "CohortTestSupport", "CohortNetTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict),
        .testTarget(name: "CohortPrivacyTests", dependencies: ["CohortCore", "CohortPrivacy", "CohortTestSupport"], swiftSettings: strict),
        .testTarget(name: "CohortAnalyticsTests", dependencies: ["CohortAnalytics", "CohortTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CohortSecureAggregationTests",
            dependencies: [
                "CohortSecureAggregation", "CohortPrivacy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CohortLearningTests",
            dependencies: ["CohortLearning", "CohortAnalytics", "CohortCore", "CohortPrivacy", "CohortScenario"],
            swiftSettings: strict),
        .testTarget(
            name: "CohortAuditTests",
            dependencies: [
                "CohortAudit", "CohortTestSupport", "CohortProcess",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CohortStoreTests",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CohortProcess", "CohortStore", "CohortTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CohortNodeTests",
            dependencies: [
                "CohortAnalytics", "CohortAudit", "CohortCore", "CohortLearning", "CohortNet", "CohortNetTestSupport", "CohortNode",
                "CohortPrivacy", "CohortProcess", "CohortSecureAggregation", "CohortStore", "CohortStudy", "CohortTestSupport",
                "CohortWire",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CohortScenarioTests",
            dependencies: [
                "CohortAudit", "CohortCore", "CohortNet", "CohortNetTestSupport", "CohortNode", "CohortProcess", "CohortScenario",
                "CohortStore", "CohortStudy", "CohortTestSupport", "CohortWire",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "cohortTests",
            dependencies: [
                "cohort", "cohort-bench", "CohortAnalytics", "CohortAudit", "CohortCore", "CohortNet", "CohortNetTestSupport",
                "CohortNode", "CohortPrivacy", "CohortProcess", "CohortScenario", "CohortStore", "CohortStudy", "CohortTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Snapshots"],
            swiftSettings: strict),
    ]
)
