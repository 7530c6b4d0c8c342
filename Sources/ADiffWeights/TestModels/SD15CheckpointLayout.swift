/// An SD1.5 single-file checkpoint in the A1111/ldm layout: UNet under
/// `model.diffusion_model.`, VAE under `first_stage_model.`, text encoder under
/// `cond_stage_model.transformer.text_model.` (no EMA copy, no schedule buffers, as in
/// "pruned-emaonly" files).
public enum SD15CheckpointLayout {
    /// Recipes for every tensor of the checkpoint.
    public static func recipes(_ config: SD15CheckpointConfig) throws -> [TensorRecipe] {
        try config.validate()
        return try UNetLDMLayout.recipes(config.unet, dtype: config.dtype)
            + VAELDMLayout.recipes(config.vae, dtype: config.dtype)
            + CLIPTextLayout.recipes(
                config.textEncoder, dtype: config.dtype, includePositionIDs: config.includePositionIDs)
    }
}
