/// Element-wise arithmetic on tensors of equal shape, and the row-broadcast bias add.
///
/// The loops are plain pointer loops that LLVM vectorises at -O (no reductions, so no
/// reassociation is needed); tensors above ~32 K elements are split over both cores.
/// Shapes must match exactly: there is no implicit broadcasting other than ``addBias(_:to:)``.
public enum Elementwise {
    /// a + b.
    public static func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(a, b, "add") { x, y, out, n in for i in 0..<n { out[i] = x[i] + y[i] } }
    }

    /// a − b.
    public static func subtract(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(a, b, "subtract") { x, y, out, n in for i in 0..<n { out[i] = x[i] - y[i] } }
    }

    /// a · b (Hadamard product).
    public static func multiply(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(a, b, "multiply") { x, y, out, n in for i in 0..<n { out[i] = x[i] * y[i] } }
    }

    /// s · x.
    public static func scale(_ x: Tensor, by s: Float) -> Tensor {
        var out = Tensor(uninitialized: x.shape)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                chunked(dst.count) { lo, n in
                    let a = src.baseAddress! + lo, o = dst.baseAddress! + lo
                    for i in 0..<n { o[i] = a[i] * s }
                }
            }
        }
        return out
    }

    /// y ← y + alpha · x in place (BLAS axpy; residual adds, CFG combination, sampler steps).
    public static func addScaled(_ x: Tensor, alpha: Float, to y: inout Tensor) throws {
        guard x.shape == y.shape else {
            throw TensorError(.shapeMismatch, "addScaled: x has shape \(x.shape), y has shape \(y.shape)")
        }
        x.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { dst in
                chunked(dst.count) { lo, n in
                    let a = src.baseAddress! + lo, o = dst.baseAddress! + lo
                    for i in 0..<n { o[i] += alpha * a[i] }
                }
            }
        }
    }

    /// y ← y + x in place (residual connections).
    public static func addInPlace(_ x: Tensor, to y: inout Tensor) throws {
        guard x.shape == y.shape else {
            throw TensorError(.shapeMismatch, "residual add: x has shape \(x.shape), y has shape \(y.shape)")
        }
        x.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { dst in
                chunked(dst.count) { lo, n in
                    let a = src.baseAddress! + lo, o = dst.baseAddress! + lo
                    for i in 0..<n { o[i] += a[i] }
                }
            }
        }
    }

    /// Adds `bias` (`C` elements) to every row of the last dimension of `x` in place (linear
    /// and 1×1-conv biases, the time embedding added to every pixel of a ResBlock).
    public static func addBias(_ bias: Tensor, to x: inout Tensor) throws {
        guard let channels = x.shape.last, bias.count == channels else {
            throw TensorError(
                .shapeMismatch, "addBias: bias of \(bias.count) elements for rows of shape \(x.shape)"
            )
        }
        guard channels > 0 else { return }
        let rows = x.count / channels
        bias.withUnsafeBufferPointer { b in
            x.withUnsafeMutableBufferPointer { dst in
                addBias(b.baseAddress!, to: dst.baseAddress!, rows: rows, channels: channels, stride: channels)
            }
        }
    }

    /// Pointer form of ``addBias(_:to:)``: `rows` rows of `channels` floats, `stride` apart.
    public static func addBias(
        _ bias: UnsafePointer<Float>,
        to x: UnsafeMutablePointer<Float>,
        rows: Int,
        channels: Int,
        stride: Int
    ) {
        let grain = max(1, Activation.parallelGrain / max(1, channels))
        Parallel.forEachChunk(count: rows, minimumChunk: grain) { range in
            for r in range {
                let row = x + r * stride
                for c in 0..<channels { row[c] += bias[c] }
            }
        }
    }

    private static func binary(
        _ a: Tensor, _ b: Tensor, _ name: String,
        _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) throws -> Tensor {
        guard a.shape == b.shape else {
            throw TensorError(.shapeMismatch, "\(name): shapes \(a.shape) and \(b.shape) differ")
        }
        var out = Tensor(uninitialized: a.shape)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { o in
                    chunked(o.count) { lo, n in
                        kernel(x.baseAddress! + lo, y.baseAddress! + lo, o.baseAddress! + lo, n)
                    }
                }
            }
        }
        return out
    }

    /// Runs `body(start, length)` over `0..<count` in per-core chunks.
    private static func chunked(_ count: Int, _ body: (Int, Int) -> Void) {
        Parallel.forEachChunk(count: count, minimumChunk: Activation.parallelGrain) { range in
            body(range.lowerBound, range.count)
        }
    }
}
