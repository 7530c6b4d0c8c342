import ADiffTensor

/// The autoencoder's encoder (ldm `Encoder`, `double_z`): `conv_in`, per level ResnetBlocks and
/// (except the last level) a stride-2 3×3 convolution after zero padding of one row at the
/// bottom and one column at the right only, the mid block, GroupNorm + SiLU, `conv_out` to the
/// mean and log-variance channels.
struct VAEEncoder: Sendable {
    /// One resolution level.
    struct Level: Sendable {
        let blocks: [VAEResnetBlock]
        /// The downsampling convolution (`downsample.conv`), if the level has one.
        let downsample: Conv2dLayer?
    }

    let convIn: Conv2dLayer
    let levels: [Level]
    let middle: VAEMidBlock
    let normOut: NormLayer
    let convOut: Conv2dLayer

    /// Halvings of the resolution.
    var downsamplings: Int { levels.filter { $0.downsample != nil }.count }

    /// The encoder under `scope` (the `encoder` scope); levels and blocks are counted from the keys.
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, `.weightShape` when channels do not chain,
    ///   `.unsupportedArchitecture` when there are no levels.
    init(_ scope: ParameterScope) throws {
        let origin = scope.parameters.origin
        convIn = try Conv2dLayer(scope["conv_in"], padding: 1)
        var levels: [Level] = []
        var channels = convIn.outputChannels
        while scope["down"][levels.count]["block"][0]["conv1"].contains("weight") {
            let level = scope["down"][levels.count]
            var blocks: [VAEResnetBlock] = []
            while level["block"][blocks.count]["conv1"].contains("weight") {
                let block = try VAEResnetBlock(level["block"][blocks.count])
                guard block.inputChannels == channels else {
                    throw ModelError(
                        .weightShape,
                        "\(origin): '\(level.prefix)block.\(blocks.count)' takes \(block.inputChannels) channels, not \(channels)"
                    )
                }
                channels = block.outputChannels
                blocks.append(block)
            }
            var downsample: Conv2dLayer?
            if level["downsample"]["conv"].contains("weight") {
                let conv = try Conv2dLayer(level["downsample"]["conv"], stride: 2, padding: 0)
                guard conv.inputChannels == channels, conv.outputChannels == channels else {
                    throw ModelError(
                        .weightShape, "\(origin): '\(level.prefix)downsample.conv' does not keep \(channels) channels")
                }
                downsample = conv
            }
            levels.append(Level(blocks: blocks, downsample: downsample))
        }
        guard !levels.isEmpty else {
            throw ModelError(.unsupportedArchitecture, "\(origin): no '\(scope.key("down.0.block.0.conv1.weight"))'")
        }
        middle = try VAEMidBlock(scope["mid"])
        normOut = try NormLayer(scope["norm_out"], kind: .group(32), epsilon: 1e-6)
        convOut = try Conv2dLayer(scope["conv_out"], padding: 1)
        guard middle.channels == channels, normOut.channels == channels, convOut.inputChannels == channels else {
            throw ModelError(
                .weightShape, "\(origin): the encoder's mid block and output do not take \(channels) channels")
        }
        self.levels = levels
    }

    /// `[N, H, W, imageChannels]` → `[N, H/f, W/f, 2·latent]` (before `quant_conv`).
    func callAsFunction(_ image: Tensor) throws -> Tensor {
        var hidden = try convIn(image)
        for level in levels {
            for block in level.blocks { hidden = try block(hidden) }
            if let downsample = level.downsample {
                // ldm pads (0, 1, 0, 1): right and bottom only, then a valid stride-2 conv.
                let conv = try downsample.widened()
                hidden = try Conv2d(
                    weights: conv.weights, stride: 2, padding: Conv2d.Padding(top: 0, left: 0, bottom: 1, right: 1)
                )(hidden)
            }
        }
        hidden = try middle(hidden)
        return try convOut(try normOut(hidden, activation: .silu))
    }
}
