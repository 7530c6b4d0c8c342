/// A model wrapped for the k-diffusion samplers: `D(x, σ)`, the estimate of the clean latent.
///
/// The pipeline's implementation runs the UNet over context windows, combines CFG and counts
/// evaluations (the context windows rotate per evaluation); samplers only see this function.
public protocol Denoiser {
    /// The denoised estimate of `x` at noise level `sigma`. Throws to cancel.
    mutating func denoise(_ x: [Float], sigma: Float) throws -> [Float]
}

/// The UNet's noise prediction: ε for a scaled input at a (fractional) timestep.
public typealias EpsilonModel = (_ scaledInput: [Float], _ timestep: Float) throws -> [Float]

/// k-diffusion's wrapper of an ε-prediction model (a1111-compat §4.2):
/// `D(x, σ) = x − σ · ε(x / √(σ² + 1), t(σ))`.
public struct KDiffusionDenoiser: Denoiser {
    private let schedule: NoiseSchedule
    private let model: EpsilonModel

    /// Wraps `model` over the σ ↔ t table of `schedule`.
    public init(schedule: NoiseSchedule, model: @escaping EpsilonModel) {
        self.schedule = schedule
        self.model = model
    }

    /// `x − σ · ε`.
    public mutating func denoise(_ x: [Float], sigma: Float) throws -> [Float] {
        let scale = 1 / (sigma * sigma + 1).squareRoot()
        let epsilon = try model(x.map { $0 * scale }, schedule.timestep(forSigma: sigma))
        return zip(x, epsilon).map { $0 + $1 * -sigma }
    }
}

/// The LCM boundary-condition wrapper (a1111-compat §4.7): the model sees the nearest of the
/// 50 LCM timesteps, and the output mixes the x0 estimate with the input by
/// `c_skip = 0.25 / (τ² + 0.25)`, `c_out = τ / √(τ² + 0.25)`, τ = 10 t.
public struct LCMDenoiser: Denoiser {
    private let schedule: LCMSchedule
    private let model: EpsilonModel

    /// Wraps `model` over `schedule`.
    public init(schedule: LCMSchedule, model: @escaping EpsilonModel) {
        self.schedule = schedule
        self.model = model
    }

    /// `c_out · (x − σ ε) + c_skip · x`.
    public mutating func denoise(_ x: [Float], sigma: Float) throws -> [Float] {
        let scale = 1 / (sigma * sigma + 1).squareRoot()
        let timestep = schedule.timestep(forSigma: sigma)
        let epsilon = try model(x.map { $0 * scale }, timestep)
        let tau = 10 * timestep
        let cSkip = 0.25 / (tau * tau + 0.25)
        let cOut = tau / (tau * tau + 0.25).squareRoot()
        return zip(x, epsilon).map { cOut * ($0 - sigma * $1) + cSkip * $0 }
    }
}
