import ADiffPipeline
import ADiffProtocol

/// Fills the `generate` fields a request leaves out from an A1111 infotext (the `infotext`
/// param: the text of a PNG `parameters` chunk or a `.txt` output), so a video can be
/// replayed. Explicit fields always win.
enum InfotextImport {
    /// `params` with every absent field taken from `text`.
    static func merge(_ text: String, into params: GenerateParams) -> GenerateParams {
        let parsed = Infotext(parsing: text)
        var merged = params
        func int(_ key: String) -> Int? { parsed[key].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        func int64(_ key: String) -> Int64? { parsed[key].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
        func double(_ key: String) -> Double? { parsed[key].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
        if merged.prompt == nil { merged.prompt = parsed.prompt }
        if merged.negativePrompt == nil { merged.negativePrompt = parsed.negativePrompt }
        if merged.steps == nil { merged.steps = int("Steps") }
        if merged.samplerName == nil { merged.samplerName = parsed["Sampler"] }
        if merged.scheduler == nil { merged.scheduler = parsed["Schedule type"] }
        if merged.cfgScale == nil { merged.cfgScale = double("CFG scale") }
        if merged.seed == nil { merged.seed = int64("Seed") }
        if merged.subseed == nil { merged.subseed = int64("Variation seed") }
        if merged.subseedStrength == nil { merged.subseedStrength = double("Variation seed strength") }
        if merged.denoisingStrength == nil { merged.denoisingStrength = double("Denoising strength") }
        if merged.eta == nil { merged.eta = double("Eta") }
        if let size = parsed["Size"], merged.width == nil, merged.height == nil {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            if parts.count == 2 {
                merged.width = parts[0]
                merged.height = parts[1]
            }
        }
        var settings = merged.overrideSettings ?? [:]
        if settings["sd_model_checkpoint"] == nil, let model = parsed["Model"] {
            let hash = parsed["Model hash"].map { " [\($0)]" } ?? ""
            settings["sd_model_checkpoint"] = .string(model + hash)
        }
        if settings["CLIP_stop_at_last_layers"] == nil, let skip = int("Clip skip") {
            settings["CLIP_stop_at_last_layers"] = .int(Int64(skip))
        }
        if settings["eta_noise_seed_delta"] == nil, let ensd = int("ENSD") {
            settings["eta_noise_seed_delta"] = .int(Int64(ensd))
        }
        if settings["randn_source"] == nil, let rng = parsed["RNG"] { settings["randn_source"] = .string(rng) }
        if !settings.isEmpty { merged.overrideSettings = settings }
        if let field = parsed["AnimateDiff"] {
            let values = AnimateDiffInfotext.parse(field)
            var ad = merged.animatediff ?? AnimateDiffParams()
            func value(_ key: String) -> String? { values[key] }
            if ad.model == nil { ad.model = value("model") }
            if ad.videoLength == nil { ad.videoLength = value("video_length").flatMap { Int($0) } }
            if ad.fps == nil { ad.fps = value("fps").flatMap { Int($0) } }
            if ad.loopNumber == nil { ad.loopNumber = value("loop_number").flatMap { Int($0) } }
            if ad.closedLoop == nil { ad.closedLoop = value("closed_loop") }
            if ad.batchSize == nil { ad.batchSize = value("batch_size").flatMap { Int($0) } }
            if ad.stride == nil { ad.stride = value("stride").flatMap { Int($0) } }
            if ad.overlap == nil { ad.overlap = value("overlap").flatMap { Int($0) } }
            if ad.interp == nil { ad.interp = value("interp") }
            if ad.interpX == nil { ad.interpX = value("interp_x").flatMap { Int($0) } }
            if ad.freeinitEnable == nil { ad.freeinitEnable = value("freeinit_enable").map { $0 == "True" } }
            if ad.requestId == nil { ad.requestId = value("request_id") }
            if ad.latentPower == nil { ad.latentPower = value("latent_power").flatMap { Double($0) } }
            if ad.latentScale == nil { ad.latentScale = value("latent_scale").flatMap { Double($0) } }
            merged.animatediff = ad
        }
        return merged
    }
}
