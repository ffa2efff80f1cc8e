// swift-tools-version:6.1
// The Dr.Social intake and media pipeline daemon.

import PackageDescription

/// One set of settings for every target (the same upcoming features Hummingbird turns on).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Linux only (Debian 12): the C libraries are system packages found through pkg-config, installed with apt.
let package = Package(
    name: "drsocial-intake",
    products: [
        .executable(name: "drsocial-intake", targets: ["Daemon"]),
        .executable(name: "drsocial-bench-queue", targets: ["QueueBench"]),
        .executable(name: "drsocial-bench-agent", targets: ["AgentBench"]),
        .executable(name: "drsocial-bench-publish", targets: ["PublishBench"]),
        .executable(name: "drsocial-fuzz", targets: ["Fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries (system)
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"])]
        ),

        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CTesseract",
            path: "Sources/CTesseract",
            pkgConfig: "tesseract",
            providers: [.apt(["libtesseract-dev", "tesseract-ocr-eng"])]
        ),
        .systemLibrary(
            name: "CPocketSphinx",
            path: "Sources/CPocketSphinx",
            pkgConfig: "pocketsphinx",
            providers: [.apt(["libpocketsphinx-dev", "pocketsphinx-en-us"])]
        ),
        .systemLibrary(
            name: "CASS",
            path: "Sources/CASS",
            pkgConfig: "libass",
            providers: [.apt(["libass-dev", "fonts-dejavu-core"])]
        ),
        .systemLibrary(
            name: "CFlite",
            path: "Sources/CFlite",
            providers: [.apt(["flite1-dev"])]
        ),
        .systemLibrary(
            name: "CGMime",
            path: "Sources/CGMime",
            pkgConfig: "gmime-3.0",
            providers: [.apt(["libgmime-3.0-dev"])]
        ),

        // MARK: Domain and infrastructure
        .target(
            name: "Domain",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Store",
            dependencies: [
                "CLibPQ", "Domain", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .target(name: "JSON", swiftSettings: swiftSettings),
        .target(
            name: "Blobs",
            dependencies: [
                "CFileIO", "Domain", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "S3",
            dependencies: [
                "Blobs", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Pipeline and stages
        .target(
            name: "Pipeline",
            dependencies: [
                "Domain",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Isolation",
            dependencies: ["CSandbox", .product(name: "Logging", package: "swift-log"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Contracts",
            dependencies: ["Domain", "Pipeline"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Media",
            dependencies: [
                "CFFmpeg", "CPixelKernels", "Domain", "Pipeline", "Blobs", "Contracts", "Isolation",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TextRecognition",
            dependencies: ["CTesseract", "Media", "Domain", "Pipeline", "Contracts", "Isolation"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Speech",
            dependencies: [
                "CPocketSphinx", "Media", "Domain", "Pipeline", "Contracts", "Isolation",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CFileIO", path: "Sources/CFileIO"),
        .target(name: "CSandbox", path: "Sources/CSandbox"),
        .target(
            name: "CPixelKernels",
            path: "Sources/CPixelKernels",
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .target(
            name: "Reels",
            dependencies: [
                "CASS", "CFlite", "CPixelKernels", "Media", "Domain", "Pipeline", "Blobs", "Contracts", "Isolation", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LLMRouter",
            dependencies: [
                "Telemetry", "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Agents",
            dependencies: ["Domain", "Pipeline", "Contracts", "LLMRouter", "JSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Publishing",
            dependencies: [
                "Domain", "JSON",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOFoundationCompat", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Telemetry",
            dependencies: [
                "Domain", "Store",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Intake",
            dependencies: [
                "Domain", "Store", "Blobs", "Telemetry", "Isolation", "CCurl", "CGMime", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Workers",
            dependencies: [
                "Domain", "Store", "Blobs", "Pipeline", "Contracts", "Isolation", "Media", "TextRecognition", "Speech", "Reels", "Agents", "LLMRouter", "Publishing", "Intake",
                "Telemetry", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Web and executable
        .target(
            name: "Web",
            dependencies: [
                "Domain", "Store", "Blobs", "Intake", "Telemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Templates"), .copy("Static")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Daemon",
            dependencies: [
                "Domain", "Store", "Blobs", "Pipeline", "Contracts", "Isolation", "Media", "TextRecognition", "Speech", "Reels", "Agents", "LLMRouter", "Publishing", "Intake",
                "Workers", "Web", "Telemetry", "S3",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Benchmarks (bench/)
        .executableTarget(
            name: "QueueBench",
            dependencies: ["Store", "Workers", .product(name: "Logging", package: "swift-log")],
            path: "bench/QueueBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentBench",
            dependencies: [
                "Agents", "LLMRouter", "LLMRouterFake", "Pipeline", "Contracts", "Domain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/AgentBench",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "PublishBench",
            dependencies: ["Store", "Workers", "Publishing", "Blobs", "Domain", .product(name: "Logging", package: "swift-log")],
            path: "bench/PublishBench",
            swiftSettings: swiftSettings
        ),

        // libFuzzer over the parsers of hostile input (bench/fuzz builds it with -sanitize=fuzzer,address
        // -DFUZZING into .build-fuzz); an ordinary build makes a replayer of saved inputs instead.
        .target(name: "FuzzDriver", path: "bench/FuzzDriver"),
        .executableTarget(
            name: "Fuzz",
            dependencies: ["Domain", "Intake", "Pipeline", "Web", "FuzzDriver"],
            path: "bench/Fuzz",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "Domain", "Store", "Blobs", "Pipeline", "Intake", "S3",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LLMRouterFake",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/LLMRouterFake",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LLMRouterFakeTests", dependencies: ["LLMRouterFake", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: swiftSettings),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "S3Tests",
            dependencies: [
                "S3", "Blobs", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["sigv4_reference.py", "flaky_s3.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BlobsTests",
            dependencies: ["Blobs", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "Contracts", "Agents", "Media", "TextRecognition", "Speech", "Reels", "Blobs", "Domain", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", "Store", "Blobs", "Intake", "Domain", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "IntakeTests", dependencies: ["Intake", "Domain", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Contracts", "Isolation", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ReelsTests",
            dependencies: ["Reels", "Isolation", "Contracts", "Media", "TextRecognition", "Speech", "Pipeline", "Domain", "Blobs", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TextRecognitionTests",
            dependencies: ["TextRecognition", "Contracts", "Media", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpeechTests",
            dependencies: [
                "Speech", "Contracts", "Media", "Isolation", "TestSupport", "Pipeline", "Domain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WorkersTests",
            dependencies: [
                "Workers", "Contracts", "Intake", "TestSupport", "Media", "Blobs", "LLMRouter", "LLMRouterFake", "Agents", "Pipeline",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "TestSupport", "Intake", "Blobs", "Domain", "Store", "Workers", "Media", "Pipeline", "LLMRouter", "LLMRouterFake",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PublishingTests",
            dependencies: ["Publishing", "Workers", "Store", "Blobs", "Domain", "TestSupport", "S3", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LLMRouterTests", dependencies: ["LLMRouter", "LLMRouterFake", "TestSupport", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")], swiftSettings: swiftSettings),
        .testTarget(name: "DaemonTests", dependencies: ["TestSupport", "Store", "Intake", "Blobs", "Domain", "LLMRouterFake", "S3"], swiftSettings: swiftSettings),
    ]
)
