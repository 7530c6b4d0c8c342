/// "Heun": an Euler predictor to σ′, a second evaluation there, and the averaged slope; the
/// last step (σ′ = 0) is plain Euler. One (unused) draw per step, as k-diffusion does.
public struct HeunSampler: Sampler {
    public let name = "Heun"
    public let defaultSchedule = SigmaSchedule.uniform

    /// Creates the sampler.
    public init() {}

    public func sample(
        _ x: [Float], sigmas: [Float], denoiser: inout some Denoiser, noise: SamplerNoise, onStep: (Int) throws -> Void
    ) throws -> [Float] {
        var x = x
        for i in 0..<(sigmas.count - 1) {
            _ = noise.draw()
            let sigma = sigmas[i]
            let next = sigmas[i + 1]
            let denoised = try denoiser.denoise(x, sigma: sigma)
            let d = LatentMath.derivative(x, denoised, sigma: sigma)
            let dt = next - sigma
            if next == 0 {
                x = LatentMath.addScaled(x, d, dt)
            } else {
                let predicted = LatentMath.addScaled(x, d, dt)
                let denoised2 = try denoiser.denoise(predicted, sigma: next)
                let d2 = LatentMath.derivative(predicted, denoised2, sigma: next)
                let slope = zip(d, d2).map { ($0 + $1) / 2 }
                x = LatentMath.addScaled(x, slope, dt)
            }
            try onStep(i)
        }
        return x
    }
}
