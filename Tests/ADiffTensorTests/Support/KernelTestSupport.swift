import Foundation
@testable import ADiffTensor

/// SplitMix64: a tiny seeded generator, so every test input is reproducible from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Standard normal (Box–Muller in Double).
    mutating func normal() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// `count` normal samples scaled by `std` and shifted by `mean`, as Float.
    mutating func normals(_ count: Int, mean: Double = 0, std: Double = 1) -> [Float] {
        (0..<count).map { _ in Float(mean + std * normal()) }
    }

    /// A tensor of normal samples.
    mutating func tensor(_ shape: [Int], mean: Double = 0, std: Double = 1) -> Tensor {
        Tensor(shape: shape, scalars: normals(Tensor.elementCount(shape), mean: mean, std: std))
    }
}

/// The error measure every kernel test states: max|actual − reference| / max|reference|.
func relativeError(_ actual: [Float], _ reference: [Double]) -> Double {
    precondition(actual.count == reference.count, "\(actual.count) results for \(reference.count) references")
    var worst = 0.0
    var scale = 0.0
    for (a, r) in zip(actual, reference) {
        worst = max(worst, abs(Double(a) - r))
        scale = max(scale, abs(r))
    }
    if worst.isNaN || actual.contains(where: \.isNaN) { return .infinity }
    return scale == 0 ? worst : worst / scale
}

/// Tolerance stated by the brief for every kernel against its Double reference.
let kernelTolerance = 1e-5

/// Exact GELU, SiLU etc. in Double, for references.
enum ReferenceMath {
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot())) }
    static func geluTanh(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
    static func apply(_ activation: Activation, _ x: Double) -> Double {
        switch activation {
        case .identity: x
        case .silu: x * sigmoid(x)
        case .gelu: gelu(x)
        case .geluTanh: geluTanh(x)
        case .quickGELU: x * sigmoid(1.702 * x)
        }
    }
}

/// Directory of this package's committed test fixtures.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
