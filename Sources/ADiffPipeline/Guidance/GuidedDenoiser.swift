/// A k-diffusion denoiser `D(x, σ)` over ``WindowedGuidance``: the sampler-facing side of
/// a video generation.
///
/// Each branch's ε becomes a denoised estimate with the parameterisation's wrapper
/// (k-diffusion's eps wrapper, or LCM's boundary condition), then CFG combines them as the
/// WebUI does, on the denoised values: `U + (C − U) · (weight · scale)`.
public struct GuidedDenoiser: Denoiser {
    /// How ε maps to a denoised estimate.
    public enum Parameterization: Sendable {
        /// `D = x − σ·ε(x·c_in, t(σ))` with k-diffusion's fractional t (a1111-compat §4.2).
        case epsilon(NoiseSchedule)
        /// LCM: the nearest of its 50 timesteps and `c_out·(x − σ·ε) + c_skip·x` (§4.7).
        case lcm(LCMSchedule)
    }

    private let guidance: WindowedGuidance
    private let parameterization: Parameterization
    private let scale: Float

    /// Wraps `guidance` with CFG scale `scale`.
    public init(guidance: WindowedGuidance, parameterization: Parameterization, scale: Float) {
        self.guidance = guidance
        self.parameterization = parameterization
        self.scale = scale
    }

    /// The guided denoised estimate of every latent row.
    public mutating func denoise(_ x: [Float], sigma: Float) throws -> [Float] {
        let cIn = 1 / (sigma * sigma + 1).squareRoot()
        let timestep: Float
        switch parameterization {
        case .epsilon(let schedule): timestep = schedule.timestep(forSigma: sigma)
        case .lcm(let schedule): timestep = schedule.timestep(forSigma: sigma)
        }
        let (cond, uncond) = try guidance.predict(scaledInput: x.map { $0 * cIn }, timestep: timestep)
        let denoisedCond = denoised(x, cond, sigma: sigma, timestep: timestep)
        guard let uncond else { return denoisedCond }
        let denoisedUncond = denoised(x, uncond, sigma: sigma, timestep: timestep)
        return guidance.combine(cond: denoisedCond, uncond: denoisedUncond, scale: scale)
    }

    private func denoised(_ x: [Float], _ epsilon: [Float], sigma: Float, timestep: Float) -> [Float] {
        switch parameterization {
        case .epsilon:
            return zip(x, epsilon).map { $0 + $1 * -sigma }
        case .lcm:
            let tau = 10 * timestep
            let cSkip = 0.25 / (tau * tau + 0.25)
            let cOut = tau / (tau * tau + 0.25).squareRoot()
            return zip(x, epsilon).map { cOut * ($0 - sigma * $1) + cSkip * $0 }
        }
    }
}
