import ADiffTensor

/// ldm's `CrossAttention` inside a spatial transformer block: `attn1` attends over the
/// pixels of one image (self-attention), `attn2` from the pixels to the text context.
///
/// `q = x·Wq`, `k = c·Wk`, `v = c·Wv` (no biases in SD), `heads` heads of `inner / heads`
/// channels, `softmax(q·kᵀ/√d)·v`, then `to_out.0` (with bias; `to_out.1` is an inactive
/// dropout).
public struct SpatialAttention: Sendable {
    /// `to_q`.
    public let query: LinearLayer
    /// `to_k`.
    public let key: LinearLayer
    /// `to_v`.
    public let value: LinearLayer
    /// `to_out.0`.
    public let output: LinearLayer
    /// Attention heads.
    public let heads: Int

    /// The attention under `scope` (`…transformer_blocks.N.attn1` or `.attn2`).
    ///
    /// - Parameters:
    ///   - channels: Width of the activations it reads and writes.
    ///   - sourceChannels: Width of what keys and values are computed from (`channels` for
    ///     self-attention, the context width for cross-attention).
    ///   - headRule: How many heads the attention width gets.
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`, also when the head rule does
    ///   not divide the attention width.
    public init(
        _ scope: ParameterScope, channels: Int, sourceChannels: Int, headRule: UNetConfig.AttentionHeads
    ) throws {
        query = try LinearLayer(scope["to_q"])
        let inner = query.outputFeatures
        key = try LinearLayer(scope["to_k"])
        value = try LinearLayer(scope["to_v"])
        output = try LinearLayer(scope["to_out.0"])
        try UNetShapeCheck.linear(query, scope["to_q"], input: channels, output: inner)
        try UNetShapeCheck.linear(key, scope["to_k"], input: sourceChannels, output: inner)
        try UNetShapeCheck.linear(value, scope["to_v"], input: sourceChannels, output: inner)
        try UNetShapeCheck.linear(output, scope["to_out.0"], input: inner, output: channels)
        guard let heads = headRule.heads(forChannels: inner) else {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): \(headRule) do not divide the \(inner) channels of '\(scope.prefix)'")
        }
        self.heads = heads
    }

    /// Attends from `x` (`[N, L, channels]`) to `source` (`[N, T, sourceChannels]`, `x`
    /// itself for self-attention) and adds the result to `residual` (`[N, L, channels]`).
    public func apply(_ x: Tensor, source: Tensor, addingTo residual: inout Tensor) throws {
        let q = try query(x)
        let k = try key(source)
        let v = try value(source)
        let attended = try Attention.scaledDotProduct(query: q, key: k, value: v, heads: heads)
        let projection = try output.widened()
        let rows = attended.count / output.inputFeatures
        guard residual.count == rows * output.outputFeatures else {
            throw ModelError(
                .invalidInput, "attention residual of shape \(residual.shape) for output \(attended.shape)")
        }
        attended.withUnsafeBufferPointer { a in
            residual.withUnsafeMutableBufferPointer { r in
                projection.apply(
                    rows: rows, input: a.baseAddress!, inputStride: output.inputFeatures,
                    output: r.baseAddress!, outputStride: output.outputFeatures, accumulate: true)
            }
        }
    }
}
