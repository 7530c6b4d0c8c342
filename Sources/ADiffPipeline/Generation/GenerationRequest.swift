/// One generation job in the WebUI's API vocabulary (`txt2img` / `img2img` payload names) with
/// the AnimateDiff settings under `animatediff`.
///
/// Decoding fills absent keys with the WebUI API defaults and rejects unknown keys, naming
/// them. Images (`init_images`, `animatediff.last_frame`) are opaque strings here: the caller
/// decodes them and hands the pixels to ``Pipeline``.
public struct GenerationRequest: Sendable, Equatable, Codable {
    /// Positive prompt (may use prompt travel, prompt editing, emphasis, extra-network tags).
    public var prompt: String = ""
    /// Negative prompt.
    public var negativePrompt: String = ""
    /// Sampling steps.
    public var steps: Int = 20
    /// Sampler, by WebUI name ("Euler a", "DPM++ 2M", "DDIM", "LCM", old suffixed names too).
    public var samplerName: String = "Euler"
    /// Schedule type ("Automatic", "Karras", …).
    public var scheduler: String = "Automatic"
    /// Classifier-free guidance scale.
    public var cfgScale: Double = 7
    /// Seed; −1 picks a random one.
    public var seed: Int64 = -1
    /// Variation seed; −1 picks a random one.
    public var subseed: Int64 = -1
    /// Variation strength (0 disables variation).
    public var subseedStrength: Double = 0
    /// "Resize seed from height" (−1 or 0: off).
    public var seedResizeFromH: Int = -1
    /// "Resize seed from width" (−1 or 0: off).
    public var seedResizeFromW: Int = -1
    /// Width in pixels (multiple of 8).
    public var width: Int = 512
    /// Height in pixels (multiple of 8).
    public var height: Int = 512
    /// Videos rendered one after another (`n_iter`).
    public var nIter: Int = 1
    /// img2img denoising strength.
    public var denoisingStrength: Double = 0.75
    /// CLIP skip (1 = last layer).
    public var clipSkip: Int = 1
    /// "Eta for k-diffusion samplers" (nil: 1) or, for DDIM, "Eta for DDIM" (nil: 0).
    public var eta: Double?
    /// "Eta noise seed delta" (ENSD).
    public var etaNoiseSeedDelta: Int = 0
    /// "Random number generator source": GPU, CPU or NV.
    public var randnSource: NoiseSource = .gpu
    /// Init images (img2img) as the caller received them.
    public var initImages: [String] = []
    /// Checkpoint to use (the WebUI's `override_settings` name), if the caller chooses by request.
    public var sdModelCheckpoint: String?
    /// VAE to use, if the caller chooses by request.
    public var sdVae: String?
    /// The AnimateDiff settings.
    public var animatediff = AnimateDiffSettings()

