import ADiffMedia
import ADiffProtocol

/// Checks `generate` params against the protocol's rules and the configured limits and fills
/// in the defaults (the WebUI's and the extension's), producing a ``GenerationRequest`` and
/// the model names to resolve.
struct GenerateValidator {
    /// A request that passed validation, with the model names still to resolve.
    struct Validated: Sendable {
        var request: GenerationRequest
        var checkpointName: String?
        var motionModuleName: String?
        var vaeName: String?
    }

    let limits: DaemonConfig.Limits
    let defaultFormats: [String]
    let inputRoots: [String]

    /// Validates `params`.
    ///
    /// - Throws: ``RPCError`` `.invalidParams`, `.invalidDimensions`, `.limitExceeded` or
    ///   `.pathOutsideRoot`, naming the field.
    func validate(_ params: GenerateParams, randomSeed: () -> Int64) throws(RPCError) -> Validated {
        let params = params.infotext.map { InfotextImport.merge($0, into: params) } ?? params
        let ad = params.animatediff ?? AnimateDiffParams()
        if ad.enable == false {
            throw RPCError(.invalidParams, "animatediff.enable is false: adiffd only generates videos", field: "animatediff.enable")
        }
        let width = params.width ?? 512
        let height = params.height ?? 512
        for (field, value, cap) in [("width", width, limits.maxWidth), ("height", height, limits.maxHeight)] {
            guard value >= 64, value % 8 == 0 else {
                throw RPCError(.invalidDimensions, "\(field) \(value) must be a multiple of 8 and at least 64", field: field)
            }
            guard value <= cap else {
                throw RPCError(.limitExceeded, "\(field) \(value) exceeds the limit of \(cap)", field: field)
            }
        }
        let steps = params.steps ?? 20
        guard steps >= 1 else { throw RPCError(.invalidParams, "steps must be at least 1", field: "steps") }
        guard steps <= limits.maxSteps else {
            throw RPCError(.limitExceeded, "steps \(steps) exceeds the limit of \(limits.maxSteps)", field: "steps")
        }
        let nIter = params.nIter ?? 1
        guard nIter >= 1 else { throw RPCError(.invalidParams, "n_iter must be at least 1", field: "n_iter") }
        guard nIter <= limits.maxBatchCount else {
            throw RPCError(.limitExceeded, "n_iter \(nIter) exceeds the limit of \(limits.maxBatchCount)", field: "n_iter")
        }
        if let batch = params.batchSize, batch < 1 {
            throw RPCError(.invalidParams, "batch_size must be at least 1", field: "batch_size")
        }
        let cfg = params.cfgScale ?? 7
        guard cfg.isFinite, (0...100).contains(cfg) else {
            throw RPCError(.invalidParams, "cfg_scale must be in 0...100", field: "cfg_scale")
        }
        try unitInterval(params.subseedStrength, "subseed_strength")
        try unitInterval(params.denoisingStrength, "denoising_strength")
        for (field, value) in [("seed", params.seed), ("subseed", params.subseed)] {
            if let value, value < -1 { throw RPCError(.invalidParams, "\(field) must be -1 (random) or non-negative", field: field) }
        }

        // AnimateDiff.
        let context = ad.batchSize ?? 16
        guard (1...64).contains(context) else {
            throw RPCError(.invalidParams, "animatediff.batch_size must be in 1...64", field: "animatediff.batch_size")
        }
        let length = ad.videoLength ?? 0
        guard length >= 0 else {
            throw RPCError(.invalidParams, "animatediff.video_length must not be negative", field: "animatediff.video_length")
        }
        let frames = length == 0 ? context : length
        guard frames <= limits.maxFrames else {
            throw RPCError(
                .limitExceeded, "\(frames) frames exceed the limit of \(limits.maxFrames)", field: "animatediff.video_length")
        }
        let fps = ad.fps ?? 8
        guard (1...240).contains(fps) else { throw RPCError(.invalidParams, "animatediff.fps must be in 1...240", field: "animatediff.fps") }
        let loop = ad.loopNumber ?? 0
        guard (0...65_535).contains(loop) else {
            throw RPCError(.invalidParams, "animatediff.loop_number must be in 0...65535", field: "animatediff.loop_number")
        }
        let closedLoop = ad.closedLoop ?? "R-P"
        guard ["N", "R-P", "R+P", "A"].contains(closedLoop) else {
            throw RPCError(.invalidParams, "animatediff.closed_loop must be N, R-P, R+P or A", field: "animatediff.closed_loop")
        }
        let stride = ad.stride ?? 1
        guard stride >= 1 else { throw RPCError(.invalidParams, "animatediff.stride must be at least 1", field: "animatediff.stride") }
        var overlap = ad.overlap ?? -1
        if overlap == -1 { overlap = context / 4 }
        guard overlap >= 0, overlap < max(context, 1) || (context == 1 && overlap == 0) else {
            throw RPCError(.invalidParams, "animatediff.overlap must be -1 or in 0..<batch_size", field: "animatediff.overlap")
        }
        let interp = ad.interp ?? "Off"
        guard interp == "Off" else {
            throw RPCError(.invalidParams, "animatediff.interp \"\(interp)\" is not available (only Off)", field: "animatediff.interp")
        }
        for (field, value) in [("video_source", ad.videoSource), ("video_path", ad.videoPath), ("mask_path", ad.maskPath)] {
            if let value, !value.isEmpty {
                throw RPCError(.invalidParams, "animatediff.\(field) (ControlNet input) is not supported yet", field: "animatediff.\(field)")
            }
        }
        let formats = try outputFormats(ad.format ?? defaultFormats)
        if let requestID = ad.requestId, !requestID.isEmpty {
            do {
                _ = try OutputNaming.baseName(sequence: 0, seed: 0, requestID: requestID)
            } catch {
                throw RPCError(.invalidParams, "animatediff.request_id: \(error.message)", field: "animatediff.request_id")
            }
        }

        // Settings.
        let settings = params.overrideSettings ?? [:]
        func settingString(_ key: String) throws(RPCError) -> String? {
            guard let value = settings[key], value != .null else { return nil }
            guard let text = value.stringValue else {
                throw RPCError(.invalidParams, "override_settings.\(key) must be a string", field: "override_settings.\(key)")
            }
            return text
        }
        func settingInt(_ key: String) throws(RPCError) -> Int? {
            guard let value = settings[key], value != .null else { return nil }
            guard let number = value.intValue else {
                throw RPCError(.invalidParams, "override_settings.\(key) must be an integer", field: "override_settings.\(key)")
            }
            return Int(number)
        }
        let clipSkip = try settingInt("CLIP_stop_at_last_layers") ?? 1
        guard (1...12).contains(clipSkip) else {
            throw RPCError(.invalidParams, "override_settings.CLIP_stop_at_last_layers must be in 1...12", field: "override_settings.CLIP_stop_at_last_layers")
        }
        let randn = try settingString("randn_source") ?? "GPU"
        guard ["GPU", "CPU", "NV"].contains(randn) else {
            throw RPCError(.invalidParams, "override_settings.randn_source must be GPU, CPU or NV", field: "override_settings.randn_source")
        }
        var vae = try settingString("sd_vae")
        if vae == "Automatic" || vae == "None" || vae == "" { vae = nil }

        // Input files.
        guard (params.initImages?.count ?? 0) <= 1 else {
            throw RPCError(.invalidParams, "init_images takes one image (the first frame)", field: "init_images")
        }
        let initImage = try params.initImages?.first.map { path throws(RPCError) in try openInput(path, field: "init_images") }
        let lastFrame = try ad.lastFrame.flatMap { path throws(RPCError) in
            path.isEmpty ? nil : try openInput(path, field: "animatediff.last_frame")
        }

        var seed = params.seed ?? -1
        if seed == -1 { seed = randomSeed() }
        var subseed = params.subseed ?? -1
        if subseed == -1 { subseed = randomSeed() }
        let request = GenerationRequest(
            prompt: params.prompt ?? "", negativePrompt: params.negativePrompt ?? "", steps: steps,
            samplerName: params.samplerName ?? "Euler a", scheduler: params.scheduler ?? "Automatic", cfgScale: cfg,
            seed: seed, subseed: subseed, subseedStrength: params.subseedStrength ?? 0, width: width, height: height,
            nIter: nIter, denoisingStrength: params.denoisingStrength ?? 0.75, eta: params.eta, sChurn: params.sChurn,
            sTmax: params.sTmax, sTmin: params.sTmin, sNoise: params.sNoise, clipSkip: clipSkip,
            etaNoiseSeedDelta: try settingInt("eta_noise_seed_delta") ?? 0, randnSource: randn,
            disableExtraNetworks: params.disableExtraNetworks ?? false, initImage: initImage, lastFrame: lastFrame,
            animateDiff: GenerationRequest.AnimateDiff(
                formats: formats, videoLength: frames, fps: fps, loopNumber: loop, closedLoop: closedLoop,
                contextBatchSize: context, stride: stride, overlap: overlap, interp: interp, interpX: ad.interpX ?? 10,
                freeinitEnable: ad.freeinitEnable ?? false, freeinitFilter: ad.freeinitFilter ?? "butterworth",
                freeinitDs: ad.freeinitDs ?? 0.25, freeinitDt: ad.freeinitDt ?? 0.25, freeinitIters: ad.freeinitIters ?? 3,
                latentPower: ad.latentPower ?? 1, latentScale: ad.latentScale ?? 32,
                latentPowerLast: ad.latentPowerLast ?? 1, latentScaleLast: ad.latentScaleLast ?? 32,
                requestId: ad.requestId.flatMap { $0.isEmpty ? nil : $0 }))
        return Validated(
            request: request, checkpointName: try settingString("sd_model_checkpoint"), motionModuleName: ad.model,
            vaeName: vae)
    }

