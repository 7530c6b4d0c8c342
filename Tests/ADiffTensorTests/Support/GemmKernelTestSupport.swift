@testable import ADiffTensor

/// Seeded inputs and the error measure shared by the Linear, Conv2d and Attention tests.
enum GemmKernelTestSupport {
    /// The target's shared SplitMix64 generator (``SeededGenerator``).
    typealias Generator = SeededGenerator

    /// A tensor of uniform values in [-scale, scale).
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var generator = Generator(seed: seed)
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

extension SeededGenerator {
    /// Uniform in [-1, 1), from the top 24 bits of one draw.
    mutating func nextFloat() -> Float {
        Float(next() >> 40) / Float(1 << 23) - 1
    }
}
