import ADiffTensor

/// One `transformer_blocks.{t}` of a motion module: its temporal self-attentions in order,
/// then the GEGLU feed-forward with its LayerNorm `ff_norm`, each added to the residual
/// stream (animatediff-behaviour.md §1.1).
struct TemporalTransformerBlock: Sendable {
    let attentions: [TemporalSelfAttention]
    let feedForwardNorm: NormLayer
    /// `ff.net.0.proj`: C → 8C (value and gate halves).
    let feedForwardProjection: LinearLayer
    /// `ff.net.2`: 4C → C.
    let feedForwardOutput: LinearLayer

    /// Loads the block under `scope`.
    ///
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` when the attention blocks and their
    ///   norms are not both numbered 0, 1, …; shape errors from the layers.
    init(_ scope: ParameterScope, channels: Int, shapes: inout MotionModuleShapes) throws {
        let attentionIndices = MotionModuleShapes.indices(under: scope["attention_blocks"])
        let normIndices = MotionModuleShapes.indices(under: scope["norms"])
        guard !attentionIndices.isEmpty, attentionIndices == Array(0..<attentionIndices.count),
            normIndices == attentionIndices
        else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(scope.parameters.origin): '\(scope.prefix)' has attention blocks \(attentionIndices) and norms "
                    + "\(normIndices); expected both 0, 1, …")
        }
        attentions = try attentionIndices.map { index in
            try TemporalSelfAttention(
                attention: scope["attention_blocks"][index], norm: scope["norms"][index], channels: channels,
                shapes: &shapes)
        }
        feedForwardNorm = try shapes.norm(scope["ff_norm"], kind: .layer, epsilon: 1e-5, channels: channels)
        feedForwardProjection = try shapes.linear(
            scope["ff"]["net"][0]["proj"], input: channels, output: 8 * channels, bias: true)
        feedForwardOutput = try shapes.linear(scope["ff"]["net"][2], input: 4 * channels, output: channels, bias: true)
    }

    /// The weights widened once per module call.
    struct Prepared: Sendable {
        let attentions: [TemporalSelfAttention.Prepared]
        let normWeight: Tensor?
        let normBias: Tensor?
        let epsilon: Float
        let projection: Linear
        let output: Linear

        /// Runs the block on `hidden` (`[videos·frames·positions, C]`, rows ordered video,
        /// frame, position) in place.
        func apply(to hidden: inout Tensor, videos: Int, frames: Int, positions: Int, heads: Int, table: Tensor) throws
        {
            for attention in attentions {
                try attention.apply(
                    to: &hidden, videos: videos, frames: frames, positions: positions, heads: heads, table: table)
            }
            let normalised = try LayerNorm.apply(hidden, weight: normWeight, bias: normBias, epsilon: epsilon)
            let gated = try GEGLU.apply(try projection(normalised))
            let rows = hidden.shape[0]
            let width = hidden.shape[1]
            hidden.withUnsafeMutableBufferPointer { h in
                gated.withUnsafeBufferPointer { g in
                    output.apply(
                        rows: rows, input: g.baseAddress!, inputStride: output.inputFeatures, output: h.baseAddress!,
                        outputStride: width, accumulate: true)
                }
            }
        }
    }

    /// Widens the weights.
    func prepared() throws -> Prepared {
        Prepared(
            attentions: try attentions.map { try $0.prepared() },
            normWeight: try feedForwardNorm.weight?.widened(), normBias: try feedForwardNorm.bias?.widened(),
            epsilon: feedForwardNorm.epsilon,
            projection: try feedForwardProjection.widened(), output: try feedForwardOutput.widened())
    }
}
