/// Where a sampler's fresh noise comes from during sampling.
///
/// `draw` is the next draw of every frame's generator, stacked (the WebUI's `ImageRNG.next()`);
/// samplers call it exactly as often as k-diffusion does, used or not, so later draws line up.
/// `brownian` is the Brownian-tree noise between two σ values for the SDE samplers.
public struct SamplerNoise {
    /// The next stacked draw, one value per latent element.
    public var draw: () -> [Float]
    /// Brownian noise for a step from σ to σ′ (σ > σ′), normalised to unit variance.
    public var brownian: (_ sigma: Float, _ nextSigma: Float) -> [Float]

    /// Creates a noise source from its two functions.
    public init(draw: @escaping () -> [Float], brownian: @escaping (_ sigma: Float, _ nextSigma: Float) -> [Float]) {
        self.draw = draw
        self.brownian = brownian
    }
}