    private func unitInterval(_ value: Double?, _ field: String) throws(RPCError) {
        if let value, !(value.isFinite && (0...1).contains(value)) {
            throw RPCError(.invalidParams, "\(field) must be in 0...1", field: field)
        }
    }

    private func outputFormats(_ names: [String]) throws(RPCError) -> Set<OutputFormat> {
        var formats = Set<OutputFormat>()
        for name in names {
            if name == "Frame" {
                throw RPCError(.invalidParams, "format \"Frame\" (base64 frames) is not supported: outputs are files; use PNG", field: "animatediff.format")
            }
            guard let format = OutputFormat(rawValue: name) else {
                throw RPCError(.invalidParams, "format \"\(name)\" is not one of GIF, MP4, WEBP, WEBM, PNG, TXT", field: "animatediff.format")
            }
            formats.insert(format)
        }
        guard !formats.isDisjoint(with: [.gif, .mp4, .webp, .webm, .png]) else {
            throw RPCError(.invalidParams, "format needs at least one of GIF, MP4, WEBP, WEBM, PNG", field: "animatediff.format")
        }
        return formats
    }

    /// Opens a client-named input file beneath one of the input roots: a path relative to a
    /// root, or an absolute path inside one.
    func openInput(_ path: String, field: String) throws(RPCError) -> ConfinedFile {
        guard !inputRoots.isEmpty else {
            throw RPCError(.pathOutsideRoot, "\(field): no input roots are configured (input_roots)", field: field)
        }
        if path.hasPrefix("/") {
            for root in inputRoots {
                let prefix = root.hasSuffix("/") ? root : root + "/"
                if path.hasPrefix(prefix) {
                    return try ConfinedFile(root: root, relativePath: String(path.dropFirst(prefix.count)))
                }
            }
            throw RPCError(.pathOutsideRoot, "\(field): \"\(path)\" is not under a configured input root", field: field)
        }
        var lastError: RPCError?
        for root in inputRoots {
            do {
                return try ConfinedFile(root: root, relativePath: path)
            } catch {
                if error.kind == .pathOutsideRoot { throw RPCError(.pathOutsideRoot, "\(field): \(error.message)", field: field) }
                lastError = error
            }
        }
        throw RPCError(lastError?.kind ?? .invalidParams, "\(field): \(lastError?.message ?? path)", field: field)
    }
}
