/// The gated-GELU half of SD's transformer feed-forward (`GEGLU` in diffusers and ldm).
///
/// The projection output `[M, 2F]` is split along its last dimension into a value half
/// `[:, :F]` and a gate half `[:, F:]`, and the result is `value · GELU(gate)` (exact GELU).
/// That order is checked against diffusers 0.42 `models/activations.py`:
/// `hidden_states, gate = hidden_states.chunk(2, dim=-1); return hidden_states * self.gelu(gate)`,
/// and ldm's `x, gate = self.proj(x).chunk(2, dim=-1); return x * F.gelu(gate)` is the same.
/// Swapping the halves would still run, silently wrong, with real weights.
public enum GEGLU {
    /// `value · GELU(gate)` for an input whose last dimension is `2F`; the result has last
    /// dimension `F` and the same leading dimensions.
    ///
    /// - Throws: ``TensorError`` `.shapeMismatch` when the input is rank 0 or its last
    ///   dimension is odd.
    public static func apply(_ input: Tensor) throws -> Tensor {
        guard let last = input.shape.last, last % 2 == 0 else {
            throw TensorError(.shapeMismatch, "GEGLU needs an even last dimension, got shape \(input.shape)")
        }
        let features = last / 2
        var outputShape = input.shape
        outputShape[outputShape.count - 1] = features
        var output = Tensor(uninitialized: outputShape)
        let rows = features == 0 ? 0 : input.count / last
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                guard let source = src.baseAddress, let destination = dst.baseAddress else { return }
                let grain = max(1, Activation.parallelGrain / max(1, features))
                Parallel.forEachChunk(count: rows, minimumChunk: grain) { range in
                    for row in range {
                        apply(
                            value: source + row * last, gate: source + row * last + features,
                            into: destination + row * features, count: features
                        )
                    }
                }
            }
        }
        return output
    }

    /// `destination[i] = value[i] · GELU(gate[i])` for `count` elements (single-threaded).
    /// `destination` may alias `value` (in-place gating of a projection buffer).
    @inlinable
    public static func apply(
        value: UnsafePointer<Float>,
        gate: UnsafePointer<Float>,
        into destination: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        let valueRaw = UnsafeRawPointer(value)
        let gateRaw = UnsafeRawPointer(gate)
        let outRaw = UnsafeMutableRawPointer(destination)
        var i = 0
        while i + 16 <= count {
            let v = valueRaw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let g = gateRaw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            outRaw.storeBytes(of: v * Activation.gelu.apply(g), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        if i < count {
            var g = SIMD16<Float>()
            for lane in 0..<(count - i) { g[lane] = gate[i + lane] }
            let gelu = Activation.gelu.apply(g)
            for lane in 0..<(count - i) { destination[i + lane] = value[i + lane] * gelu[lane] }
        }
    }
}
