import ADiffTensor

/// The ldm UNet (`openaimodel.UNetModel`) of an SD checkpoint, built from its weights.
///
/// The block lists mirror ldm's exactly: `input_blocks` (a conv, then per level ResBlocks
/// with optional spatial transformers and a downsampler), `middle_block` (ResBlock,
/// transformer, ResBlock) and `output_blocks` (per level, from the deepest, ResBlocks on the
/// channel concatenation `[h, skip]` with optional transformers and an upsampler), then
/// GroupNorm-SiLU-conv. Each layer runs over the whole batch at once, so a layer's weights
/// are widened once per ``predictNoise(latents:timesteps:context:framesPerVideo:)`` call.
///
/// With a ``MotionModuleSet`` the AnimateDiff temporal modules sit where the extension splices
/// them into the ldm block lists (animatediff-behaviour.md §1.3; see ``attaching(_:)``), and a
/// v1 / HotShot set makes the ResBlock and output GroupNorms pool their statistics over the
/// frames of each video (§2.1).
public struct UNetModel: NoisePredictor {
    /// The architecture.
    public let config: UNetConfig
    /// `time_embed`.
    public let timeEmbedding: UNetTimeEmbedding
    /// `input_blocks.0.0`.
    public let inputConv: Conv2dLayer
    /// `input_blocks.1…` in order, with their motion modules.
    public internal(set) var inputBlocks: [[UNetLayer]]
    /// `middle_block`, with its motion module.
    public internal(set) var middleBlock: [UNetLayer]
    /// `output_blocks` in order, with their motion modules.
    public internal(set) var outputBlocks: [[UNetLayer]]
    /// The motion modules in the block lists, or nil for an image UNet.
    public internal(set) var motion: MotionModuleSet?
    /// `out.0` (GroupNorm32, followed by SiLU).
    public let outputNorm: NormLayer
    /// `out.2`.
    public let outputConv: Conv2dLayer

    /// Builds the UNet from ldm weights (names without `model.diffusion_model.`).
    ///
    /// - Parameters:
    ///   - parameters: The UNet's weights.
    ///   - config: The architecture; nil infers it (``UNetConfig/init(inferringFrom:)``).
    ///   - motion: Motion modules to insert (``attaching(_:)``), or nil.
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` for weights that are not an SD-style
    ///   UNet or need conditioning this model cannot take (SDXL's `label_emb`),
    ///   `.missingWeight` / `.weightShape` for a tensor that is absent or does not fit,
    ///   `.incompatibleModel` for motion modules made for another UNet.
    public init(parameters: ModelParameters, config: UNetConfig? = nil, motion: MotionModuleSet? = nil) throws {
        let config = try config ?? UNetConfig(inferringFrom: parameters)
        if let inputs = config.labelEmbeddingInputs {
            throw ModelError(
                .unsupportedArchitecture,
                "\(parameters.origin): the UNet has a label embedding (label_emb, \(inputs) inputs, as SDXL), "
                    + "which needs vector conditioning this build does not provide")
        }
        let root = parameters.scope("")
        let embedding = config.timeEmbeddingDimension
        let levelChannels = config.levelChannels
        timeEmbedding = try UNetTimeEmbedding(
            root["time_embed"], modelChannels: config.modelChannels, dimension: embedding)
        inputConv = try Conv2dLayer(root["input_blocks.0.0"], padding: 1)
        try UNetShapeCheck.conv(
            inputConv, root["input_blocks.0.0"], input: config.inputChannels, output: config.modelChannels, kernel: 3)

        func transformer(_ scope: ParameterScope, channels: Int, depth: Int) throws -> UNetLayer {
            .transformer(
                try SpatialTransformer(
                    scope, channels: channels, depth: depth, contextDimension: config.contextDimension,
                    headRule: config.attentionHeads))
        }

        var channels = config.modelChannels
        var skipChannels = [channels]
        var inputBlocks: [[UNetLayer]] = []
        var index = 1
        for level in 0..<config.levels {
            for _ in 0..<config.resBlocksPerLevel[level] {
                let scope = root["input_blocks.\(index)"]
                var layers: [UNetLayer] = [
                    .res(
                        try UNetResBlock(
                            scope["0"], inputChannels: channels, outputChannels: levelChannels[level],
                            embeddingDimension: embedding))
                ]
                channels = levelChannels[level]
                if config.transformerDepth[level] > 0 {
                    layers.append(
                        try transformer(scope["1"], channels: channels, depth: config.transformerDepth[level]))
                }
                inputBlocks.append(layers)
                skipChannels.append(channels)
                index += 1
            }
            if level != config.levels - 1 {
                inputBlocks.append([
                    .downsample(try UNetDownsample(root["input_blocks.\(index).0"], channels: channels))
                ])
                skipChannels.append(channels)
                index += 1
            }
        }

        middleBlock = [
            .res(
                try UNetResBlock(
                    root["middle_block.0"], inputChannels: channels, outputChannels: channels,
                    embeddingDimension: embedding)),
            try transformer(root["middle_block.1"], channels: channels, depth: config.middleTransformerDepth),
            .res(
                try UNetResBlock(
                    root["middle_block.2"], inputChannels: channels, outputChannels: channels,
                    embeddingDimension: embedding)),
        ]

        var outputBlocks: [[UNetLayer]] = []
        index = 0
        for level in (0..<config.levels).reversed() {
            for layer in 0...config.resBlocksPerLevel[level] {
                let scope = root["output_blocks.\(index)"]
                let skip = skipChannels.removeLast()
                var layers: [UNetLayer] = [
                    .res(
                        try UNetResBlock(
                            scope["0"], inputChannels: channels + skip, outputChannels: levelChannels[level],
                            embeddingDimension: embedding))
                ]
                channels = levelChannels[level]
                if config.transformerDepth[level] > 0 {
                    layers.append(
                        try transformer(scope["1"], channels: channels, depth: config.transformerDepth[level]))
                }
                if level != 0 && layer == config.resBlocksPerLevel[level] {
                    layers.append(.upsample(try UNetUpsample(scope["\(layers.count)"], channels: channels)))
                }
                outputBlocks.append(layers)
                index += 1
            }
        }

        outputNorm = try NormLayer(root["out.0"], kind: .group(32), epsilon: UNetResBlock.normEpsilon)
        try UNetShapeCheck.norm(outputNorm, root["out.0"], channels: channels)
        outputConv = try Conv2dLayer(root["out.2"], padding: 1)
        try UNetShapeCheck.conv(outputConv, root["out.2"], input: channels, output: config.outputChannels, kernel: 3)
        self.config = config
        self.inputBlocks = inputBlocks
        self.outputBlocks = outputBlocks
        try replaceMotion(with: motion)
    }

    /// Predicts ε (see ``NoisePredictor``).
    ///
    /// With motion modules, each run of `framesPerVideo` rows is one video (one context
    /// window of one CFG branch): the modules attend across it and, for v1 / HotShot, the
    /// ResBlock and output GroupNorms pool over it — whatever the batch holds, cond and uncond
    /// together or one branch alone.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` when shapes disagree with each other or the
    ///   model, the latent size is not a multiple of ``UNetConfig/spatialFactor``,
    ///   `framesPerVideo` does not divide the batch, or it exceeds the motion modules'
    ///   ``MotionModuleSet/maximumFrames`` (the message names both numbers).
    public func predictNoise(latents: Tensor, timesteps: [Float], context: Tensor, framesPerVideo: Int) throws
        -> Tensor
    {
        try validate(latents: latents, timesteps: timesteps, context: context, framesPerVideo: framesPerVideo)
        try motion?.validate(framesPerVideo: framesPerVideo)
        var embedding = try timeEmbedding(timesteps)
        Activation.silu.apply(inPlace: &embedding)
        let inputs = UNetForwardInputs(
            activatedEmbedding: embedding, context: context,
            normFrames: motion?.usesGroupNormHack == true ? framesPerVideo : 1, framesPerVideo: framesPerVideo)
        return try forward(latents, inputs)
    }

