/// The blocks of an SD1.x UNet with both their ldm (A1111) and diffusers module paths, so the
/// checkpoint layout and the diffusers-named LoRA layouts come from one enumeration.
struct UNetTopology {
    /// A ResBlock / `ResnetBlock2D`.
    struct ResBlock {
        let ldm: String
        let diffusers: String
        let input: Int
        let output: Int
    }

    /// A SpatialTransformer / `Transformer2DModel`.
    struct Transformer {
        let ldm: String
        let diffusers: String
        let channels: Int
    }

    /// The 3×3 convolution of a Downsample or Upsample block (full module paths).
    struct Resampler {
        let ldm: String
        let diffusers: String
        let channels: Int
    }

    private(set) var resBlocks: [ResBlock] = []
    private(set) var transformers: [Transformer] = []
    private(set) var resamplers: [Resampler] = []

    /// Walks the ldm UNet constructor's loops (`openaimodel.UNetModel.__init__`).
    init(_ config: UNetLayoutConfig) {
        let levels = config.channelMultipliers.count
        let attention = Set(config.attentionLevels)
        var channels = config.modelChannels
        var skips = [channels]
        var index = 1
        for (level, multiplier) in config.channelMultipliers.enumerated() {
            let output = multiplier * config.modelChannels
            for layer in 0..<config.layersPerBlock {
                resBlocks.append(
                    .init(
                        ldm: "input_blocks.\(index).0", diffusers: "down_blocks.\(level).resnets.\(layer)",
                        input: channels, output: output))
                channels = output
                if attention.contains(level) {
                    transformers.append(
                        .init(
                            ldm: "input_blocks.\(index).1", diffusers: "down_blocks.\(level).attentions.\(layer)",
                            channels: channels))
                }
                skips.append(channels)
                index += 1
            }
            if level != levels - 1 {
                resamplers.append(
                    .init(
                        ldm: "input_blocks.\(index).0.op", diffusers: "down_blocks.\(level).downsamplers.0.conv",
                        channels: channels))
                skips.append(channels)
                index += 1
            }
        }
        resBlocks.append(
            .init(ldm: "middle_block.0", diffusers: "mid_block.resnets.0", input: channels, output: channels))
        transformers.append(.init(ldm: "middle_block.1", diffusers: "mid_block.attentions.0", channels: channels))
        resBlocks.append(
            .init(ldm: "middle_block.2", diffusers: "mid_block.resnets.1", input: channels, output: channels))
        index = 0
        for level in (0..<levels).reversed() {
            let up = levels - 1 - level
            let output = config.channelMultipliers[level] * config.modelChannels
            for layer in 0...config.layersPerBlock {
                let skip = skips.removeLast()
                resBlocks.append(
                    .init(
                        ldm: "output_blocks.\(index).0", diffusers: "up_blocks.\(up).resnets.\(layer)",
                        input: channels + skip, output: output))
                channels = output
                var slot = 1
                if attention.contains(level) {
                    transformers.append(
                        .init(
                            ldm: "output_blocks.\(index).1", diffusers: "up_blocks.\(up).attentions.\(layer)",
                            channels: channels))
                    slot = 2
                }
                if level != 0 && layer == config.layersPerBlock {
                    resamplers.append(
                        .init(
                            ldm: "output_blocks.\(index).\(slot).conv", diffusers: "up_blocks.\(up).upsamplers.0.conv",
                            channels: channels))
                }
                index += 1
            }
        }
    }
}
