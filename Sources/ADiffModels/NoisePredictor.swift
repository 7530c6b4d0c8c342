import ADiffTensor

/// A model that predicts the noise in latents: the UNet, with or without motion modules.
///
/// This is the seam between the models and the sampler loop: the pipeline batches frames,
/// context windows and CFG branches into one call, and the model does not need to know which
/// is which beyond `framesPerVideo`.
public protocol NoisePredictor: Sendable {
    /// Predicts ε for every latent.
    ///
    /// - Parameters:
    ///   - latents: `[N, h, w, 4]` channels-last, the sampler's input already scaled for the
    ///     UNet (k-diffusion's `c_in`). `N = videos × framesPerVideo`; the frames of one video
    ///     (one context window of one CFG branch) are consecutive.
    ///   - timesteps: `N` (possibly fractional) UNet timesteps, one per latent.
    ///   - context: `[N, tokens, width]` text conditioning, one row block per latent.
    ///   - framesPerVideo: Frames each motion module attends across, and that the v1
    ///     GroupNorm hack pools over. Must divide `N`; 1 for an image model.
    /// - Returns: `[N, h, w, 4]`.
    /// - Throws: ``ModelError`` `.invalidInput` for inconsistent shapes or a frame count
    ///   above the motion module's maximum.
    func predictNoise(latents: Tensor, timesteps: [Float], context: Tensor, framesPerVideo: Int) throws -> Tensor
}
