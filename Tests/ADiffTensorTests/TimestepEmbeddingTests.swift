import Foundation
import Testing
@testable import ADiffTensor

/// Sinusoidal timestep embedding against PyTorch golden values (diffusers 0.42, asserted equal
/// to ldm's formula by the fixture script) and a Double reference.
@Suite struct TimestepEmbeddingTests {
    struct Fixture: Decodable {
        let timesteps: [Float]
        let diffusers320: [Float]
        let diffusers7: [Float]
        let diffusers16SinFirstShift1: [Float]
    }

    static func fixture() throws -> Fixture {
        let url = fixturesDirectory.appendingPathComponent("ADiffTensor/timestep_embedding.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Within 2.4e-7 absolute (2 ulp of values near 1) of PyTorch's float32 result, plus
    /// t · ulp(freq): our frequencies are correctly rounded, while PyTorch's float exp rounds
    /// 3 of the 160 SD frequencies (near-halfway cases, 0.48–0.498 ulp) the other way, which
    /// moves the angle of those channels by t · ulp(freq) plus one rounding of t · freq
    /// (≤ 1.2e-4 at t = 999).
    @Test func matchesPyTorchGoldenValues() throws {
        let golden = try Self.fixture()
        let cases: [(Int, Bool, Float, [Float])] = [
            (320, true, 0, golden.diffusers320), (7, true, 0, golden.diffusers7),
            (16, false, 1, golden.diffusers16SinFirstShift1),
        ]
        for (dimension, flip, shift, expected) in cases {
            let y = try TimestepEmbedding.sinusoidal(
                golden.timesteps, dimension: dimension, flipSinToCos: flip, downscaleFreqShift: shift
            )
            #expect(y.shape == [golden.timesteps.count, dimension])
            let half = dimension / 2
            var worst: Float = 0
            var exactCount = 0
            for (row, t) in golden.timesteps.enumerated() {
                for column in 0..<dimension {
                    let i = row * dimension + column
                    let a = y.scalars[i], b = expected[i]
                    if a.bitPattern == b.bitPattern { exactCount += 1 }
                    let k = column % half
                    let frequency =
                        k < half && column < 2 * half
                        ? Float(Foundation.exp(-Foundation.log(10_000.0) * Double(k) / (Double(half) - Double(shift))))
                        : 0
                    worst = max(worst, abs(a - b) / (2.4e-7 + abs(t) * frequency.ulp + (t * frequency).ulp))
                }
            }
            #expect(worst <= 1, "dimension \(dimension): worst |Δ| / bound = \(worst)")
            // Most elements agree bit for bit; a wrong formula would agree almost nowhere.
            #expect(Double(exactCount) >= 0.8 * Double(expected.count), "\(exactCount) of \(expected.count) bit-exact")
        }
    }

    /// Double reference of the same formula (cos first), relative error ≤ 1e-5, for timesteps
    /// ≤ 100, where float32 rounding of the angle (≤ t·1.2e-7 rad) stays below the tolerance.
    @Test func matchesDoubleReferenceForSmallTimesteps() throws {
        let timesteps: [Float] = [0, 1, 2.5, 7, 33.3, 99.99]
        let y = try TimestepEmbedding.sinusoidal(timesteps, dimension: 320)
        var expected: [Double] = []
        for t in timesteps {
            let angles = (0..<160).map { Double(t) * Foundation.exp(-Foundation.log(10_000.0) * Double($0) / 160) }
            expected += angles.map(Foundation.cos) + angles.map(Foundation.sin)
        }
        #expect(relativeError(y.scalars, expected) <= kernelTolerance)
    }

    @Test func rejectsDegenerateDimensions() {
        #expect(throws: TensorError.self) { try TimestepEmbedding.sinusoidal([1], dimension: 1) }
        #expect(throws: TensorError.self) { try TimestepEmbedding.sinusoidal([1], dimension: 2, downscaleFreqShift: 1) }
    }
}

/// The GroupNorm hack against PyTorch: GroupNorm on the (videos, C, F, H, W) tensor that the
/// extension's patched GroupNorm32 builds, and the ordinary per-frame GroupNorm.
@Suite struct GroupNormGoldenTests {
    struct Fixture: Decodable {
        let shape: [Int]
        let groups: Int
        let framesPerGroup: Int
        let epsilon: Float
        let input, weight, bias, perFrame, pooled: [Float]
    }

    @Test func matchesPyTorchFiveDimensionalGroupNorm() throws {
        let url = fixturesDirectory.appendingPathComponent("ADiffTensor/groupnorm_frames.json")
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let x = Tensor(shape: f.shape, scalars: f.input)
        let weight = Tensor(shape: [f.weight.count], scalars: f.weight)
        let bias = Tensor(shape: [f.bias.count], scalars: f.bias)
        let perFrame = try GroupNorm.apply(x, weight: weight, bias: bias, groups: f.groups, epsilon: f.epsilon)
        let pooled = try GroupNorm.apply(
            x, weight: weight, bias: bias, groups: f.groups, epsilon: f.epsilon, framesPerGroup: f.framesPerGroup
        )
        #expect(relativeError(perFrame.scalars, f.perFrame.map(Double.init)) <= kernelTolerance)
        #expect(relativeError(pooled.scalars, f.pooled.map(Double.init)) <= kernelTolerance)
        #expect(relativeError(pooled.scalars, f.perFrame.map(Double.init)) > 0.1)
    }
}
