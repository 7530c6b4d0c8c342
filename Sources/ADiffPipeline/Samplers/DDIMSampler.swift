/// "DDIM", the WebUI's own timestep sampler (a1111-compat §4.6): timesteps 1, 1+c, 1+2c, …
/// (c = 1000 div steps), evaluated from the last down to index 1, so "20 steps" makes 19
/// model calls and ends at the noise level of the first timestep, as the WebUI does.
/// Works on ε directly (CFG combined on ε) and starts from unit-variance noise.
public struct DDIMSampler: Sendable {
    /// The WebUI name.
    public let name = "DDIM"
    /// "Eta for DDIM" (0: deterministic).
    public var eta: Float

    /// Creates the sampler.
    public init(eta: Float = 0) {
        self.eta = eta
    }

    /// The timesteps for `steps` steps.
    public static func timesteps(steps: Int) -> [Int] {
        let stride = 1000 / max(steps, 1)
        return Swift.stride(from: 0, to: 1000, by: max(stride, 1)).map { min($0 + 1, 999) }
    }

    /// Runs the sampler from unit-variance `noise`. The model receives `x` unscaled and the
    /// integer timestep; a fresh draw is taken every iteration, used only when eta ≠ 0.
    public func sample(
        _ noise: [Float],
        schedule: NoiseSchedule,
        steps: Int,
        model: EpsilonModel,
        draws: SamplerNoise,
        onStep: (Int) throws -> Void
    ) throws -> [Float] {
        try sample(
            noise, schedule: schedule, timesteps: Self.timesteps(steps: steps), model: model, draws: draws,
            onStep: onStep)
    }

    /// Runs the loop over `timesteps` (evaluated from the last down to index 1) from `x`,
    /// which is at the noise level of the last timestep. img2img passes the first `t_enc`
    /// timesteps with `x` noised to timestep `t_enc` (a1111-compat §4.6).
    public func sample(
        _ x: [Float],
        schedule: NoiseSchedule,
        timesteps: [Int],
        model: EpsilonModel,
        draws: SamplerNoise,
        onStep: (Int) throws -> Void
    ) throws -> [Float] {
        guard timesteps.count > 1 else { return x }
        let alphas = timesteps.map { schedule.alphasCumprod[$0] }
        let previous = [schedule.alphasCumprod[0]] + timesteps.dropLast().map { schedule.alphasCumprod[$0] }
        var x = x
        for (iteration, index) in stride(from: timesteps.count - 1, through: 1, by: -1).enumerated() {
            let epsilon = try model(x, Float(timesteps[index]))
            let alpha = alphas[index]
            let alphaPrevious = previous[index]
            let sigma = eta * ((1 - alphaPrevious) / (1 - alpha) * (1 - alpha / alphaPrevious)).squareRoot()
            let sqrtOneMinusAlpha = (1 - alpha).squareRoot()
            let sqrtAlpha = alpha.squareRoot()
            let direction = (1 - alphaPrevious - sigma * sigma).squareRoot()
            let sqrtAlphaPrevious = alphaPrevious.squareRoot()
            let fresh = draws.draw()
            x = (0..<x.count).map { i in
                let predicted = (x[i] - sqrtOneMinusAlpha * epsilon[i]) / sqrtAlpha
                return sqrtAlphaPrevious * predicted + direction * epsilon[i] + sigma * fresh[i]
            }
            try onStep(iteration)
        }
        return x
    }
}
