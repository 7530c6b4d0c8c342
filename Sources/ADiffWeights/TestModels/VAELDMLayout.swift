import ADiffTensor

/// The tensors of the SD KL autoencoder in the ldm layout (`first_stage_model.` in SD1.5
/// checkpoints): `encoder.*`, `decoder.*`, `quant_conv`, `post_quant_conv`; the mid-block
/// attention's `q`/`k`/`v`/`proj_out` are 1×1 convolutions `[C, C, 1, 1]`.
public enum VAELDMLayout {
    /// Recipes for every VAE tensor, names prefixed with `prefix`.
    public static func recipes(_ config: VAELayoutConfig, dtype: DType, prefix: String = "first_stage_model.") throws
        -> [TensorRecipe]
    {
        try config.validate()
        var builder = RecipeBuilder(dtype: dtype)
        func resnet(_ p: String, _ input: Int, _ output: Int) {
            builder.norm(p + ".norm1", channels: input)
            builder.conv(p + ".conv1", input: input, output: output, kernel: 3)
            builder.norm(p + ".norm2", channels: output)
            builder.conv(p + ".conv2", input: output, output: output, kernel: 3)
            if input != output { builder.conv(p + ".nin_shortcut", input: input, output: output, kernel: 1) }
        }
        func middle(_ p: String, _ channels: Int) {
            resnet(p + ".mid.block_1", channels, channels)
            builder.norm(p + ".mid.attn_1.norm", channels: channels)
            for projection in ["q", "k", "v", "proj_out"] {
                builder.conv(p + ".mid.attn_1." + projection, input: channels, output: channels, kernel: 1)
            }
            resnet(p + ".mid.block_2", channels, channels)
        }
        let base = config.baseChannels
        let levels = config.channelMultipliers.count
        let z = config.latentChannels

        let encoder = prefix + "encoder"
        builder.conv(encoder + ".conv_in", input: config.imageChannels, output: base, kernel: 3)
        var channels = base
        for (level, multiplier) in config.channelMultipliers.enumerated() {
            for block in 0..<config.layersPerBlock {
                resnet(encoder + ".down.\(level).block.\(block)", channels, multiplier * base)
                channels = multiplier * base
            }
            if level != levels - 1 {
                builder.conv(encoder + ".down.\(level).downsample.conv", input: channels, output: channels, kernel: 3)
            }
        }
        middle(encoder, channels)
        builder.norm(encoder + ".norm_out", channels: channels)
        builder.conv(encoder + ".conv_out", input: channels, output: 2 * z, kernel: 3)

        builder.conv(prefix + "quant_conv", input: 2 * z, output: 2 * z, kernel: 1)
        builder.conv(prefix + "post_quant_conv", input: z, output: z, kernel: 1)

        let decoder = prefix + "decoder"
        channels = base * config.channelMultipliers[levels - 1]
        builder.conv(decoder + ".conv_in", input: z, output: channels, kernel: 3)
        middle(decoder, channels)
        for level in (0..<levels).reversed() {
            let output = base * config.channelMultipliers[level]
            for block in 0...config.layersPerBlock {
                resnet(decoder + ".up.\(level).block.\(block)", channels, output)
                channels = output
            }
            if level != 0 {
                builder.conv(decoder + ".up.\(level).upsample.conv", input: channels, output: channels, kernel: 3)
            }
        }
        builder.norm(decoder + ".norm_out", channels: channels)
        builder.conv(decoder + ".conv_out", input: channels, output: config.imageChannels, kernel: 3)
        return builder.recipes
    }
}
