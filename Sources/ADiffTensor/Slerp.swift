#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Spherical linear interpolation, in the two flavours the pipeline reproduces.
///
/// Both fall back to a linear blend when the inputs are nearly parallel, with the WebUI's
/// threshold 0.9995 on the cosine, and both compute the cosines, norms and weights in Double
/// before blending in Float.
public enum Slerp {
    /// Cosine above which the inputs count as parallel and are blended linearly.
    public static let parallelThreshold = 0.9995

    /// A1111's variation-seed slerp (`modules/processing.py` `slerp(val, low, high)`,
    /// a1111-compat.md §5.5) between the main noise `low` and the variation noise `high`.
    ///
    /// Vectors run along `axis` (dim 1 of A1111's per-image `[C, H, W]` noise, i.e. H; pass
    /// `axis: 0` for an `[H, W, C]` latent): each (outer, inner) position has its own cosine
    /// and angle. When the *mean* cosine exceeds 0.9995 the result is
    /// `low · strength + high · (1 − strength)`: the weights are reversed relative to the
    /// slerp branch, a WebUI quirk kept for seed parity. Otherwise, with ω = acos(cosine),
    /// `sin((1 − s)ω)/sin ω · low + sin(sω)/sin ω · high`. Zero vectors give NaN, as in PyTorch.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when shapes differ or `axis` is out of range.
    public static func variation(strength: Float, low: Tensor, high: Tensor, axis: Int = 1) throws -> Tensor {
        guard low.shape == high.shape else {
            throw TensorError(.shapeMismatch, "slerp: shapes \(low.shape) and \(high.shape) differ")
        }
        guard axis >= 0, axis < low.rank else {
            throw TensorError(.shapeMismatch, "slerp: axis \(axis) out of range for shape \(low.shape)")
        }
        let length = low.shape[axis]
        let inner = Tensor.elementCount(Array(low.shape[(axis + 1)...]))
        let outer = Tensor.elementCount(Array(low.shape[..<axis]))
        let positions = outer * inner
        var result = Tensor(uninitialized: low.shape)
        guard positions > 0, length > 0 else { return result }
        let s = Double(strength)
        low.withUnsafeBufferPointer { lowBuffer in
            high.withUnsafeBufferPointer { highBuffer in
                result.withUnsafeMutableBufferPointer { out in
                    let a = lowBuffer.baseAddress!, b = highBuffer.baseAddress!, o = out.baseAddress!
                    @inline(__always) func index(_ position: Int, _ k: Int) -> Int {
                        (position / inner) * length * inner + k * inner + position % inner
                    }
                    var cosines = [Double](repeating: 0, count: positions)
                    for p in 0..<positions {
                        var aa = 0.0, bb = 0.0, ab = 0.0
                        for k in 0..<length {
                            let x = Double(a[index(p, k)]), y = Double(b[index(p, k)])
                            aa += x * x
                            bb += y * y
                            ab += x * y
                        }
                        cosines[p] = ab / (aa.squareRoot() * bb.squareRoot())
                    }
                    let meanCosine = cosines.reduce(0, +) / Double(positions)
                    for p in 0..<positions {
                        let wa: Double, wb: Double
                        if meanCosine > parallelThreshold {
                            (wa, wb) = (s, 1 - s)
                        } else {
                            let omega = acos(cosines[p])
                            let so = sin(omega)
                            (wa, wb) = (sin((1 - s) * omega) / so, sin(s * omega) / so)
                        }
                        for k in 0..<length {
                            let i = index(p, k)
                            o[i] = Float(wa * Double(a[i]) + wb * Double(b[i]))
                        }
                    }
                }
            }
        }
        return result
    }

    /// sd-webui-animatediff's prompt-travel slerp (animatediff-behaviour.md §5.2): the whole
    /// tensor is one vector. If |cosine| > 0.9995 the result is `(1 − t)·a + t·b`; otherwise,
    /// with ω = acos(cosine), `(sin((1 − t)ω)·a + sin(tω)·b) / sin ω`.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the shapes differ.
    public static func wholeTensor(_ a: Tensor, _ b: Tensor, t: Float) throws -> Tensor {
        guard a.shape == b.shape else {
            throw TensorError(.shapeMismatch, "slerp: shapes \(a.shape) and \(b.shape) differ")
        }
        var result = Tensor(uninitialized: a.shape)
        let tt = Double(t)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                result.withUnsafeMutableBufferPointer { out in
                    var aa = 0.0, bb = 0.0, ab = 0.0
                    for i in 0..<x.count {
                        let u = Double(x[i]), v = Double(y[i])
                        aa += u * u
                        bb += v * v
                        ab += u * v
                    }
                    let cosine = ab / (aa.squareRoot() * bb.squareRoot())
                    let wa: Double, wb: Double
                    if abs(cosine) > parallelThreshold {
                        (wa, wb) = (1 - tt, tt)
                    } else {
                        let omega = acos(cosine)
                        let so = sin(omega)
                        (wa, wb) = (sin((1 - tt) * omega) / so, sin(tt * omega) / so)
                    }
                    for i in 0..<x.count { out[i] = Float(wa * Double(x[i]) + wb * Double(y[i])) }
                }
            }
        }
        return result
    }
}
