import ADiffTensor

/// The autoencoder's decoder (ldm `Decoder`): `conv_in`, the mid block, levels from the
/// lowest resolution up, each with ResnetBlocks and (except level 0) a nearest ×2 upsampling
/// followed by a 3×3 convolution, GroupNorm + SiLU, `conv_out`.
struct VAEDecoder: Sendable {
    /// One resolution level (`up.N`; applied from the highest N down to 0).
    struct Level: Sendable {
        let blocks: [VAEResnetBlock]
        /// The convolution after the upsampling (`upsample.conv`), if the level has one.
        let upsample: Conv2dLayer?
    }

    let convIn: Conv2dLayer
    let middle: VAEMidBlock
    /// Levels in file order (`up.0` first); ``callAsFunction(_:)`` runs them in reverse.
    let levels: [Level]
    let normOut: NormLayer
    let convOut: Conv2dLayer

    /// Doublings of the resolution.
    var upsamplings: Int { levels.filter { $0.upsample != nil }.count }

    /// The decoder under `scope` (the `decoder` scope); levels and blocks are counted from the keys.
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, `.weightShape` when channels do not chain,
    ///   `.unsupportedArchitecture` when there are no levels.
    init(_ scope: ParameterScope) throws {
        let origin = scope.parameters.origin
        convIn = try Conv2dLayer(scope["conv_in"], padding: 1)
        middle = try VAEMidBlock(scope["mid"])
        guard middle.channels == convIn.outputChannels else {
            throw ModelError(.weightShape, "\(origin): the decoder's conv_in and mid block differ in channels")
        }
        var levels: [Level] = []
        while scope["up"][levels.count]["block"][0]["conv1"].contains("weight") {
            let level = scope["up"][levels.count]
            var blocks: [VAEResnetBlock] = []
            while level["block"][blocks.count]["conv1"].contains("weight") {
                blocks.append(try VAEResnetBlock(level["block"][blocks.count]))
            }
            let upsample =
                level["upsample"]["conv"].contains("weight")
                ? try Conv2dLayer(level["upsample"]["conv"], padding: 1) : nil
            levels.append(Level(blocks: blocks, upsample: upsample))
        }
        guard !levels.isEmpty else {
            throw ModelError(.unsupportedArchitecture, "\(origin): no '\(scope.key("up.0.block.0.conv1.weight"))'")
        }
        // Check the chain in execution order.
        var channels = middle.channels
        for (index, level) in levels.enumerated().reversed() {
            for (number, block) in level.blocks.enumerated() {
                guard block.inputChannels == channels else {
                    throw ModelError(
                        .weightShape,
                        "\(origin): '\(scope.prefix)up.\(index).block.\(number)' takes \(block.inputChannels) channels, not \(channels)"
                    )
                }
                channels = block.outputChannels
            }
            if let upsample = level.upsample, upsample.inputChannels != channels || upsample.outputChannels != channels
            {
                throw ModelError(
                    .weightShape,
                    "\(origin): '\(scope.prefix)up.\(index).upsample.conv' does not keep \(channels) channels")
            }
        }
        normOut = try NormLayer(scope["norm_out"], kind: .group(32), epsilon: 1e-6)
        convOut = try Conv2dLayer(scope["conv_out"], padding: 1)
        guard normOut.channels == channels, convOut.inputChannels == channels else {
            throw ModelError(.weightShape, "\(origin): the decoder's output does not take \(channels) channels")
        }
        self.levels = levels
    }

    /// `[N, h, w, latent]` (after `post_quant_conv`) → `[N, h·f, w·f, imageChannels]`, unclamped.
    func callAsFunction(_ latent: Tensor) throws -> Tensor {
        var hidden = try middle(try convIn(latent))
        for level in levels.reversed() {
            for block in level.blocks { hidden = try block(hidden) }
            if let upsample = level.upsample { hidden = try upsample(try Resampling.upsampleNearest2x(hidden)) }
        }
        return try convOut(try normOut(hidden, activation: .silu))
    }
}
