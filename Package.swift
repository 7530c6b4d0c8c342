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
        .executable(name: "adiff-bench", targets: ["adiff-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(name: "CADiffShims", dependencies: ["CFFmpeg"]),

        // MARK: Libraries
        .target(name: "ADiffTensor", dependencies: ["CBLAS"], swiftSettings: kernelSwiftSettings),
        .target(
            name: "ADiffWeights",
            dependencies: ["ADiffTensor", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: kernelSwiftSettings
        ),

        // MARK: Benchmarks
        .executableTarget(
            name: "adiff-bench",
            dependencies: [
                "ADiffTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Sources/adiff-bench",
            swiftSettings: kernelSwiftSettings
        ),

        // MARK: Tests
        .testTarget(name: "ADiffTensorTests", dependencies: ["ADiffTensor"], swiftSettings: kernelSwiftSettings),
        .testTarget(name: "ADiffWeightsTests", dependencies: ["ADiffWeights"], swiftSettings: kernelSwiftSettings),
    ]
)
