import ADiffTensor

/// The VAE as the pipeline needs it: one frame at a time, in the UNet's latent scale.
public protocol LatentCodec: Sendable {
    /// Decodes one frame: `[1, h, w, 4]` latents (already divided by nothing: the codec applies
    /// its own scale factor) → `[1, 8h, 8w, 3]` pixels in about [−1, 1].
    func decode(_ latent: Tensor) throws -> Tensor
    /// Encodes one image `[1, H, W, 3]` in [−1, 1] → `[1, H/8, W/8, 4]` latents in the UNet's
    /// scale (the posterior mean times the scale factor; the WebUI adds noise of std ≈ 1e-3
    /// from an unseeded generator, which cannot be reproduced and is left out).
    func encode(_ image: Tensor) throws -> Tensor
}
