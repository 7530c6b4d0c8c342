import ADiffTensor

/// The tensors of an SD1.x UNet in the ldm (A1111 single-file) layout, as found under
/// `model.diffusion_model.` in SD1.5 checkpoints: `time_embed`, `input_blocks`,
/// `middle_block`, `output_blocks`, `out`; spatial-transformer `proj_in`/`proj_out` are 1×1
/// convolutions `[C, C, 1, 1]`.
public enum UNetLDMLayout {
    /// Recipes for every UNet tensor, names prefixed with `prefix`.
    public static func recipes(_ config: UNetLayoutConfig, dtype: DType, prefix: String = "model.diffusion_model.")
        throws -> [TensorRecipe]
    {
        try config.validate()
        var builder = RecipeBuilder(dtype: dtype)
        let topology = UNetTopology(config)
        let embedding = config.timeEmbeddingDimension
        builder.linear(prefix + "time_embed.0", input: config.modelChannels, output: embedding)
        builder.linear(prefix + "time_embed.2", input: embedding, output: embedding)
        builder.conv(prefix + "input_blocks.0.0", input: config.latentChannels, output: config.modelChannels, kernel: 3)
        for block in topology.resBlocks {
            let p = prefix + block.ldm
            builder.norm(p + ".in_layers.0", channels: block.input)
            builder.conv(p + ".in_layers.2", input: block.input, output: block.output, kernel: 3)
            builder.linear(p + ".emb_layers.1", input: embedding, output: block.output)
            builder.norm(p + ".out_layers.0", channels: block.output)
            builder.conv(p + ".out_layers.3", input: block.output, output: block.output, kernel: 3)
            if block.input != block.output {
                builder.conv(p + ".skip_connection", input: block.input, output: block.output, kernel: 1)
            }
        }
        for transformer in topology.transformers {
            let p = prefix + transformer.ldm
            let c = transformer.channels
            builder.norm(p + ".norm", channels: c)
            builder.conv(p + ".proj_in", input: c, output: c, kernel: 1)
            for depth in 0..<config.transformerDepth {
                let t = p + ".transformer_blocks.\(depth)"
                for (attention, source) in [("attn1", c), ("attn2", config.contextDimension)] {
                    builder.linear(t + ".\(attention).to_q", input: c, output: c, bias: false)
                    builder.linear(t + ".\(attention).to_k", input: source, output: c, bias: false)
                    builder.linear(t + ".\(attention).to_v", input: source, output: c, bias: false)
                    builder.linear(t + ".\(attention).to_out.0", input: c, output: c)
                }
                // GEGLU: one projection to 2 × (4C), value and gate halves.
                builder.linear(t + ".ff.net.0.proj", input: c, output: 8 * c)
                builder.linear(t + ".ff.net.2", input: 4 * c, output: c)
                for norm in ["norm1", "norm2", "norm3"] { builder.norm(t + "." + norm, channels: c) }
            }
            builder.conv(p + ".proj_out", input: c, output: c, kernel: 1)
        }
        for resampler in topology.resamplers {
            builder.conv(prefix + resampler.ldm, input: resampler.channels, output: resampler.channels, kernel: 3)
        }
        builder.norm(prefix + "out.0", channels: config.modelChannels)
        builder.conv(prefix + "out.2", input: config.modelChannels, output: config.latentChannels, kernel: 3)
        return builder.recipes
    }
}
