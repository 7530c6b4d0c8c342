import ADiffTensor

/// The tensors of a Hugging Face `CLIPTextModel` as SD1.5 checkpoints store it under
/// `cond_stage_model.transformer.text_model.`, including the I64 `embeddings.position_ids`
/// buffer real files carry.
public enum CLIPTextLayout {
    /// Recipes for every text-encoder tensor, names prefixed with `prefix`.
    public static func recipes(
        _ config: CLIPTextLayoutConfig, dtype: DType, includePositionIDs: Bool = true,
        prefix: String = "cond_stage_model.transformer.text_model."
    ) throws -> [TensorRecipe] {
        try config.validate()
        var builder = RecipeBuilder(dtype: dtype)
        let width = config.width
        builder.add(
            prefix + "embeddings.token_embedding.weight", [config.vocabularySize, width], .normal(standardDeviation: 1))
        builder.add(
            prefix + "embeddings.position_embedding.weight", [config.maximumPositions, width],
            .normal(standardDeviation: 1))
        if includePositionIDs {
            builder.add(prefix + "embeddings.position_ids", [1, config.maximumPositions], .arange, dtype: .int64)
        }
        for layer in 0..<config.layers {
            let p = prefix + "encoder.layers.\(layer)"
            for projection in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                builder.linear(p + ".self_attn." + projection, input: width, output: width)
            }
            builder.norm(p + ".layer_norm1", channels: width)
            builder.linear(p + ".mlp.fc1", input: width, output: config.intermediateSize)
            builder.linear(p + ".mlp.fc2", input: config.intermediateSize, output: width)
            builder.norm(p + ".layer_norm2", channels: width)
        }
        builder.norm(prefix + "final_layer_norm", channels: width)
        return builder.recipes
    }
}
