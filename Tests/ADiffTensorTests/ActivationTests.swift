import Foundation
import Testing
@testable import ADiffTensor

/// Activations, GEGLU and the vector exp/erfc against Double references.
/// Kernel tolerance: max|a − b| / max|ref| ≤ 1e-5 on every input set.
@Suite struct ActivationTests {
    /// A sweep over [−30, 30] in steps of 1/64, random normals at three scales, and signed
    /// zeros: odd count (not a multiple of 16) so the padded tail path runs.
    static let inputs: [Float] = {
        var rng = SeededGenerator(seed: 11)
        let sweep = (-1920...1920).map { Float($0) / 64 }
        return sweep + rng.normals(1001) + rng.normals(333, std: 5) + rng.normals(77, std: 0.01) + [0, -0]
    }()

    @Test(arguments: Activation.allCases)
    func matchesReference(_ activation: Activation) {
        var tensor = Tensor(shape: [Self.inputs.count], scalars: Self.inputs)
        activation.apply(inPlace: &tensor)
        let expected = Self.inputs.map { ReferenceMath.apply(activation, Double($0)) }
        #expect(relativeError(tensor.scalars, expected) <= kernelTolerance)
        // Element-wise, too: each value within 1e-6 of its reference relative to max(1, |x|),
        // which catches an error confined to small outputs (the negative tail of GELU).
        var worst = 0.0
        for (y, (x, r)) in zip(tensor.scalars, zip(Self.inputs, expected)) {
            worst = max(worst, abs(Double(y) - r) / max(1, abs(Double(x))))
        }
        #expect(worst <= 1e-6)
        // The out-of-place form (one pass into a new tensor) gives the same bits.
        let outOfPlace = activation(Tensor(shape: [Self.inputs.count], scalars: Self.inputs))
        #expect(outOfPlace.scalars.map { $0.bitPattern } == tensor.scalars.map { $0.bitPattern })
        // The scalar form agrees with the vector form bit for bit.
        for (x, y) in zip(Self.inputs.prefix(50), tensor.scalars.prefix(50)) {
            #expect(activation.apply(x).bitPattern == y.bitPattern)
        }
    }

    @Test(arguments: Activation.allCases)
    func saturatesAndPropagatesNaN(_ activation: Activation) {
        var tensor = Tensor(shape: [5], scalars: [.nan, .infinity, -.infinity, 1e30, -1e30])
        activation.apply(inPlace: &tensor)
        let y = tensor.scalars
        #expect(y[0].isNaN)
        #expect(y[1] == .infinity)
        #expect(y[3] == 1e30)
        if activation == .identity {
            #expect(y[2] == -.infinity)
        } else {
            // −∞ itself gives NaN (−∞ · 0), as in PyTorch; finite large negatives give 0.
            #expect(y[4] == 0)
        }
    }

    @Test func largeTensorsUseTheParallelPath() {
        var rng = SeededGenerator(seed: 12)
        let x = rng.normals(100_003, std: 4)
        let y = Activation.silu(Tensor(shape: [100_003], scalars: x))
        #expect(relativeError(y.scalars, x.map { ReferenceMath.apply(.silu, Double($0)) }) <= kernelTolerance)
    }

