import ADiffTensor

/// ldm's `SpatialTransformer` (diffusers `Transformer2DModel`): GroupNorm, `proj_in`, the
/// transformer blocks over the pixels as tokens, `proj_out`, plus the input.
///
/// ```
/// h = proj_in(GroupNorm(32, eps 1e-6)(x))      1×1 conv (SD1.x) or linear (SD2.1, SDXL)
/// h = blocks(h as [N, H·W, inner], context)
/// return x + proj_out(h)
/// ```
/// Its GroupNorm is torch's plain `GroupNorm` (ldm `Normalize`), not `GroupNorm32`, so the
/// v1 GroupNorm hack never pools it over frames. On channels-last activations the conv and
/// linear forms of the projections are the same GEMM, so both layouts run the same code.
public struct SpatialTransformer: Sendable {
    /// `norm`.
    public let norm: NormLayer
    /// `proj_in`.
    public let projectionIn: LinearLayer
    /// `transformer_blocks`.
    public let blocks: [SpatialTransformerBlock]
    /// `proj_out`.
    public let projectionOut: LinearLayer
    /// Channels of the activations.
    public let channels: Int

    /// The transformer under `scope` (e.g. `input_blocks.1.1`) with `depth` blocks.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`.
    public init(
        _ scope: ParameterScope, channels: Int, depth: Int, contextDimension: Int,
        headRule: UNetConfig.AttentionHeads
    ) throws {
        norm = try NormLayer(scope["norm"], kind: .group(32), epsilon: 1e-6)
        try UNetShapeCheck.norm(norm, scope["norm"], channels: channels)
        projectionIn = try LinearLayer(scope["proj_in"])
        let inner = projectionIn.outputFeatures
        try UNetShapeCheck.linear(projectionIn, scope["proj_in"], input: channels, output: inner)
        projectionOut = try LinearLayer(scope["proj_out"])
        try UNetShapeCheck.linear(projectionOut, scope["proj_out"], input: inner, output: channels)
        let found = UNetConfig.transformerBlockCount(scope)
        guard found == depth else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(scope.parameters.origin): '\(scope.prefix)' has \(found) transformer blocks where its level has \(depth)"
            )
        }
        blocks = try (0..<depth).map { index in
            try SpatialTransformerBlock(
                scope["transformer_blocks.\(index)"], channels: inner, contextDimension: contextDimension,
                headRule: headRule)
        }
        self.channels = channels
    }

    /// Runs the transformer on `x` (`[N, H, W, channels]`) with `context` (`[N, T, width]`).
    public func callAsFunction(_ x: Tensor, context: Tensor) throws -> Tensor {
        let (samples, height, width) = (x.shape[0], x.shape[1], x.shape[2])
        var h = try projectionIn(try norm(x)).reshaped([samples, height * width, projectionIn.outputFeatures])
        for block in blocks { h = try block(h, context: context) }
        var output = x
        let projection = try projectionOut.widened()
        h.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                projection.apply(
                    rows: samples * height * width, input: source.baseAddress!,
                    inputStride: projectionOut.inputFeatures, output: destination.baseAddress!,
                    outputStride: channels, accumulate: true)
            }
        }
        return output
    }
}
