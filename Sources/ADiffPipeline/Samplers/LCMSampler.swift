/// "LCM": `x ← D(x)`, then fresh noise at the next σ (a1111-compat §4.7). Use it with
/// ``LCMDenoiser``.
public struct LCMSampler: Sampler {
    public let name = "LCM"
    public let defaultSchedule = SigmaSchedule.automatic

    /// Creates the sampler.
    public init() {}

    public func sample(
        _ x: [Float], sigmas: [Float], denoiser: inout some Denoiser, noise: SamplerNoise, onStep: (Int) throws -> Void
    ) throws -> [Float] {
        var x = x
        for i in 0..<(sigmas.count - 1) {
            x = try denoiser.denoise(x, sigma: sigmas[i])
            if sigmas[i + 1] > 0 {
                x = LatentMath.addScaled(x, noise.draw(), sigmas[i + 1])
            }
            try onStep(i)
        }
        return x
    }
}
