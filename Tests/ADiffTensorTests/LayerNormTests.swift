import Testing
@testable import ADiffTensor

/// LayerNorm against a naive Double reference; relative error max|a − b| / max|ref| ≤ 1e-5.
@Suite struct LayerNormTests {
    static func reference(_ x: [Float], channels: Int, weight: [Float]?, bias: [Float]?, epsilon: Double) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for row in 0..<(x.count / channels) {
            let values = (0..<channels).map { Double(x[row * channels + $0]) }
            let mean = values.reduce(0, +) / Double(channels)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(channels)
            for c in 0..<channels {
                out[row * channels + c] =
                    (values[c] - mean) / (variance + epsilon).squareRoot()
                    * Double(weight?[c] ?? 1) + Double(bias?[c] ?? 0)
            }
        }
        return out
    }

    @Test(arguments: [[1, 1], [5, 3], [1, 17], [2, 77, 320], [3, 77, 768], [4, 1280], [2, 1000, 40]])
    func matchesNaiveReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(1, *)))
        let channels = shape.last!
        let x = rng.tensor(shape, mean: 0.7, std: 3)
        let weight = rng.tensor([channels], mean: 1, std: 0.4)
        let bias = rng.tensor([channels], std: 0.4)
        let y = try LayerNorm.apply(x, weight: weight, bias: bias, epsilon: 1e-5)
        let expected = Self.reference(
            x.scalars, channels: channels, weight: weight.scalars, bias: bias.scalars, epsilon: 1e-5)
        #expect(y.shape == shape)
        #expect(relativeError(y.scalars, expected) <= kernelTolerance)
    }

    /// |mean| / std = 10⁵ with long rows: the Float-lane sums must not lose the variance.
    @Test func largeMeanSmallVariance() throws {
        var rng = SeededGenerator(seed: 5)
        for channels in [77, 768, 2049] {
            let x = rng.tensor([3, channels], mean: -1000, std: 0.01)
            let y = try LayerNorm.apply(x, weight: nil, bias: nil, epsilon: 0)
            let expected = Self.reference(x.scalars, channels: channels, weight: nil, bias: nil, epsilon: 0)
            #expect(relativeError(y.scalars, expected) <= kernelTolerance)
        }
    }

    /// The row kernel may write over its input (documented), with the same result.
    @Test func rowKernelWorksInPlace() {
        var rng = SeededGenerator(seed: 43)
        var row = rng.normals(77, mean: 3, std: 2)
        let expected = Self.reference(row, channels: 77, weight: nil, bias: nil, epsilon: 1e-5)
        row.withUnsafeMutableBufferPointer {
            LayerNorm.normalise($0.baseAddress!, into: $0.baseAddress!, count: 77, weight: nil, bias: nil, epsilon: 1e-5)
        }
        #expect(relativeError(row, expected) <= kernelTolerance)
    }

    @Test func rejectsMismatchedAffine() {
        #expect(throws: TensorError.self) {
            try LayerNorm.apply(Tensor(zeros: [2, 8]), weight: Tensor(zeros: [7]), bias: nil)
        }
        #expect(throws: TensorError.self) {
            try LayerNorm.apply(Tensor(zeros: [2, 8]), weight: nil, bias: Tensor(zeros: [9]))
        }
    }
}
