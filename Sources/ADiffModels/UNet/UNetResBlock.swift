import ADiffTensor

/// ldm's `ResBlock` (diffusers `ResnetBlock2D`): two GroupNorm-SiLU-conv3×3 stages with the
/// timestep embedding added in between, and a residual path that is the identity or, when
/// the channel count changes, a 1×1 convolution.
///
/// ```
/// h = conv3×3(SiLU(GroupNorm32(x)))            in_layers.0, .2
/// h = h + Linear(SiLU(emb))[per sample]         emb_layers.1
/// h = conv3×3(SiLU(GroupNorm32(h)))            out_layers.0, .3 (dropout .2 is inactive)
/// return skip(x) + h                            skip_connection
/// ```
/// Both GroupNorms are ldm's `GroupNorm32` (32 groups, eps 1e-5), the class the v1 / HotShot
/// "GroupNorm hack" patches (animatediff-behaviour.md §2.1): they take `normFrames`.
public struct UNetResBlock: Sendable {
    /// `in_layers.0`.
    public let inputNorm: NormLayer
    /// `in_layers.2`.
    public let inputConv: Conv2dLayer
    /// `emb_layers.1`.
    public let embeddingProjection: LinearLayer
    /// `out_layers.0`.
    public let outputNorm: NormLayer
    /// `out_layers.3`.
    public let outputConv: Conv2dLayer
    /// `skip_connection` (1×1), or nil for the identity.
    public let skip: LinearLayer?
    /// Channels in.
    public let inputChannels: Int
    /// Channels out.
    public let outputChannels: Int

    /// GroupNorm32's epsilon (PyTorch's default).
    static let normEpsilon: Float = 1e-5

    /// The block under `scope` (e.g. `input_blocks.1.0`).
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape` when a tensor is absent or
    ///   does not fit `inputChannels → outputChannels` with an `embeddingDimension`-wide
    ///   timestep embedding.
    public init(_ scope: ParameterScope, inputChannels: Int, outputChannels: Int, embeddingDimension: Int) throws {
        inputNorm = try NormLayer(scope["in_layers.0"], kind: .group(32), epsilon: Self.normEpsilon)
        inputConv = try Conv2dLayer(scope["in_layers.2"], padding: 1)
        embeddingProjection = try LinearLayer(scope["emb_layers.1"])
        outputNorm = try NormLayer(scope["out_layers.0"], kind: .group(32), epsilon: Self.normEpsilon)
        outputConv = try Conv2dLayer(scope["out_layers.3"], padding: 1)
        try UNetShapeCheck.norm(inputNorm, scope["in_layers.0"], channels: inputChannels)
        try UNetShapeCheck.conv(
            inputConv, scope["in_layers.2"], input: inputChannels, output: outputChannels, kernel: 3)
        try UNetShapeCheck.linear(
            embeddingProjection, scope["emb_layers.1"], input: embeddingDimension, output: outputChannels)
        try UNetShapeCheck.norm(outputNorm, scope["out_layers.0"], channels: outputChannels)
        try UNetShapeCheck.conv(
            outputConv, scope["out_layers.3"], input: outputChannels, output: outputChannels, kernel: 3)
        if inputChannels == outputChannels {
            if scope["skip_connection"].exists {
                throw ModelError(
                    .unsupportedArchitecture,
                    "\(scope.parameters.origin): '\(scope.key("skip_connection"))' on a block that keeps "
                        + "\(inputChannels) channels (ldm uses the identity there)")
            }
            skip = nil
        } else {
            let skip = try LinearLayer(scope["skip_connection"])
            try UNetShapeCheck.linear(skip, scope["skip_connection"], input: inputChannels, output: outputChannels)
            self.skip = skip
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
    }

    /// Runs the block.
    ///
    /// - Parameters:
    ///   - x: `[N, H, W, inputChannels]`.
    ///   - activatedEmbedding: `SiLU(emb)`, `[N, embeddingDimension]` (the SiLU of `emb_layers.0`
    ///     is the same for every block, so the caller applies it once).
    ///   - normFrames: Consecutive samples whose GroupNorm statistics are pooled (1 normally;
    ///     the frames of one video under the GroupNorm hack).
    /// - Returns: `[N, H, W, outputChannels]`.
    public func callAsFunction(_ x: Tensor, activatedEmbedding: Tensor, normFrames: Int) throws -> Tensor {
        var h = try inputNorm(x, framesPerGroup: normFrames, activation: .silu)
        h = try inputConv(h)
        let projected = try embeddingProjection(activatedEmbedding)
        try Self.addPerSample(projected, to: &h)
        h = try outputNorm(h, framesPerGroup: normFrames, activation: .silu)
        h = try outputConv(h)
        if let skip {
            // The 1×1 shortcut accumulates straight into h: one pass instead of conv + add.
            let linear = try skip.widened()
            let rows = x.count / inputChannels
            x.withUnsafeBufferPointer { source in
                h.withUnsafeMutableBufferPointer { destination in
                    linear.apply(
                        rows: rows, input: source.baseAddress!, inputStride: inputChannels,
                        output: destination.baseAddress!, outputStride: outputChannels, accumulate: true)
                }
            }
        } else {
            try Elementwise.addInPlace(x, to: &h)
        }
        return h
    }

    /// Adds row `n` of `vectors` (`[N, C]`) to every pixel of sample `n` of `x` (`[N, …, C]`).
    static func addPerSample(_ vectors: Tensor, to x: inout Tensor) throws {
        let samples = x.shape[0]
        let channels = x.shape[x.rank - 1]
        guard vectors.shape == [samples, channels] else {
            throw ModelError(
                .invalidInput, "timestep embedding of shape \(vectors.shape) for activations of shape \(x.shape)")
        }
        let rowsPerSample = x.count / max(1, samples * channels)
        vectors.withUnsafeBufferPointer { v in
            x.withUnsafeMutableBufferPointer { destination in
                for sample in 0..<samples {
                    Elementwise.addBias(
                        v.baseAddress! + sample * channels,
                        to: destination.baseAddress! + sample * rowsPerSample * channels,
                        rows: rowsPerSample, channels: channels, stride: channels)
                }
            }
        }
    }
}
