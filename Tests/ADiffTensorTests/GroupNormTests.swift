import Testing
@testable import ADiffTensor

/// GroupNorm against a naive Double reference. Tolerance: relative error
/// max|a − b| / max|ref| ≤ 1e-5 (`kernelTolerance`).
@Suite struct GroupNormTests {
    /// Naive GroupNorm on `[N, P, C]` (P = all positions between batch and channels) with
    /// statistics pooled over `framesPerGroup` consecutive samples, as PyTorch's GroupNorm on
    /// the 5-D tensor (videos, C, F, H, W): two-pass mean and biased variance in Double.
    static func reference(
        _ x: [Float], samples: Int, channels: Int, groups: Int, epsilon: Double, framesPerGroup: Int,
        weight: [Float]?, bias: [Float]?, activation: Activation
    ) -> [Double] {
        let positions = x.count / samples / channels
        let perGroup = channels / groups
        var out = [Double](repeating: 0, count: x.count)
        for unit in 0..<(samples / framesPerGroup) {
            for g in 0..<groups {
                var indices: [Int] = []
                for frame in 0..<framesPerGroup {
                    let n = unit * framesPerGroup + frame
                    for p in 0..<positions {
                        for c in (g * perGroup)..<((g + 1) * perGroup) {
                            indices.append((n * positions + p) * channels + c)
                        }
                    }
                }
                let mean = indices.reduce(0.0) { $0 + Double(x[$1]) } / Double(indices.count)
                let variance =
                    indices.reduce(0.0) { $0 + (Double(x[$1]) - mean) * (Double(x[$1]) - mean) } / Double(indices.count)
                for i in indices {
                    let c = i % channels
                    let normalised = (Double(x[i]) - mean) / (variance + epsilon).squareRoot()
                    let affine = normalised * Double(weight?[c] ?? 1) + Double(bias?[c] ?? 0)
                    out[i] = ReferenceMath.apply(activation, affine)
                }
            }
        }
        return out
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let shape: [Int]
        let groups: Int
        let framesPerGroup: Int
        let activation: Activation
        let affine: Bool
        var testDescription: String { "\(shape) g\(groups) f\(framesPerGroup) \(activation) affine:\(affine)" }
    }

    static let cases: [Case] = [
        Case(shape: [1, 1, 1, 32], groups: 32, framesPerGroup: 1, activation: .identity, affine: true),
        Case(shape: [2, 5, 7, 64], groups: 32, framesPerGroup: 1, activation: .identity, affine: true),
        Case(shape: [2, 5, 7, 64], groups: 32, framesPerGroup: 1, activation: .silu, affine: true),
        Case(shape: [3, 77, 96], groups: 32, framesPerGroup: 1, activation: .identity, affine: true),
        Case(shape: [4, 3, 3, 40], groups: 8, framesPerGroup: 2, activation: .silu, affine: false),
        Case(shape: [1, 13, 11, 3], groups: 1, framesPerGroup: 1, activation: .identity, affine: true),
        Case(shape: [6, 4, 4, 320], groups: 32, framesPerGroup: 3, activation: .silu, affine: true),
        Case(shape: [1, 33, 35, 128], groups: 32, framesPerGroup: 1, activation: .silu, affine: true),
    ]

    @Test(arguments: cases)
    func matchesNaiveReference(_ testCase: Case) throws {
        var rng = SeededGenerator(seed: UInt64(testCase.shape.reduce(17, *)) &+ UInt64(testCase.groups))
        let x = rng.tensor(testCase.shape, mean: 0.3, std: 1.7)
        let channels = testCase.shape.last!
        let weight = testCase.affine ? rng.tensor([channels], mean: 1, std: 0.5) : nil
        let bias = testCase.affine ? rng.tensor([channels], std: 0.5) : nil
        let y = try GroupNorm.apply(
            x, weight: weight, bias: bias, groups: testCase.groups, epsilon: 1e-6,
            framesPerGroup: testCase.framesPerGroup, activation: testCase.activation
        )
        let expected = Self.reference(
            x.scalars, samples: testCase.shape[0], channels: channels, groups: testCase.groups, epsilon: 1e-6,
            framesPerGroup: testCase.framesPerGroup, weight: weight?.scalars, bias: bias?.scalars,
            activation: testCase.activation
        )
        #expect(y.shape == x.shape)
        #expect(relativeError(y.scalars, expected) <= kernelTolerance)
    }

