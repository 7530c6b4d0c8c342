// swift-tools-version: 6.2
// libFuzzer targets for the adiff model-file parsers. A separate package so the normal build
// and `swift test` of the root package never compile them. See README.md for how to run.
import PackageDescription

let package = Package(
    name: "adiff-fuzz",
    dependencies: [
        .package(name: "adiff", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "FuzzSafetensorsHeader",
            dependencies: [.product(name: "ADiffWeights", package: "adiff")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "FuzzTorchPickle",
            dependencies: [.product(name: "ADiffWeights", package: "adiff")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "FuzzCheckpointZip",
            dependencies: [.product(name: "ADiffWeights", package: "adiff")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
