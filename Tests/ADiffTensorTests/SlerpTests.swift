import Foundation
import Testing
@testable import ADiffTensor

/// Both slerps against naive Double references written from the specs
/// (a1111-compat.md §5.5, animatediff-behaviour.md §5.2); relative error ≤ 1e-5.
@Suite struct SlerpTests {
    /// A1111 `slerp(val, low, high)` on a `[C, H, W]` array, norms over H.
    static func variationReference(_ s: Double, _ low: [Float], _ high: [Float], c: Int, h: Int, w: Int) -> [Double] {
        func at(_ a: [Float], _ ci: Int, _ hi: Int, _ wi: Int) -> Double { Double(a[(ci * h + hi) * w + wi]) }
        var dots = [[Double]](repeating: [Double](repeating: 0, count: w), count: c)
        for ci in 0..<c {
            for wi in 0..<w {
                let nl = (0..<h).reduce(0.0) { $0 + at(low, ci, $1, wi) * at(low, ci, $1, wi) }.squareRoot()
                let nh = (0..<h).reduce(0.0) { $0 + at(high, ci, $1, wi) * at(high, ci, $1, wi) }.squareRoot()
                dots[ci][wi] = (0..<h).reduce(0.0) { $0 + at(low, ci, $1, wi) / nl * at(high, ci, $1, wi) / nh }
            }
        }
        let mean = dots.joined().reduce(0, +) / Double(c * w)
        var out = [Double](repeating: 0, count: low.count)
        for ci in 0..<c {
            for hi in 0..<h {
                for wi in 0..<w {
                    let i = (ci * h + hi) * w + wi
                    if mean > 0.9995 {
                        out[i] = Double(low[i]) * s + Double(high[i]) * (1 - s)
                    } else {
                        let omega = Foundation.acos(dots[ci][wi])
                        let so = Foundation.sin(omega)
                        out[i] =
                            Foundation.sin((1 - s) * omega) / so * Double(low[i]) + Foundation.sin(s * omega) / so
                            * Double(high[i])
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: [(4, 8, 8), (4, 3, 77), (1, 3, 1), (3, 64, 5)])
    func variationMatchesReference(_ dims: (Int, Int, Int)) throws {
        let (c, h, w) = dims
        var rng = SeededGenerator(seed: UInt64(c * 1000 + h * 10 + w))
        let low = rng.tensor([c, h, w]), high = rng.tensor([c, h, w])
        for strength: Float in [0, 0.3, 1] {
            let y = try Slerp.variation(strength: strength, low: low, high: high)
            let expected = Self.variationReference(Double(strength), low.scalars, high.scalars, c: c, h: h, w: w)
            #expect(relativeError(y.scalars, expected) <= kernelTolerance)
        }
    }

    /// Nearly identical noises take the linear branch with A1111's reversed weights:
    /// low·s + high·(1 − s), so strength 0.25 lands three quarters of the way to `high`.
    @Test func variationNearlyParallelUsesReversedLerp() throws {
        var rng = SeededGenerator(seed: 23)
        let low = rng.tensor([4, 8, 8])
        let high = Tensor(shape: [4, 8, 8], scalars: low.scalars.map { $0 * 1.001 + 1e-4 })
        let y = try Slerp.variation(strength: 0.25, low: low, high: high)
        let expected = zip(low.scalars, high.scalars).map { 0.25 * Double($0) + 0.75 * Double($1) }
        #expect(relativeError(y.scalars, expected) <= kernelTolerance)
        #expect(
            relativeError(y.scalars, Self.variationReference(0.25, low.scalars, high.scalars, c: 4, h: 8, w: 8))
                <= kernelTolerance)
    }

    /// `axis: 0` on `[H, W, C]` equals A1111's dim-1 slerp on the permuted `[C, H, W]`.
    @Test func axisSelectsTheNormalisedDimension() throws {
        var rng = SeededGenerator(seed: 29)
        let (c, h, w) = (4, 6, 5)
        let lowCHW = rng.tensor([c, h, w]), highCHW = rng.tensor([c, h, w])
        func toHWC(_ t: Tensor) -> Tensor {
            var out = [Float](repeating: 0, count: t.count)
            for ci in 0..<c { for hi in 0..<h { for wi in 0..<w { out[(hi * w + wi) * c + ci] = t[ci, hi, wi] } } }
            return Tensor(shape: [h, w, c], scalars: out)
        }
        let chw = try Slerp.variation(strength: 0.4, low: lowCHW, high: highCHW)
        let hwc = try Slerp.variation(strength: 0.4, low: toHWC(lowCHW), high: toHWC(highCHW), axis: 0)
        #expect(relativeError(hwc.scalars, toHWC(chw).scalars.map(Double.init)) <= 1e-6)
    }

    /// Known vectors: orthogonal unit vectors at t = 0.5 meet at 45°.
    @Test func wholeTensorKnownVectors() throws {
        let a = Tensor(shape: [2], scalars: [1, 0]), b = Tensor(shape: [2], scalars: [0, 1])
        let y = try Slerp.wholeTensor(a, b, t: 0.5).scalars
        #expect(abs(Double(y[0]) - 0.5.squareRoot()) < 1e-7 && abs(Double(y[1]) - 0.5.squareRoot()) < 1e-7)
        // Parallel (and anti-parallel) inputs blend linearly with (1 − t, t).
        let c = Tensor(shape: [2], scalars: [2, 0])
        #expect(try Slerp.wholeTensor(a, c, t: 0.25).scalars == [1.25, 0])
        let d = Tensor(shape: [2], scalars: [-3, 0])
        #expect(try Slerp.wholeTensor(a, d, t: 0.5).scalars == [-1, 0])
    }

    @Test(arguments: [[77, 768], [2, 77, 768], [1, 5]])
    func wholeTensorMatchesReference(_ shape: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(31, *)))
        let a = rng.tensor(shape), b = rng.tensor(shape, mean: 0.5)
        for t: Float in [0, 0.125, 0.5, 0.9] {
            let y = try Slerp.wholeTensor(a, b, t: t)
            let (x, z) = (a.scalars.map(Double.init), b.scalars.map(Double.init))
            let na = x.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = z.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let dot = zip(x, z).reduce(0) { $0 + $1.0 / na * $1.1 / nb }
            let omega = Foundation.acos(dot), so = Foundation.sin(omega), tt = Double(t)
            let expected = zip(x, z).map {
                (Foundation.sin((1 - tt) * omega) * $0 + Foundation.sin(tt * omega) * $1) / so
            }
            #expect(relativeError(y.scalars, expected) <= kernelTolerance)
        }
    }

    @Test func rejectsMismatchedShapes() {
        #expect(throws: TensorError.self) { try Slerp.wholeTensor(Tensor(zeros: [2]), Tensor(zeros: [3]), t: 0.5) }
        #expect(throws: TensorError.self) {
            try Slerp.variation(strength: 0.5, low: Tensor(zeros: [2, 2]), high: Tensor(zeros: [2, 3]))
        }
        #expect(throws: TensorError.self) {
            try Slerp.variation(strength: 0.5, low: Tensor(zeros: [2, 2]), high: Tensor(zeros: [2, 2]), axis: 2)
        }
    }
}