    /// The AnimateDiff v1 hack: 2 videos × 4 frames whose frames have very different
    /// statistics. Pooled and per-frame results must differ a lot, and each must match its own
    /// reference.
    @Test func pooledFrameStatisticsDifferFromPerFrame() throws {
        var rng = SeededGenerator(seed: 2024)
        let (videos, frames, h, w, c) = (2, 4, 5, 6, 64)
        var values: [Float] = []
        for n in 0..<(videos * frames) {
            // Frame n gets its own offset and spread, so per-frame and pooled moments differ.
            values += rng.normals(h * w * c, mean: Double(n) - 3, std: 0.5 + 0.4 * Double(n))
        }
        let x = Tensor(shape: [videos * frames, h, w, c], scalars: values)
        let weight = rng.tensor([c], mean: 1, std: 0.3)
        let bias = rng.tensor([c], std: 0.3)
        let perFrame = try GroupNorm.apply(x, weight: weight, bias: bias, groups: 32, epsilon: 1e-5, activation: .silu)
        let pooled = try GroupNorm.apply(
            x, weight: weight, bias: bias, groups: 32, epsilon: 1e-5, framesPerGroup: frames, activation: .silu
        )
        func ref(_ f: Int) -> [Double] {
            Self.reference(
                values, samples: videos * frames, channels: c, groups: 32, epsilon: 1e-5, framesPerGroup: f,
                weight: weight.scalars, bias: bias.scalars, activation: .silu
            )
        }
        let perFrameReference = ref(1)
        let pooledReference = ref(frames)
        #expect(relativeError(perFrame.scalars, perFrameReference) <= kernelTolerance)
        #expect(relativeError(pooled.scalars, pooledReference) <= kernelTolerance)
        // The two semantics are far apart, so the test above can tell them apart.
        #expect(relativeError(pooled.scalars, perFrameReference) > 0.1)
        #expect(relativeError(perFrame.scalars, pooledReference) > 0.1)
    }

    /// A large mean next to a tiny spread (|mean| / std = 10⁵) loses no precision.
    @Test func largeMeanSmallVariance() throws {
        var rng = SeededGenerator(seed: 99)
        let x = rng.tensor([2, 9, 9, 64], mean: 1000, std: 0.01)
        let y = try GroupNorm.apply(x, weight: nil, bias: nil, groups: 32, epsilon: 0)
        let expected = Self.reference(
            x.scalars, samples: 2, channels: 64, groups: 32, epsilon: 0, framesPerGroup: 1,
            weight: nil, bias: nil, activation: .identity
        )
        #expect(relativeError(y.scalars, expected) <= kernelTolerance)
    }

    /// Big enough that statistics are split over both cores inside one unit (N = 1) and,
    /// separately, across units: the chunked partial sums must combine to the same result.
    @Test func parallelPathsMatchReference() throws {
        var rng = SeededGenerator(seed: 7)
        for shape in [[1, 64, 64, 64], [4, 32, 32, 32]] {
            let x = rng.tensor(shape, mean: -0.5, std: 2)
            let y = try GroupNorm.apply(x, weight: nil, bias: nil, groups: 16, epsilon: 1e-6, activation: .silu)
            let expected = Self.reference(
                x.scalars, samples: shape[0], channels: shape[3], groups: 16, epsilon: 1e-6, framesPerGroup: 1,
                weight: nil, bias: nil, activation: .silu
            )
            #expect(relativeError(y.scalars, expected) <= kernelTolerance)
        }
    }

    @Test func rejectsBadShapes() {
        let x = Tensor(zeros: [4, 2, 2, 48])
        #expect(throws: TensorError.self) { try GroupNorm.apply(x, weight: nil, bias: nil, groups: 32) }
        #expect(throws: TensorError.self) { try GroupNorm.apply(x, weight: nil, bias: nil, groups: 0) }
        #expect(throws: TensorError.self) {
            try GroupNorm.apply(x, weight: nil, bias: nil, groups: 16, framesPerGroup: 3)
        }
        #expect(throws: TensorError.self) { try GroupNorm.apply(x, weight: Tensor(zeros: [47]), bias: nil, groups: 16) }
        #expect(throws: TensorError.self) {
            try GroupNorm.apply(Tensor(zeros: [48]), weight: nil, bias: nil, groups: 16)
        }
        let error = #expect(throws: TensorError.self) { try GroupNorm.apply(x, weight: nil, bias: nil, groups: 32) }
        #expect(error?.kind == .shapeMismatch)
        #expect(error?.message.contains("32 groups") == true)
    }
}
