/// A motion LoRA in the official AnimateDiff `v2_lora_*` layout (diffusers attention-processor
/// style): `{module}.temporal_transformer.transformer_blocks.0.attention_blocks.{a}.processor.{to_q|to_k|to_v|to_out}_lora.{down|up}.weight`,
/// down `[r, C]`, up `[C, r]`, no alpha.
public enum MotionLoRALayout {
    /// Recipes for every tensor of the LoRA file.
    public static func recipes(_ config: MotionLoRAConfig) throws -> [TensorRecipe] {
        try config.validate()
        var builder = RecipeBuilder(dtype: config.dtype)
        for module in MotionModuleLayout.modules(config.motionModule) {
            for attention in 0..<2 {
                let processor = module.prefix + "transformer_blocks.0.attention_blocks.\(attention).processor."
                for projection in ["to_q", "to_k", "to_v", "to_out"] {
                    LowRankPair.diffusersProcessor(
                        &builder, processor + projection + "_lora", input: module.channels, output: module.channels,
                        rank: config.rank
                    )
                }
            }
        }
        return builder.recipes
    }
}
