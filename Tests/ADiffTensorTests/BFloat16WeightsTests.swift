import CADiffOneDNN
import Testing
@testable import ADiffTensor

/// bf16 weight copies kept per layer, and the operand conversion they share with the per-call
/// path.
@Suite(.enabled(if: ComputePrecision.bfloat16.isSupported, "needs a CPU with AVX512-BF16"))
struct BFloat16WeightsTests {
    typealias Support = GemmKernelTestSupport

    /// The vector, multi-threaded conversion gives the scalar rounding's bits for every kind of
    /// value: ties, subnormals (to signed zero), infinities and NaN, across chunk boundaries.
    @Test func conversionMatchesTheScalarRounding() {
        var values = Support.random([(1 << 20) + 37], seed: 51, scale: 3).scalars
        let specials: [Float] = [
            0, -0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNormalMagnitude / 2,
            .leastNormalMagnitude, .greatestFiniteMagnitude, Float(bitPattern: 0x3f80_8000), Float(bitPattern: 0x3f81_8000),
        ]
        for (i, value) in specials.enumerated() { values[i * 40_013] = value }
        var converted = [UInt16](repeating: 0, count: values.count)
        var rounded = [Float](repeating: 0, count: values.count)
        cadiff_onednn_convert_to_bf16(values, &converted, values.count)
        cadiff_round_to_bf16(values, &rounded, values.count)
        let expected = rounded.map { UInt16($0.bitPattern >> 16) }
        let mismatches = zip(converted, expected).filter { $0 != $1 }.count
        #expect(mismatches == 0)
        #expect(Float(bitPattern: UInt32(converted[0]) << 16) == 0)  // first special: 0
        #expect(Float(bitPattern: UInt32(converted[7 * 40_013]) << 16) == 0)  // subnormal flushed
        #expect(Float(bitPattern: UInt32(converted[6 * 40_013]) << 16).isNaN)
    }

    /// A linear layer's bf16 products read the kept copy: made on the first bf16 call, never in
    /// fp32, and giving exactly the result of converting the weight on every call.
    @Test func linearKeepsItsBFloat16Weight() throws {
        let (rows, inputs, outputs) = (300, 96, 160)
        let weight = Support.random([outputs, inputs], seed: 52)
        let bias = Support.random([outputs], seed: 53)
        let x = Support.random([rows, inputs], seed: 54)
        let layer = try Linear(weight: weight, bias: bias)
        let fp32 = try layer(x)
        #expect(!layer.bfloat16Weight.isConverted)
        let (first, second, perCall) = try BLAS.$bfloat16Routing.withValue(.everything) {
            try ComputePrecision.$current.withValue(.bfloat16) {
                (try layer(x), try layer(x), try Linear(weight: weight, bias: bias, bfloat16Weight: Self.unusable)(x))
            }
        }
        #expect(layer.bfloat16Weight.isConverted)
        #expect(first.scalars == second.scalars)
        #expect(first.scalars == perCall.scalars)
        let error = Support.relativeError(first, fp32.scalars.map(Double.init))
        print("bf16 linear with kept weight vs fp32: \(error)")
        #expect(error > 1e-5 && error < 2e-2)
    }

    /// Each conv lowering reads the kept bf16 copy of its weights (the packed matrix, or the
    /// Winograd matrices) and gives the per-call conversion's result exactly.
    @Test(arguments: [Conv2d.Algorithm.im2col, .shifted, .winograd])
    func convKeepsItsBFloat16Weights(algorithm: Conv2d.Algorithm) throws {
        let (inputs, outputs) = (64, 80)
        let weights = try Conv2dWeights(
            oihw: Support.random([outputs, inputs, 3, 3], seed: 55), bias: Support.random([outputs], seed: 56))
        let x = Support.random([2, 12, 12, inputs], seed: 57)
        let kept = try Conv2d(weights: weights, padding: .init(1), algorithm: algorithm)
        let fp32 = try kept(x)
        let (first, second, perCall) = try BLAS.$bfloat16Routing.withValue(.everything) {
            try ComputePrecision.$current.withValue(.bfloat16) {
                let fresh = try Conv2d(weights: weights, padding: .init(1), algorithm: algorithm, bfloat16Weights: Self.unusable)
                return (try kept(x), try kept(x), try fresh(x))
            }
        }
        let cache = algorithm == .winograd ? kept.winogradWeights.bfloat16 : kept.bfloat16Weights
        #expect(cache.isConverted)
        #expect(first.scalars == second.scalars)
        if algorithm != .winograd { #expect(first.scalars == perCall.scalars) }
        let error = Support.relativeError(first, fp32.scalars.map(Double.init))
        print("bf16 conv [\(algorithm)] with kept weights vs fp32: \(error)")
        #expect(error > 1e-5 && error < 2e-2)
    }

    /// A cache already holding another matrix's count, so every product converts per call.
    static var unusable: BFloat16Weights {
        let cache = BFloat16Weights()
        let one: [Float] = [1]
        cache.withValues(of: one, count: 1) { _ in }
        return cache
    }
}
