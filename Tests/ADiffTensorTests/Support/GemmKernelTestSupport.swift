@testable import ADiffTensor

/// Seeded inputs and the error measure shared by the Linear, Conv2d and Attention tests.
enum GemmKernelTestSupport {
    /// SplitMix64: a tiny deterministic generator, so every run sees the same "random" data.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Uniform in [-1, 1).
        mutating func nextFloat() -> Float {
            Float(next() >> 40) / Float(1 << 23) - 1
        }
    }

    /// A tensor of uniform values in [-scale, scale).
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var generator = Generator(state: seed)
        let count = Tensor.elementCount(shape)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in generator.nextFloat() * scale })
    }

    /// The relative error used throughout: max|actual − reference| / max|reference|.
    static func relativeError(_ actual: Tensor, _ reference: [Double]) -> Double {
        precondition(actual.count == reference.count, "\(actual.count) results for \(reference.count) references")
        let values = actual.scalars
        var maxDifference = 0.0, maxReference = 0.0
        for (a, r) in zip(values, reference) {
            maxDifference = max(maxDifference, abs(Double(a) - r))
            if !a.isFinite { return .infinity }
            maxReference = max(maxReference, abs(r))
        }
        return maxReference == 0 ? maxDifference : maxDifference / maxReference
    }

    /// The tolerance every kernel must meet.
    static let tolerance = 1e-5
}
