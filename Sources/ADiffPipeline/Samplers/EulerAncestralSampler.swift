/// "Euler a": an Euler step to σ_down, then fresh noise scaled by σ_up (eta 1 by default).
public struct EulerAncestralSampler: Sampler {
    public let name = "Euler a"
    public let defaultSchedule = SigmaSchedule.uniform
    /// "Eta for k-diffusion samplers".
    public var eta: Float
    /// Scale of the added noise (`s_noise`).
    public var noiseScale: Float

    /// Creates the sampler.
    public init(eta: Float = 1, noiseScale: Float = 1) {
        self.eta = eta
        self.noiseScale = noiseScale
    }

    public func sample(
        _ x: [Float], sigmas: [Float], denoiser: inout some Denoiser, noise: SamplerNoise, onStep: (Int) throws -> Void
    ) throws -> [Float] {
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try denoiser.denoise(x, sigma: sigmas[i])
            let (down, up) = LatentMath.ancestralStep(from: sigmas[i], to: sigmas[i + 1], eta: eta)
            let d = LatentMath.derivative(x, denoised, sigma: sigmas[i])
            x = LatentMath.addScaled(x, d, down - sigmas[i])
            if sigmas[i + 1] > 0 {
                x = LatentMath.addScaled(x, noise.draw(), noiseScale * up)
            }
            try onStep(i)
        }
        return x
    }
}
