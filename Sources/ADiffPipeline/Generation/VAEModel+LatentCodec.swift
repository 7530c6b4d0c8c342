import ADiffModels
import ADiffTensor

/// The VAE decodes and encodes one frame at a time for the pipeline, clamped to [−1, 1] as
/// the WebUI does before it maps pixels to [0, 1].
extension VAEModel: LatentCodec {
    /// Decodes one `[1, h, w, 4]` latent into a `[1, 8h, 8w, 3]` image in [−1, 1].
    public func decode(_ latent: Tensor) throws -> Tensor {
        try decode(latent, clamped: true, tiling: nil)
    }

    /// Encodes one `[1, H, W, 3]` image into its posterior-mean latent times the scale factor.
    public func encode(_ image: Tensor) throws -> Tensor {
        try encode(image, noise: nil)
    }
}
