// swift-tools-version: 6.2
// adiff: AnimateDiff as a Linux service. One package: libraries, the two executables, tests
// and the benchmark harness. Module boundaries follow ARCHITECTURE.md; dependencies point down.
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode with complete concurrency checking.
let commonSwiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// Numeric kernels are optimised even in debug builds: the tests run them on real-sized
/// problems, and an unoptimised inner loop is 50× slower. Bounds checks stay on (-O, not
/// -Ounchecked).
let kernelSwiftSettings: [SwiftSetting] = commonSwiftSettings + [
    .unsafeFlags(["-O"]),
]

let package = Package(
    name: "adiff",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ADiffTensor", targets: ["ADiffTensor"]),
        .library(name: "ADiffWeights", targets: ["ADiffWeights"]),
        .library(name: "ADiffProtocol", targets: ["ADiffProtocol"]),
        .library(name: "ADiffModels", targets: ["ADiffModels"]),
        .library(name: "ADiffPipeline", targets: ["ADiffPipeline"]),
        .library(name: "ADiffMedia", targets: ["ADiffMedia"]),
        .executable(name: "adiff-bench", targets: ["adiff-bench"]),
        .executable(name: "adiff-make-models", targets: ["adiff-make-models"]),
        .executable(name: "adiffd", targets: ["adiffd"]),
        .executable(name: "adiffctl", targets: ["adiffctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Daemon only (ADiffService, adiffd): socket server, lifecycle, logging, configuration.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // MARK: System libraries and C shims
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        .systemLibrary(name: "CGIF", pkgConfig: "libgif", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(name: "CADiffShims", dependencies: ["CFFmpeg"]),
        .target(name: "CADiffKernels", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("m")]),
        // The bf16 compute mode: oneDNN's matmul (libdnnl-dev), wrapped so its headers stay in C.
        .target(
            name: "CADiffOneDNN", cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("pthread")]
        ),

        // MARK: Libraries
        .target(name: "ADiffTensor", dependencies: ["CBLAS", "CADiffKernels", "CADiffOneDNN"], swiftSettings: kernelSwiftSettings),
        .target(
            name: "ADiffWeights",
            dependencies: ["ADiffTensor", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: kernelSwiftSettings
        ),
        .target(
            name: "ADiffModels",
            dependencies: ["ADiffTensor", "ADiffWeights", "CZlib"],
            resources: [
                .copy("Resources/bpe_simple_vocab_16e6.txt.gz"),
                .copy("Resources/LICENSE-openai-clip.txt"),
            ],
            swiftSettings: kernelSwiftSettings
        ),
        .target(
            name: "ADiffPipeline",
            dependencies: ["ADiffTensor", "ADiffWeights", "ADiffModels"],
            swiftSettings: kernelSwiftSettings
        ),
        .target(name: "ADiffProtocol", swiftSettings: commonSwiftSettings),
        .target(
            name: "ADiffService",
            dependencies: [
                "ADiffProtocol",
                "ADiffWeights",
                "ADiffMedia",
                "ADiffTensor",
                "ADiffModels",
                "ADiffPipeline",
                "CSystemd",
                "CADiffShims",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: commonSwiftSettings
        ),
        .target(
            name: "ADiffMedia",
            dependencies: ["CFFmpeg", "CGIF", "CZlib", "CADiffShims"],
            swiftSettings: kernelSwiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "adiff-make-models",
            dependencies: [
                "ADiffTensor",
                "ADiffWeights",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelSwiftSettings
        ),

        .executableTarget(
            name: "adiffd",
            dependencies: [
                "ADiffService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: commonSwiftSettings
        ),
        .executableTarget(
            name: "adiffctl",
            dependencies: [
                "ADiffProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: commonSwiftSettings
        ),

        // MARK: Benchmarks
        .executableTarget(
            name: "adiff-bench",
            dependencies: [
                "ADiffTensor",
                "ADiffWeights",
                "ADiffModels",
                "ADiffPipeline",
                "ADiffMedia",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Sources/adiff-bench",
            swiftSettings: kernelSwiftSettings
        ),

        // MARK: Tests
        .testTarget(name: "ADiffTensorTests", dependencies: ["ADiffTensor"], swiftSettings: kernelSwiftSettings),
        .testTarget(name: "ADiffWeightsTests", dependencies: ["ADiffWeights"], swiftSettings: kernelSwiftSettings),
        .testTarget(
            name: "ADiffPipelineTests",
            dependencies: ["ADiffPipeline", "ADiffModels", "ADiffWeights"],
            swiftSettings: kernelSwiftSettings
        ),
        .testTarget(name: "ADiffProtocolTests", dependencies: ["ADiffProtocol"], swiftSettings: commonSwiftSettings),
        .testTarget(
            name: "ADiffServiceTests",
            dependencies: ["ADiffService", "ADiffWeights", "ADiffMedia"],
            swiftSettings: commonSwiftSettings
        ),
        // Starts the built adiffd and adiffctl binaries (found next to the test bundle); the
        // package builds every executable before the tests run (`swift build --build-tests`).
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ADiffProtocol", "ADiffService", "ADiffWeights"],
            swiftSettings: commonSwiftSettings
        ),
        .testTarget(name: "ADiffModelsTests", dependencies: ["ADiffModels", "ADiffWeights"], swiftSettings: kernelSwiftSettings),
        .testTarget(
            name: "ADiffMediaTests",
            dependencies: ["ADiffMedia", "CADiffShims"],
            swiftSettings: kernelSwiftSettings
        ),
    ]
)
