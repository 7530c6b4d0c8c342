/// A request's `sampler_name` + `scheduler` resolved to an algorithm family the pipeline can
/// drive: k-diffusion samplers over a σ schedule, LCM over its own 50-step table, or the
/// WebUI's DDIM timestep sampler.
public struct SamplerChoice: Sendable {
    /// The algorithm family.
    public enum Kind: Sendable {
        /// A k-diffusion sampler on a σ schedule.
        case kDiffusion(any Sampler, SigmaSchedule)
        /// A1111's LCM sampler with the LCM boundary-condition denoiser.
        case lcm
        /// A1111's DDIM (ε-space, timesteps 1, 1+c, …).
        case ddim
    }

    /// The family and its parts.
    public let kind: Kind
    /// The sampler's WebUI name without a schedule suffix (infotext `Sampler`).
    public let name: String
    /// The infotext `Schedule type`: the resolved schedule's label for k-diffusion samplers
    /// whose choice is explicit or has a default other than the plain model schedule, else
    /// the request's value.
    public let scheduleLabel: String

    /// Resolves the names as the WebUI does (old suffixed names included).
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` naming `sampler_name` or `scheduler`,
    ///   `.unsupported` for LCM with a schedule other than Automatic.
    public init(samplerName: String, scheduler: String) throws {
        if samplerName == "DDIM" {
            guard SigmaSchedule(webUIName: scheduler) != nil else {
                throw PipelineError(.invalidParameter, "unknown schedule type \"\(scheduler)\"", field: "scheduler")
            }
            kind = .ddim
            name = "DDIM"
            scheduleLabel = scheduler
            return
        }
        let choice = try SamplerCatalog.resolve(sampler: samplerName, schedule: scheduler)
        name = choice.sampler.name
        if choice.sampler is LCMSampler {
            guard choice.schedule == .automatic else {
                throw PipelineError(
                    .unsupported, "LCM runs on its own schedule; scheduler must be Automatic, got \"\(scheduler)\"",
                    field: "scheduler")
            }
            kind = .lcm
            scheduleLabel = "Automatic"
            return
        }
        kind = .kDiffusion(choice.sampler, choice.schedule)
        let explicit = SigmaSchedule(webUIName: scheduler) != .automatic
        scheduleLabel = explicit || choice.schedule != .uniform ? choice.schedule.rawValue : "Automatic"
    }

    /// Whether the sampler evaluates the model twice per step (prompt-editing steps double).
    public var isSecondOrder: Bool {
        if case .kDiffusion(let sampler, _) = kind { return sampler is HeunSampler || sampler is DPMPPSDESampler }
        return false
    }

    /// Whether the sampler takes Brownian-tree noise.
    public var usesBrownianNoise: Bool {
        if case .kDiffusion(let sampler, _) = kind { return sampler is DPMPPSDESampler }
        return false
    }

    /// Whether the sampler's infotext shows ENSD (ancestral samplers, with eta ≠ 0).
    public var showsENSD: Bool {
        if case .kDiffusion(let sampler, _) = kind { return sampler is EulerAncestralSampler }
        return false
    }

    /// The k-diffusion sampler with the request's eta applied where the algorithm has one.
    func sampler(eta: Double?) -> (any Sampler)? {
        guard case .kDiffusion(let sampler, _) = kind else { return nil }
        guard let eta else { return sampler }
        switch sampler {
        case is EulerAncestralSampler: return EulerAncestralSampler(eta: Float(eta))
        case is DPMPPSDESampler: return DPMPPSDESampler(eta: Float(eta))
        default: return sampler
        }
    }
}