    /// The API defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case prompt, steps, scheduler, seed, subseed, width, height, eta, animatediff
        case negativePrompt = "negative_prompt"
        case samplerName = "sampler_name"
        case cfgScale = "cfg_scale"
        case subseedStrength = "subseed_strength"
        case seedResizeFromH = "seed_resize_from_h"
        case seedResizeFromW = "seed_resize_from_w"
        case nIter = "n_iter"
        case denoisingStrength = "denoising_strength"
        case clipSkip = "clip_skip"
        case etaNoiseSeedDelta = "eta_noise_seed_delta"
        case randnSource = "randn_source"
        case initImages = "init_images"
        case sdModelCheckpoint = "sd_model_checkpoint"
        case sdVae = "sd_vae"
    }

    /// Decodes with defaults for absent keys.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` naming an unknown key or an unknown
    ///   `randn_source`; `DecodingError` for a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        try RequestKeys.rejectUnknown(in: decoder, known: Set(CodingKeys.allCases.map(\.rawValue)), path: "")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GenerationRequest()
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt) ?? d.prompt
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt) ?? d.negativePrompt
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        samplerName = try c.decodeIfPresent(String.self, forKey: .samplerName) ?? d.samplerName
        scheduler = try c.decodeIfPresent(String.self, forKey: .scheduler) ?? d.scheduler
        cfgScale = try c.decodeIfPresent(Double.self, forKey: .cfgScale) ?? d.cfgScale
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed) ?? d.seed
        subseed = try c.decodeIfPresent(Int64.self, forKey: .subseed) ?? d.subseed
        subseedStrength = try c.decodeIfPresent(Double.self, forKey: .subseedStrength) ?? d.subseedStrength
        seedResizeFromH = try c.decodeIfPresent(Int.self, forKey: .seedResizeFromH) ?? d.seedResizeFromH
        seedResizeFromW = try c.decodeIfPresent(Int.self, forKey: .seedResizeFromW) ?? d.seedResizeFromW
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? d.height
        nIter = try c.decodeIfPresent(Int.self, forKey: .nIter) ?? d.nIter
        denoisingStrength = try c.decodeIfPresent(Double.self, forKey: .denoisingStrength) ?? d.denoisingStrength
        clipSkip = try c.decodeIfPresent(Int.self, forKey: .clipSkip) ?? d.clipSkip
        eta = try c.decodeIfPresent(Double.self, forKey: .eta)
        etaNoiseSeedDelta = try c.decodeIfPresent(Int.self, forKey: .etaNoiseSeedDelta) ?? d.etaNoiseSeedDelta
        let source = try c.decodeIfPresent(String.self, forKey: .randnSource) ?? d.randnSource.rawValue
        guard let noiseSource = NoiseSource(rawValue: source) else {
            throw PipelineError(
                .invalidParameter, "randn_source must be GPU, CPU or NV; got \"\(source)\"", field: "randn_source")
        }
        randnSource = noiseSource
        initImages = try c.decodeIfPresent([String].self, forKey: .initImages) ?? d.initImages
        sdModelCheckpoint = try c.decodeIfPresent(String.self, forKey: .sdModelCheckpoint)
        sdVae = try c.decodeIfPresent(String.self, forKey: .sdVae)
        animatediff = try c.decodeIfPresent(AnimateDiffSettings.self, forKey: .animatediff) ?? d.animatediff
    }

    /// Whether this is an img2img (img2vid) request.
    public var isImageToImage: Bool { !initImages.isEmpty }

    /// Checks every value.
    ///
    /// - Parameter maximumContext: The motion module's positional-table length, when known.
    /// - Throws: ``PipelineError`` naming the first field at fault.
    public func validate(maximumContext: Int? = nil) throws {
        func fail(_ field: String, _ message: String) -> PipelineError {
            PipelineError(.invalidParameter, "\(field) \(message)", field: field)
        }
        guard (1...1000).contains(steps) else { throw fail("steps", "must be between 1 and 1000, got \(steps)") }
        guard cfgScale.isFinite else { throw fail("cfg_scale", "must be a finite number") }
        for (field, value) in [("width", width), ("height", height)] {
            guard (8...4096).contains(value), value % 8 == 0 else {
                throw fail(field, "must be a multiple of 8 between 8 and 4096, got \(value)")
            }
        }
        guard seed >= -1 else { throw fail("seed", "must be -1 or a non-negative integer") }
        guard subseed >= -1 else { throw fail("subseed", "must be -1 or a non-negative integer") }
        guard (0...1).contains(subseedStrength) else { throw fail("subseed_strength", "must be between 0 and 1") }
        guard (1...100).contains(nIter) else { throw fail("n_iter", "must be between 1 and 100, got \(nIter)") }
        guard (0...1).contains(denoisingStrength) else { throw fail("denoising_strength", "must be between 0 and 1") }
        guard (1...12).contains(clipSkip) else { throw fail("clip_skip", "must be between 1 and 12, got \(clipSkip)") }
        if let eta { guard eta.isFinite, eta >= 0 else { throw fail("eta", "must be a non-negative number") } }
        let resize = [seedResizeFromW, seedResizeFromH]
        if resize.allSatisfy({ $0 > 0 }) {
            guard resize.allSatisfy({ $0 % 8 == 0 && $0 <= 4096 }) else {
                throw fail("seed_resize_from_w", "and seed_resize_from_h must be multiples of 8 up to 4096")
            }
        }
        guard initImages.count <= 1 else {
            throw fail("init_images", "takes one image (img2vid uses it for every frame), got \(initImages.count)")
        }
        _ = try SamplerChoice(samplerName: samplerName, scheduler: scheduler)
        try animatediff.validate(maximumContext: maximumContext, isImageToImage: isImageToImage)
    }
}
