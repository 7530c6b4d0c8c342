/// Layer normalisation over the last dimension (each token row on its own), as
/// `torch.nn.LayerNorm(C)`: biased variance, `eps` inside the square root, then the
/// per-channel affine `weight`, `bias`.
public enum LayerNorm {
    /// Normalises every row of the last dimension of `input`.
    ///
    /// - Parameters:
    ///   - weight: `C` scales (any shape with `C` elements), or nil for 1.
    ///   - bias: `C` offsets, or nil for 0.
    ///   - epsilon: Added to the variance (PyTorch default 1e-5).
    /// - Throws: ``TensorError`` `.shapeMismatch` for a rank-0 input or a weight/bias whose
    ///   element count is not the last dimension.
    public static func apply(_ input: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) throws -> Tensor {
        guard let channels = input.shape.last else {
            throw TensorError(.shapeMismatch, "LayerNorm needs at least one dimension, got a scalar")
        }
        try checkAffine(weight, bias, channels: channels, operation: "LayerNorm")
        var output = Tensor(uninitialized: input.shape)
        guard channels > 0 else { return output }
        let rowCount = input.count / channels
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                withAffine(weight, bias) { w, b in
                    guard let source = src.baseAddress, let destination = dst.baseAddress else { return }
                    let grain = max(1, Activation.parallelGrain / channels)
                    Parallel.forEachChunk(count: rowCount, minimumChunk: grain) { range in
                        for row in range {
                            normalise(
                                source + row * channels, into: destination + row * channels,
                                count: channels, weight: w, bias: b, epsilon: epsilon
                            )
                        }
                    }
                }
            }
        }
        return output
    }

    /// Normalises one row of `count` floats into `destination` (which may equal `source`).
    public static func normalise(
        _ source: UnsafePointer<Float>,
        into destination: UnsafeMutablePointer<Float>,
        count: Int,
        weight: UnsafePointer<Float>?,
        bias: UnsafePointer<Float>?,
        epsilon: Float
    ) {
        let (mean, variance) = RowStatistics.meanAndVariance(source, count: count)
        let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
        // The mean as a Float pair (high, low), as in GroupNorm: x − high is exact near the mean.
        let meanHigh = Float(mean)
        let meanLow = Float(mean - Double(meanHigh))
        for c in 0..<count {
            var y = ((source[c] - meanHigh) - meanLow) * inverse
            if let weight { y *= weight[c] }
            if let bias { y += bias[c] }
            destination[c] = y
        }
    }

    static func checkAffine(_ weight: Tensor?, _ bias: Tensor?, channels: Int, operation: String) throws {
        if let weight, weight.count != channels {
            throw TensorError(
                .shapeMismatch, "\(operation) weight has \(weight.count) elements for \(channels) channels")
        }
        if let bias, bias.count != channels {
            throw TensorError(.shapeMismatch, "\(operation) bias has \(bias.count) elements for \(channels) channels")
        }
    }

    static func withAffine<R>(
        _ weight: Tensor?, _ bias: Tensor?,
        _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> R
    ) -> R {
        func withBias(_ w: UnsafePointer<Float>?) -> R {
            guard let bias else { return body(w, nil) }
            return bias.withUnsafeBufferPointer { body(w, $0.baseAddress) }
        }
        guard let weight else { return withBias(nil) }
        return weight.withUnsafeBufferPointer { withBias($0.baseAddress) }
    }
}

/// Mean and biased variance of a run of floats, two-pass, accumulated in Float lanes that are
/// flushed into Double every 512 elements (so the rounding error stays near 1e-7 relative for
/// any length), with the second pass corrected for the rounding of the mean to Float.
enum RowStatistics {
    static func meanAndVariance(_ x: UnsafePointer<Float>, count: Int) -> (mean: Double, variance: Double) {
        guard count > 0 else { return (0, 0) }
        let raw = UnsafeRawPointer(x)
        let full = count & ~15
        var sum = 0.0
        var lanes = SIMD16<Float>()
        var i = 0
        var pending = 0
        while i < full {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
            pending += 1
            if pending == 32 { sum += Double(lanes.sum()); lanes = SIMD16(); pending = 0 }
        }
        sum += Double(lanes.sum())
        for j in full..<count { sum += Double(x[j]) }
        let mean = sum / Double(count)

        let meanF = Float(mean)
        var squares = 0.0
        var deviations = 0.0
        var squareLanes = SIMD16<Float>()
        var deviationLanes = SIMD16<Float>()
        i = 0
        pending = 0
        while i < full {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - meanF
            squareLanes += d * d
            deviationLanes += d
            i += 16
            pending += 1
            if pending == 32 {
                squares += Double(squareLanes.sum())
                deviations += Double(deviationLanes.sum())
                squareLanes = SIMD16()
                deviationLanes = SIMD16()
                pending = 0
            }
        }
        squares += Double(squareLanes.sum())
        deviations += Double(deviationLanes.sum())
        for j in full..<count {
            let d = Double(x[j]) - Double(meanF)
            squares += d * d
            deviations += d
        }
        let n = Double(count)
        let shift = deviations / n
        return (Double(meanF) + shift, max(0, squares / n - shift * shift))
    }
}
