/// Point-wise nonlinearities of SD, its VAE, CLIP and the motion modules.
///
/// Every case is evaluated through ``VectorMath`` 16 lanes at a time; the sigmoid-shaped ones
/// are written as `x / (1 + e^−z)`, which never cancels and saturates cleanly at both ends.
public enum Activation: String, Sendable, CaseIterable, Codable {
    /// f(x) = x.
    case identity
    /// SiLU / swish: x·σ(x) (UNet and VAE ResBlocks, time embedding MLP).
    case silu
    /// Exact GELU: x·Φ(x) = ½x·(1 + erf(x/√2)) (PyTorch's default, used by GEGLU).
    case gelu
    /// Tanh-approximated GELU: ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))) (`approximate="tanh"`).
    case geluTanh
    /// QuickGELU: x·σ(1.702x) (OpenAI CLIP's text encoder).
    case quickGELU

    /// The function on 16 lanes.
    @inlinable
    public func apply(_ x: SIMD16<Float>) -> SIMD16<Float> {
        switch self {
        case .identity:
            return x
        case .silu:
            return x / (1 + VectorMath.exp(-x))
        case .gelu:
            // ½x·(1 + erf(x/√2)) = ½x·erfc(−x/√2).
            return 0.5 * x * VectorMath.erfc(x * -0.707_106_781_186_547_5)
        case .geluTanh:
            // ½(1 + tanh(u)) = σ(2u), so the whole thing is x·σ(2u): no tanh, no cancellation.
            let u = x * (1 + 0.044_715 * x * x) * 0.797_884_560_802_865_4
            return x / (1 + VectorMath.exp(-2 * u))
        case .quickGELU:
            return x / (1 + VectorMath.exp(-1.702 * x))
        }
    }

    /// The function on one value (same arithmetic as the vector path).
    public func apply(_ x: Float) -> Float {
        apply(SIMD16(repeating: x))[0]
    }

    /// Applies the function to `count` floats at `pointer` in place (single-threaded; callers
    /// parallelise over larger units).
    @inlinable
    public func apply(inPlace pointer: UnsafeMutablePointer<Float>, count: Int) {
        if self == .identity { return }
        VectorMath.transform(pointer, count: count) { apply($0) }
    }

    /// Applies the function to every element of `tensor` in place, on all cores for big tensors.
    public func apply(inPlace tensor: inout Tensor) {
        if self == .identity { return }
        tensor.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            Parallel.forEachChunk(count: buffer.count, minimumChunk: Activation.parallelGrain) { range in
                apply(inPlace: base + range.lowerBound, count: range.count)
            }
        }
    }

    /// A new tensor holding the function of every element of `tensor`.
    public func callAsFunction(_ tensor: Tensor) -> Tensor {
        if self == .identity { return tensor }
        var result = Tensor(uninitialized: tensor.shape)
        tensor.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                guard let source = src.baseAddress, let destination = dst.baseAddress else { return }
                Parallel.forEachChunk(count: dst.count, minimumChunk: Activation.parallelGrain) { range in
                    VectorMath.transform(
                        source + range.lowerBound, into: destination + range.lowerBound, count: range.count
                    ) { apply($0) }
                }
            }
        }
        return result
    }

    /// Elements below which an element-wise pass is not worth a second thread (~50 µs of work).
    static let parallelGrain = 1 << 15
}
