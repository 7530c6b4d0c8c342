import ADiffTensor

/// The σ values or timesteps a request samples, and how a video's sampler loop runs over
/// them, for the three families (a1111-compat §4.5–4.9): k-diffusion samplers on a σ
/// schedule, LCM on its own table, DDIM on its timestep grid. img2img starts part-way, with
/// the WebUI's step arithmetic.
struct SamplingPlan {
    private let choice: SamplerChoice
    private let schedule: NoiseSchedule
    private let eta: Double?
    /// σ values actually sampled (k-diffusion, LCM).
    private let sigmas: [Float]
    /// The full σ schedule (the Brownian tree spans it even for img2img).
    private let fullSigmas: [Float]
    /// Timesteps actually sampled (DDIM) and the one img2img noises to.
    private let timesteps: [Int]
    private let noiseTimestep: Int

    init(request: GenerationRequest, choice: SamplerChoice, schedule: NoiseSchedule) {
        self.choice = choice
        self.schedule = schedule
        eta = request.eta
        let steps = request.steps
        let encodeSteps = request.isImageToImage ? Int(min(request.denoisingStrength, 0.999) * Double(steps)) : nil
        switch choice.kind {
        case .kDiffusion(_, let sigmaSchedule):
            fullSigmas = sigmaSchedule.sigmas(steps: steps, schedule: schedule)
        case .lcm:
            fullSigmas = LCMSchedule(schedule).sigmas(steps: steps)
        case .ddim:
            fullSigmas = []
        }
        if let encodeSteps {
            sigmas = fullSigmas.isEmpty ? [] : Array(fullSigmas[(steps - encodeSteps - 1)...])
        } else {
            sigmas = fullSigmas
        }
        let grid = DDIMSampler.timesteps(steps: steps)
        if let encodeSteps {
            timesteps = Array(grid.prefix(encodeSteps))
            noiseTimestep = grid[min(encodeSteps, grid.count - 1)]
        } else {
            timesteps = grid
            noiseTimestep = grid[grid.count - 1]
        }
    }

    private var isDDIM: Bool {
        if case .ddim = choice.kind { return true }
        return false
    }

    /// Sampler steps (model-call rounds) the loop reports.
    var stepCount: Int { isDDIM ? max(timesteps.count - 1, 0) : sigmas.count - 1 }

    /// txt2img start: unit noise scaled to σ₀ (DDIM starts from the unit noise).
    func initial(_ noise: [Float]) -> [Float] {
        isDDIM ? noise : noise.map { $0 * sigmas[0] }
    }

    /// img2img start: `x0 + noise·σ₀`, or DDIM's `√ᾱ·x0 + √(1−ᾱ)·noise` at timestep t_enc.
    func noised(_ x0: [Float], with noise: [Float]) -> [Float] {
        if isDDIM {
            let alpha = schedule.alphasCumprod[noiseTimestep]
            let a = alpha.squareRoot()
            let b = (1 - alpha).squareRoot()
            return zip(x0, noise).map { $0 * a + $1 * b }
        }
        let sigma = sigmas[0]
        return zip(x0, noise).map { $0 + $1 * sigma }
    }

    /// Runs the sampler loop from `x`.
    func run(
        _ x: [Float], guidance: WindowedGuidance, scale: Float, noise: NoiseBox, seeds: [UInt64], frameSize: Int,
        source: NoiseSource, observer: GuidanceObserver
    ) throws -> [Float] {
        let onStep: (Int) throws -> Void = { step in observer.completedSteps = step + 1 }
        switch choice.kind {
        case .ddim:
            let sampler = DDIMSampler(eta: Float(eta ?? 0))
            let model: EpsilonModel = { input, timestep in
                let (cond, uncond) = try guidance.predict(scaledInput: input, timestep: timestep)
                guard let uncond else { return cond }
                return guidance.combine(cond: cond, uncond: uncond, scale: scale)
            }
            let draws = SamplerNoise(draw: { noise.next() }, brownian: { _, _ in [] })
            return try sampler.sample(
                x, schedule: schedule, timesteps: timesteps, model: model, draws: draws, onStep: onStep)
        case .lcm:
            var denoiser = GuidedDenoiser(
                guidance: guidance, parameterization: .lcm(LCMSchedule(schedule)), scale: scale)
            let draws = SamplerNoise(draw: { noise.next() }, brownian: { _, _ in [] })
            return try LCMSampler().sample(x, sigmas: sigmas, denoiser: &denoiser, noise: draws, onStep: onStep)
        case .kDiffusion:
            let sampler = choice.sampler(eta: eta)!
            var denoiser = GuidedDenoiser(guidance: guidance, parameterization: .epsilon(schedule), scale: scale)
            let brownian =
                choice.usesBrownianNoise
                ? BrownianNoise(seeds: seeds, elementsPerFrame: frameSize, sigmas: fullSigmas, source: source) : nil
            let shape = guidance.latentShape
            let draws = SamplerNoise(
                draw: { noise.next() },
                brownian: { sigma, next in
                    Self.channelsLast(brownian?.noise(from: sigma, to: next) ?? [], shape: shape)
                })
            return try sampler.sample(x, sigmas: sigmas, denoiser: &denoiser, noise: draws, onStep: onStep)
        }
    }

    /// Per-frame `(c, h, w)` values (the Brownian tree's draw order) as channels-last rows.
    private static func channelsLast(_ values: [Float], shape: [Int]) -> [Float] {
        let (height, width, channels) = (shape[1], shape[2], shape[3])
        let frameSize = height * width * channels
        var out = [Float](repeating: 0, count: values.count)
        for frame in 0..<(values.count / max(frameSize, 1)) {
            let base = frame * frameSize
            for c in 0..<channels {
                for y in 0..<height {
                    for x in 0..<width {
                        out[base + (y * width + x) * channels + c] = values[base + (c * height + y) * width + x]
                    }
                }
            }
        }
        return out
    }
}
