import Foundation

/// The WebUI's "Schedule type": how `n` sampling steps pick their σ values
/// (a1111-compat §4.3). Every schedule returns `n + 1` values ending in 0, except KL Optimal,
/// which ends at σ_min.
public enum SigmaSchedule: String, Sendable, Codable, CaseIterable {
    case automatic = "Automatic"
    case uniform = "Uniform"
    case karras = "Karras"
    case exponential = "Exponential"
    case polyexponential = "Polyexponential"
    case sgmUniform = "SGM Uniform"
    case klOptimal = "KL Optimal"
    case alignYourSteps = "Align Your Steps"
    case simple = "Simple"
    case normal = "Normal"
    case ddim = "DDIM"

    /// Accepts the label, the internal name and the aliases the WebUI accepts.
    public init?(webUIName name: String) {
        let aliases: [String: SigmaSchedule] = [
            "uniform": .uniform, "karras": .karras, "exponential": .exponential,
            "polyexponential": .polyexponential, "sgm_uniform": .sgmUniform, "SGMUniform": .sgmUniform,
            "kl_optimal": .klOptimal, "align_your_steps": .alignYourSteps, "simple": .simple,
            "normal": .normal, "ddim": .ddim, "automatic": .automatic,
        ]
        if let schedule = SigmaSchedule(rawValue: name) ?? aliases[name] {
            self = schedule
        } else {
            return nil
        }
    }

    /// Overrides of the schedule's end points and ρ ("Schedule min/max sigma", "Schedule rho");
    /// nil means the model's σ_min/σ_max and the schedule's own ρ.
    public struct Options: Sendable, Equatable {
        public var sigmaMin: Float?
        public var sigmaMax: Float?
        public var rho: Float?

        /// No overrides.
        public init(sigmaMin: Float? = nil, sigmaMax: Float? = nil, rho: Float? = nil) {
            self.sigmaMin = sigmaMin
            self.sigmaMax = sigmaMax
            self.rho = rho
        }
    }

    /// The σ values for `steps` steps on `schedule`; `.automatic` must be resolved by the
    /// sampler first (it means Uniform here).
    public func sigmas(steps: Int, schedule: NoiseSchedule, options: Options = Options()) -> [Float] {
        let sigmaMin = options.sigmaMin ?? schedule.sigmaMin
        let sigmaMax = options.sigmaMax ?? schedule.sigmaMax
        let n = steps
        switch self {
        case .automatic, .uniform:
            let top = Float(schedule.sigmas.count - 1)
            return FloatLinspace.values(top, 0, count: n).map(schedule.sigma(forTimestep:)) + [0]
        case .karras:
            let rho = options.rho ?? 7
            let minInverse = Float(pow(Double(sigmaMin), 1 / Double(rho)))
            let maxInverse = Float(pow(Double(sigmaMax), 1 / Double(rho)))
            return FloatLinspace.values(0, 1, count: n).map { ramp in
                powf(maxInverse + ramp * (minInverse - maxInverse), rho)
            } + [0]
        case .exponential:
            return FloatLinspace.values(Float(log(Double(sigmaMax))), Float(log(Double(sigmaMin))), count: n)
                .map { expf($0) } + [0]
        case .polyexponential:
            let rho = options.rho ?? 1
            let logMax = Float(log(Double(sigmaMax)))
            let logMin = Float(log(Double(sigmaMin)))
            return FloatLinspace.values(1, 0, count: n).map { ramp in
                expf(powf(ramp, rho) * (logMax - logMin) + logMin)
            } + [0]
        case .sgmUniform:
            let start = schedule.timestep(forSigma: sigmaMax)
            let end = schedule.timestep(forSigma: sigmaMin)
            return FloatLinspace.values(start, end, count: n + 1).prefix(n).map(schedule.sigma(forTimestep:)) + [0]
        case .normal:
            let start = schedule.timestep(forSigma: sigmaMax)
            let end = schedule.timestep(forSigma: sigmaMin)
            return FloatLinspace.values(start, end, count: n).map(schedule.sigma(forTimestep:)) + [0]
        case .klOptimal:
            let atanMin = atan(Double(sigmaMin))
            let atanMax = atan(Double(sigmaMax))
            return (0...n).map { i in
                let fraction = Double(i) / Double(n)
                return Float(tan(fraction * atanMin + (1 - fraction) * atanMax))
            }
        case .alignYourSteps:
            return Self.alignYourSteps(steps: n)
        case .simple:
            let count = schedule.sigmas.count
            return (0..<n).map { x in
                schedule.sigmas[count - 1 - Int(Double(x) * Double(count) / Double(n))]
            } + [0]
        case .ddim:
            let stride = max(schedule.sigmas.count / n, 1)
            var values: [Float] = []
            var index = 1
            while index < schedule.sigmas.count {
                values.append(schedule.sigmas[index])
                index += stride
            }
            return values.reversed() + [0]
        }
    }

    /// The SD1.5 Align Your Steps list, log-linearly resampled to `steps` points.
    private static func alignYourSteps(steps: Int) -> [Float] {
        let base: [Double] = [14.615, 6.475, 3.861, 2.697, 1.886, 1.396, 0.963, 0.652, 0.399, 0.152, 0.029]
        guard steps != base.count else { return base.map(Float.init) + [0] }
        let logs = base.map { log($0) }
        let values: [Float] = (0..<steps).map { i in
            let x = steps == 1 ? 0 : Double(i) / Double(steps - 1) * Double(base.count - 1)
            let lower = min(Int(x), base.count - 2)
            let fraction = x - Double(lower)
            return Float(exp(logs[lower] + fraction * (logs[lower + 1] - logs[lower])))
        }
        return values + [0]
    }
}
