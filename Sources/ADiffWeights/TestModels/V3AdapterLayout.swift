/// The AnimateDiff v3 domain adapter (`v3_sd15_adapter`): a LoRA on the image UNet's spatial
/// attention in diffusers attention-processor style,
/// `{down|mid|up}_blocks.*.attentions.*.transformer_blocks.*.{attn1|attn2}.processor.{to_q|to_k|to_v|to_out}_lora.{down|up}.weight`.
public enum V3AdapterLayout {
    /// Recipes for every tensor of the adapter file.
    public static func recipes(_ config: V3AdapterConfig) throws -> [TensorRecipe] {
        try config.validate()
        var builder = RecipeBuilder(dtype: config.dtype)
        for transformer in UNetTopology(config.unet).transformers {
            let c = transformer.channels
            for depth in 0..<config.unet.transformerDepth {
                for (attention, source) in [("attn1", c), ("attn2", config.unet.contextDimension)] {
                    let processor = "\(transformer.diffusers).transformer_blocks.\(depth).\(attention).processor."
                    for (projection, input) in [("to_q", c), ("to_k", source), ("to_v", source), ("to_out", c)] {
                        LowRankPair.diffusersProcessor(
                            &builder, processor + projection + "_lora", input: input, output: c, rank: config.rank)
                    }
                }
            }
        }
        return builder.recipes
    }
}
