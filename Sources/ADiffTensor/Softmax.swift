/// Numerically stable softmax along the last dimension (rows of contiguous floats).
///
/// Each row is shifted by its maximum before exponentiation, so no input overflows, and the
/// normaliser is accumulated in Float lanes flushed to Double every 512 elements, so rows of
/// 4096 attention scores keep a relative error near 1e-7. Matches PyTorch on degenerate rows:
/// a row of all −∞ gives NaN.
public enum Softmax {
    /// softmax over the last dimension of `input`.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` for a rank-0 tensor.
    public static func lastDimension(_ input: Tensor, scale: Float = 1) throws -> Tensor {
        guard let length = input.shape.last else {
            throw TensorError(.shapeMismatch, "softmax needs at least one dimension, got a scalar")
        }
        var output = input
        guard length > 0 else { return output }
        let rowCount = input.count / length
        output.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let grain = max(1, Activation.parallelGrain / length)
            Parallel.forEachChunk(count: rowCount, minimumChunk: grain) { range in
                rows(
                    base + range.lowerBound * length, rowCount: range.count, length: length, stride: length,
                    scale: scale)
            }
        }
        return output
    }

    /// In place: each of `rowCount` rows of `length` floats, `stride` floats apart, becomes
    /// softmax(`scale` · row). Single-threaded, for kernels (attention) that parallelise over
    /// larger units themselves.
    public static func rows(
        _ pointer: UnsafeMutablePointer<Float>,
        rowCount: Int,
        length: Int,
        stride: Int,
        scale: Float = 1
    ) {
        guard length > 0 else { return }
        for row in 0..<rowCount {
            normalise(pointer + row * stride, length: length, scale: scale)
        }
    }

    private static func normalise(_ x: UnsafeMutablePointer<Float>, length: Int, scale: Float) {
        let raw = UnsafeMutableRawPointer(x)
        let full = length & ~15
        let tail = length - full
        var tailValues = SIMD16<Float>(repeating: -.infinity)
        for lane in 0..<tail { tailValues[lane] = x[full + lane] * scale }

        var maxima = tailValues
        var i = 0
        while i < full {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * scale
            // Masked replacement: `pointwiseMax` is not vectorised by Swift 6.3 (50× slower).
            maxima.replace(with: v, where: v .> maxima)
            i += 16
        }
        let rowMax = maxima.max()
        // The comparison above skips NaN; a NaN anywhere must make the whole row NaN, as in PyTorch.
        var sawNaN = false

        var total = 0.0
        var lanes = SIMD16<Float>()
        i = 0
        var sinceFlush = 0
        while i < full {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * scale
            if any(v .!= v) { sawNaN = true }
            let e = VectorMath.exp(v - rowMax)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD16<Float>.self)
            lanes += e
            sinceFlush += 1
            if sinceFlush == 32 {
                total += Double(lanes.sum())
                lanes = SIMD16()
                sinceFlush = 0
            }
            i += 16
        }
        total += Double(lanes.sum())
        if tail > 0 {
            if any(tailValues .!= tailValues) { sawNaN = true }
            let e = VectorMath.exp(tailValues - rowMax)
            for lane in 0..<tail {
                x[full + lane] = e[lane]
                total += Double(e[lane])
            }
        }
        if sawNaN || rowMax.isNaN {
            x.update(repeating: .nan, count: length)
            return
        }
        let inverse = Float(1 / total)
        i = 0
        while i < full {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: v * inverse, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        for j in full..<length { x[j] *= inverse }
    }
}
