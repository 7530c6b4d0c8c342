/// "Euler": `x ← x + (x − D)/σ · (σ′ − σ)`. k-diffusion draws one (unused) noise tensor per
/// step even without churn; the draw is kept so later draws line up with the WebUI.
public struct EulerSampler: Sampler {
    public let name = "Euler"
    public let defaultSchedule = SigmaSchedule.uniform

    /// Creates the sampler.
    public init() {}

    public func sample(
        _ x: [Float], sigmas: [Float], denoiser: inout some Denoiser, noise: SamplerNoise, onStep: (Int) throws -> Void
    ) throws -> [Float] {
        var x = x
        for i in 0..<(sigmas.count - 1) {
            _ = noise.draw()
            let denoised = try denoiser.denoise(x, sigma: sigmas[i])
            let d = LatentMath.derivative(x, denoised, sigma: sigmas[i])
            x = LatentMath.addScaled(x, d, sigmas[i + 1] - sigmas[i])
            try onStep(i)
        }
        return x
    }
}
