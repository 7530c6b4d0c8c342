import Foundation

/// The LCM sampler's 50-step sub-schedule of a ``NoiseSchedule`` (a1111-compat §4.7,
/// animatediff-behaviour §12.1): valid timesteps 20k + 19, k = 0…49.
public struct LCMSchedule: Sendable {
    /// σ at the 50 valid timesteps, ascending.
    public let sigmas: [Float]
    private let logSigmas: [Float]

    /// Takes every 20th entry (19, 39, …, 999) of the full schedule.
    public init(_ schedule: NoiseSchedule) {
        sigmas = (0..<50).map { schedule.sigmas[20 * $0 + 19] }
        logSigmas = sigmas.map { logf($0) }
    }

    /// The valid timestep nearest to σ in log space.
    public func timestep(forSigma sigma: Float) -> Float {
        let logSigma = logf(sigma)
        var best = 0
        for index in logSigmas.indices where abs(logSigma - logSigmas[index]) < abs(logSigma - logSigmas[best]) {
            best = index
        }
        return Float(20 * best + 19)
    }

    /// σ at a (fractional) timestep by log-linear interpolation between valid timesteps.
    public func sigma(forTimestep t: Float) -> Float {
        let position = min(max((t - 19) / 20, 0), 49)
        let low = Int(position.rounded(.down))
        let high = Int(position.rounded(.up))
        let weight = position - position.rounded(.down)
        return expf((1 - weight) * logSigmas[low] + weight * logSigmas[high])
    }

    /// σ for `steps` steps: timesteps evenly spaced from 999 down to 19, then 0.
    public func sigmas(steps: Int) -> [Float] {
        FloatLinspace.values(999, 19, count: steps).map(sigma(forTimestep:)) + [0]
    }
}
