/// Transcendental functions on 16 lanes at once, for the activation and softmax kernels.
///
/// Glibc's `expf`/`erff` are scalar calls the compiler cannot vectorise; these are
/// straight-line lane-wise code. Accuracy (checked against Double references in the tests):
/// `exp` within 2 ulp over the normal range (gradual underflow below, +inf above
/// 88.72, NaN propagated); `erfc` within 5e-7 relative for |x| ≤ 1, growing as x² beyond
/// (the Float rounding of the exponent −x²), which is far below what GELU can observe.
public enum VectorMath {
    /// e^x lane-wise (Cephes `expf` polynomial, with 2^n applied as two exact factors so
    /// that the full range -103.9…88.72 maps without overflow in the scale).
    @inlinable
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // Masked replacement, not `clamped(lowerBound:upperBound:)`, which Swift 6.3 does not
        // vectorise (80 ns per vector instead of under 1).
        var clamped = x
        clamped.replace(with: SIMD16(repeating: -104), where: x .< -104)
        clamped.replace(with: SIMD16(repeating: 88.75), where: x .> 88.75)
        // Round-to-nearest integer n = x·log2(e) by the 1.5·2^23 trick: after the addition
        // the low mantissa bits hold n, so no float→int conversion is needed.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let nInt = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        // Cody–Waite reduction: r = x − n·ln2 in two steps keeps r exact to Float precision.
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        var y = p * (r * r) + r + 1
        let half = nInt &>> 1
        let rest = nInt &- half
        y *= unsafeBitCast((half &+ 127) &<< 23, to: SIMD16<Float>.self)
        y *= unsafeBitCast((rest &+ 127) &<< 23, to: SIMD16<Float>.self)
        y.replace(with: SIMD16(repeating: .infinity), where: x .> 88.722_83)
        y.replace(with: SIMD16(repeating: 0), where: x .< -103.97)
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// Complementary error function erfc(x) = 1 − erf(x) lane-wise.
    ///
    /// Chebyshev-fitted form with fractional error below 1.2e-7 everywhere (Numerical Recipes
    /// `erfcc`); computing erfc rather than 1 + erf keeps GELU accurate for negative inputs,
    /// where 1 + erf would cancel.
    @inlinable
    public static func erfc(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let z = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.5 * z)
        var p = SIMD16<Float>(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let tail = t * exp(p - z * z)
        return tail.replacing(with: 2 - tail, where: x .< 0)
    }

    /// Logistic sigmoid 1 / (1 + e^−x) lane-wise; saturates to exactly 0 and 1.
    @inlinable
    public static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
        1 / (1 + exp(-x))
    }

    /// Applies `transform` to `count` floats at `pointer` in place, 16 at a time; the tail goes
    /// through the same vector code (zero-padded), so every element gets bit-identical results
    /// whatever its position.
    @inlinable
    public static func transform(
        _ pointer: UnsafeMutablePointer<Float>,
        count: Int,
        _ transform: (SIMD16<Float>) -> SIMD16<Float>
    ) {
        self.transform(UnsafePointer(pointer), into: pointer, count: count, transform)
    }

    /// Out-of-place form of ``transform(_:count:_:)``: reads `source`, writes `destination`
    /// (which may be the same memory), so a new tensor is filled in one pass instead of
    /// being copied first and transformed second.
    @inlinable
    public static func transform(
        _ source: UnsafePointer<Float>,
        into destination: UnsafeMutablePointer<Float>,
        count: Int,
        _ transform: (SIMD16<Float>) -> SIMD16<Float>
    ) {
        let input = UnsafeRawPointer(source)
        let output = UnsafeMutableRawPointer(destination)
        var i = 0
        while i + 16 <= count {
            let v = input.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            output.storeBytes(of: transform(v), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        if i < count {
            var v = SIMD16<Float>()
            for lane in 0..<(count - i) { v[lane] = source[i + lane] }
            let y = transform(v)
            for lane in 0..<(count - i) { destination[i + lane] = y[lane] }
        }
    }
}