    /// VectorMath.exp within 2 ulp of the correctly rounded value over the normal range,
    /// within one subnormal step below it, and exact at the overflow/underflow edges.
    @Test func vectorExpIsAccurate() {
        var inputs = (-87_000...88_000).map { Float($0) / 1000 }
        inputs += [-103, -100, -95, -88.5, 88.72, 0, -0, 1e-8, -1e-8]
        var worstUlps: Float = 0
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var v = SIMD16<Float>(repeating: 0)
            let n = min(16, inputs.count - start)
            for lane in 0..<n { v[lane] = inputs[start + lane] }
            let e = VectorMath.exp(v)
            for lane in 0..<n {
                let exact = Foundation.exp(Double(v[lane]))
                let rounded = Float(exact)
                if rounded.isNormal {
                    worstUlps = max(worstUlps, abs(e[lane] - rounded) / rounded.ulp)
                } else {
                    #expect(abs(Double(e[lane]) - exact) <= Double(Float.leastNonzeroMagnitude))
                }
            }
        }
        #expect(worstUlps <= 2)
        let edges = VectorMath.exp(
            SIMD16(88.8, 1000, .infinity, -104.5, -1000, -.infinity, .nan, 0, 1, -1, 2, 0.5, -0.5, 10, -10, 20))
        #expect(edges[0] == .infinity && edges[1] == .infinity && edges[2] == .infinity)
        #expect(edges[3] == 0 && edges[4] == 0 && edges[5] == 0)
        #expect(edges[6].isNaN)
        #expect(edges[7] == 1)
    }

    /// erfc relative error ≤ 5e-7 · max(1, x²) where erfc ≥ 1e-30: the fit's 1.2e-7, the
    /// vector exp's 2 ulp, and the Float rounding of the exponent −x² (absolute x²·6e-8).
    @Test func vectorErfcIsAccurate() {
        let inputs = (-6000...8000).map { Float($0) / 1000 }
        var worst = 0.0
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var v = SIMD16<Float>(repeating: 0)
            let n = min(16, inputs.count - start)
            for lane in 0..<n { v[lane] = inputs[start + lane] }
            let e = VectorMath.erfc(v)
            for lane in 0..<n {
                let exact = Foundation.erfc(Double(v[lane]))
                let x = Double(v[lane])
                if exact >= 1e-30 { worst = max(worst, abs(Double(e[lane]) - exact) / exact / max(1, x * x)) }
            }
        }
        #expect(worst <= 5e-7)
    }
}

/// GEGLU: value half first, gate half second (diffusers/ldm order).
@Suite struct GEGLUTests {
    static func reference(_ x: [Float], features: Int) -> [Double] {
        var out: [Double] = []
        for row in 0..<(x.count / (2 * features)) {
            let base = row * 2 * features
            for j in 0..<features {
                out.append(Double(x[base + j]) * ReferenceMath.gelu(Double(x[base + features + j])))
            }
        }
        return out
    }

    @Test(arguments: [[1, 2], [3, 154], [77, 80], [2, 5, 2560], [1000, 34]])
    func matchesNaiveReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(5, *)))
        let x = rng.tensor(shape, std: 2)
        let y = try GEGLU.apply(x)
        let features = shape.last! / 2
        #expect(y.shape == Array(shape.dropLast()) + [features])
        #expect(relativeError(y.scalars, Self.reference(x.scalars, features: features)) <= kernelTolerance)
    }

    /// Distinguishes the halves: a value half of ones and a gate half of zeros gives GELU(0)=0,
    /// the swapped order would give GELU(1)·0 = 0 too, so use value 2, gate 1: 2·GELU(1).
    @Test func firstHalfIsTheValue() throws {
        let y = try GEGLU.apply(Tensor(shape: [1, 2], scalars: [2, 1])).scalars[0]
        #expect(abs(Double(y) - 2 * ReferenceMath.gelu(1)) < 1e-6)
        #expect(abs(Double(y) - 1 * ReferenceMath.gelu(2)) > 0.1)
    }

    /// The pointer form may gate in place, writing over the value half.
    @Test func pointerFormGatesInPlace() {
        var rng = SeededGenerator(seed: 47)
        var row = rng.normals(2 * 37, std: 2)
        let expected = Self.reference(row, features: 37)
        row.withUnsafeMutableBufferPointer {
            GEGLU.apply(value: $0.baseAddress!, gate: $0.baseAddress! + 37, into: $0.baseAddress!, count: 37)
        }
        #expect(relativeError(Array(row.prefix(37)), expected) <= kernelTolerance)
    }

    @Test func rejectsOddWidth() {
        #expect(throws: TensorError.self) { try GEGLU.apply(Tensor(zeros: [2, 3])) }
    }
}
