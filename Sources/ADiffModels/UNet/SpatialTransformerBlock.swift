import ADiffTensor

/// ldm's `BasicTransformerBlock`: pre-LayerNorm self-attention, cross-attention to the text
/// context and GEGLU feed-forward, each added to the running activations.
///
/// ```
/// x = x + attn1(norm1(x))
/// x = x + attn2(norm2(x), context)
/// x = x + ff(norm3(x))
/// ```
/// LayerNorms use PyTorch's default eps 1e-5.
public struct SpatialTransformerBlock: Sendable {
    /// `norm1`, `norm2`, `norm3`.
    public let norms: [NormLayer]
    /// `attn1` (self).
    public let selfAttention: SpatialAttention
    /// `attn2` (cross, to the context).
    public let crossAttention: SpatialAttention
    /// `ff`.
    public let feedForward: SpatialFeedForward

    /// The block under `scope` (`…transformer_blocks.N`).
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`.
    public init(
        _ scope: ParameterScope, channels: Int, contextDimension: Int, headRule: UNetConfig.AttentionHeads
    ) throws {
        norms = try (1...3).map { index in
            let norm = try NormLayer(scope["norm\(index)"], kind: .layer, epsilon: 1e-5)
            try UNetShapeCheck.norm(norm, scope["norm\(index)"], channels: channels)
            return norm
        }
        selfAttention = try SpatialAttention(
            scope["attn1"], channels: channels, sourceChannels: channels, headRule: headRule)
        crossAttention = try SpatialAttention(
            scope["attn2"], channels: channels, sourceChannels: contextDimension, headRule: headRule)
        feedForward = try SpatialFeedForward(scope["ff"], channels: channels)
    }

    /// Runs the block on token rows `x` (`[N, L, channels]`) with `context` (`[N, T, width]`).
    public func callAsFunction(_ x: Tensor, context: Tensor) throws -> Tensor {
        var h = x
        let normed1 = try norms[0](h)
        try selfAttention.apply(normed1, source: normed1, addingTo: &h)
        try crossAttention.apply(try norms[1](h), source: context, addingTo: &h)
        try feedForward.apply(try norms[2](h), addingTo: &h)
        return h
    }
}
