// swift-tools-version: 6.2
// Measures opening, hashing and reading every tensor of a large model file (Benchmarks/WEIGHTS.md).
// A separate package so the root build does not carry it.
import PackageDescription

let package = Package(
    name: "weights-io-bench",
    dependencies: [
        .package(name: "adiff", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "weights-io-bench",
            dependencies: [.product(name: "ADiffWeights", package: "adiff")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