    /// The forward pass over the block lists.
    func forward(_ latents: Tensor, _ inputs: UNetForwardInputs) throws -> Tensor {
        func run(_ layers: [UNetLayer], _ x: Tensor) throws -> Tensor {
            var h = x
            for layer in layers { h = try layer(h, inputs) }
            return h
        }
        var h = try inputConv(latents)
        var skips = [h]
        for block in inputBlocks {
            h = try run(block, h)
            skips.append(h)
        }
        h = try run(middleBlock, h)
        for block in outputBlocks {
            // The block list mirrors the skip list, so there is always one to pop.
            h = try run(block, try Concat.channels([h, skips.removeLast()]))
        }
        h = try outputNorm(h, framesPerGroup: inputs.normFrames, activation: .silu)
        return try outputConv(h)
    }

    /// Checks the inputs of one call against each other and the model.
    func validate(latents: Tensor, timesteps: [Float], context: Tensor, framesPerVideo: Int) throws {
        guard latents.rank == 4, latents.shape[0] > 0, latents.shape[3] == config.inputChannels else {
            throw ModelError(
                .invalidInput, "latents must be [N, h, w, \(config.inputChannels)] with N ≥ 1, got \(latents.shape)")
        }
        let (samples, height, width) = (latents.shape[0], latents.shape[1], latents.shape[2])
        let factor = config.spatialFactor
        guard height > 0, width > 0, height % factor == 0, width % factor == 0 else {
            throw ModelError(
                .invalidInput,
                "latent size \(height)×\(width) must be a positive multiple of \(factor) for a UNet with "
                    + "\(config.levels) levels")
        }
        guard timesteps.count == samples else {
            throw ModelError(.invalidInput, "\(timesteps.count) timesteps for \(samples) latents")
        }
        guard timesteps.allSatisfy(\.isFinite) else {
            throw ModelError(.invalidInput, "timesteps must be finite, got \(timesteps)")
        }
        guard context.rank == 3, context.shape[0] == samples, context.shape[1] > 0,
            context.shape[2] == config.contextDimension
        else {
            throw ModelError(
                .invalidInput,
                "context must be [\(samples), tokens, \(config.contextDimension)], got \(context.shape)")
        }
        guard framesPerVideo >= 1, samples % framesPerVideo == 0 else {
            throw ModelError(
                .invalidInput, "\(framesPerVideo) frames per video do not divide the batch of \(samples) latents")
        }
    }
}
