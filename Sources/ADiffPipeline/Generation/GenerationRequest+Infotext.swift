import Foundation

extension GenerationRequest {
    /// The WebUI infotext of one frame (a1111-compat §7, animatediff-behaviour §9.6).
    ///
    /// - Parameters:
    ///   - seed: The frame's seed; `subseed` its variation seed.
    ///   - paddedConds: Whether cond and uncond were padded to the same length (`Pad conds`).
    /// - Throws: ``PipelineError`` for an unresolvable sampler name.
    public func infotext(
        seed: UInt64, subseed: UInt64, models: ModelIdentity, paddedConds: Bool = false
    ) throws -> Infotext {
        let choice = try SamplerChoice(samplerName: samplerName, scheduler: scheduler)
        var p: [(key: String, value: String)] = [
            ("Steps", String(steps)), ("Sampler", choice.name), ("Schedule type", choice.scheduleLabel),
            ("CFG scale", Self.pythonFloat(cfgScale)), ("Seed", String(seed)), ("Size", "\(width)x\(height)"),
        ]
        if let hash = models.checkpointHash { p.append(("Model hash", hash)) }
        p.append(("Model", models.checkpointName))
        if let hash = models.vaeHash { p.append(("VAE hash", hash)) }
        if let name = models.vaeName { p.append(("VAE", name)) }
        if subseedStrength != 0 {
            p.append(("Variation seed", String(subseed)))
            p.append(("Variation seed strength", Self.pythonFloat(subseedStrength)))
        }
        if seedResizeFromW > 0 && seedResizeFromH > 0 {
            p.append(("Seed resize from", "\(seedResizeFromW)x\(seedResizeFromH)"))
        }
        if isImageToImage { p.append(("Denoising strength", Self.pythonFloat(denoisingStrength))) }
        if clipSkip > 1 { p.append(("Clip skip", String(clipSkip))) }
        if etaNoiseSeedDelta != 0 && choice.showsENSD && (eta ?? 1) != 0 {
            p.append(("ENSD", String(etaNoiseSeedDelta)))
        }
        if randnSource != .gpu { p.append(("RNG", randnSource.rawValue)) }
        if let eta {
            if case .ddim = choice.kind {
                if eta != 0 { p.append(("Eta DDIM", Self.pythonFloat(eta))) }
            } else if eta != 1 {
                p.append(("Eta", Self.pythonFloat(eta)))
            }
        }
        if !models.loraHashes.isEmpty {
            p.append(
                (
                    "Lora hashes",
                    models.loraHashes.map { "\($0.name.filter { $0 != ":" && $0 != "," }): \($0.hash)" }.joined(
                        separator: ", ")
                ))
        }
        if paddedConds { p.append(("Pad conds", "True")) }
        p.append(("AnimateDiff", AnimateDiffInfotext.format(animateDiffFields(models: models))))
        p.append(("Version", models.version))
        return Infotext(prompt: prompt, negativePrompt: negativePrompt, parameters: p)
    }

    /// The extension's `AnimateDiff` pairs with resolved values.
    private func animateDiffFields(models: ModelIdentity) -> [String: String] {
        let ad = animatediff
        var fields = [
            "model": models.motionModuleName, "video_length": String(ad.resolvedVideoLength), "fps": String(ad.fps),
            "loop_number": String(ad.loopNumber), "closed_loop": ad.closedLoop.rawValue,
            "batch_size": String(ad.batchSize), "stride": String(ad.stride), "overlap": String(ad.resolvedOverlap),
            "interp": ad.interp, "interp_x": String(ad.interpX),
            "freeinit_enable": ad.freeinitEnable ? "True" : "False",
            "request_id": ad.requestId,
        ]
        if let hash = models.motionModuleHash { fields["mm_hash"] = String(hash.prefix(8)) }
        if isImageToImage {
            fields["latent_power"] = Self.number(ad.latentPower)
            fields["latent_scale"] = Self.number(ad.latentScale)
            fields["latent_power_last"] = Self.number(ad.latentPowerLast)
            fields["latent_scale_last"] = Self.number(ad.latentScaleLast)
        }
        return fields
    }

    /// Replays an infotext: the parameters it records, defaults for the rest. Init images are
    /// not in an infotext; a `Denoising strength` is kept for when the caller supplies one.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` naming the infotext key whose value does
    ///   not parse.
    public init(infotext: Infotext) throws {
        self.init()
        func value<T>(_ key: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = infotext[key] else { return nil }
            guard let parsed = parse(text.trimmingCharacters(in: .whitespaces)) else {
                throw PipelineError(.invalidParameter, "infotext \(key) \"\(text)\" does not parse", field: key)
            }
            return parsed
        }
        func size(_ key: String) throws -> (Int, Int)? {
            try value(key) { text in
                let parts = text.split(separator: "x").compactMap { Int($0) }
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
        }
        prompt = infotext.prompt
        negativePrompt = infotext.negativePrompt
        steps = try value("Steps") { Int($0) } ?? steps
        samplerName = infotext["Sampler"] ?? samplerName
        scheduler = infotext["Schedule type"] ?? scheduler
        cfgScale = try value("CFG scale") { Double($0) } ?? cfgScale
        seed = try value("Seed") { Int64($0) } ?? seed
        if let (w, h) = try size("Size") { (width, height) = (w, h) }
        subseed = try value("Variation seed") { Int64($0) } ?? subseed
        subseedStrength = try value("Variation seed strength") { Double($0) } ?? subseedStrength
        if let (w, h) = try size("Seed resize from") { (seedResizeFromW, seedResizeFromH) = (w, h) }
        denoisingStrength = try value("Denoising strength") { Double($0) } ?? denoisingStrength
        clipSkip = try value("Clip skip") { Int($0) } ?? clipSkip
        etaNoiseSeedDelta = try value("ENSD") { Int($0) } ?? etaNoiseSeedDelta
        randnSource = try value("RNG") { NoiseSource(rawValue: $0) } ?? randnSource
        eta = try value("Eta") { Double($0) } ?? value("Eta DDIM") { Double($0) }
        sdModelCheckpoint = infotext["Model"]
        sdVae = infotext["VAE"]
        if let text = infotext["AnimateDiff"] {
            animatediff = try Self.animateDiffSettings(AnimateDiffInfotext.parse(text))
        }
    }

    /// Settings from the extension's pairs; absent keys keep their defaults.
    private static func animateDiffSettings(_ fields: [String: String]) throws -> AnimateDiffSettings {
        var s = AnimateDiffSettings()
        func int(_ key: String) throws -> Int? {
            guard let text = fields[key] else { return nil }
            guard let value = Int(text) else {
                throw PipelineError(
                    .invalidParameter, "infotext AnimateDiff \(key) \"\(text)\" is not an integer",
                    field: "animatediff." + key)
            }
            return value
        }
        func double(_ key: String) throws -> Double? {
            guard let text = fields[key] else { return nil }
            guard let value = Double(text) else {
                throw PipelineError(
                    .invalidParameter, "infotext AnimateDiff \(key) \"\(text)\" is not a number",
                    field: "animatediff." + key)
            }
            return value
        }
        s.model = fields["model"] ?? s.model
        s.videoLength = try int("video_length") ?? s.videoLength
        s.fps = try int("fps") ?? s.fps
        s.loopNumber = try int("loop_number") ?? s.loopNumber
        if let loop = fields["closed_loop"] {
            guard let mode = ClosedLoop(rawValue: loop) else {
                throw PipelineError(
                    .invalidParameter, "infotext AnimateDiff closed_loop \"\(loop)\"", field: "animatediff.closed_loop")
            }
            s.closedLoop = mode
        }
        s.batchSize = try int("batch_size") ?? s.batchSize
        s.stride = try int("stride") ?? s.stride
        s.overlap = try int("overlap") ?? s.overlap
        s.interp = fields["interp"] ?? s.interp
        s.interpX = try int("interp_x") ?? s.interpX
        s.freeinitEnable = fields["freeinit_enable"] == "True"
        s.requestId = fields["request_id"] ?? s.requestId
        s.latentPower = try double("latent_power") ?? s.latentPower
        s.latentScale = try double("latent_scale") ?? s.latentScale
        s.latentPowerLast = try double("latent_power_last") ?? s.latentPowerLast
        s.latentScaleLast = try double("latent_scale_last") ?? s.latentScaleLast
        return s
    }

    /// Python's `str(float)`: shortest round-trip digits, always with a fraction or exponent.
    static func pythonFloat(_ value: Double) -> String {
        let text = "\(value)"
        return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
    }

    /// An integral value without a fraction (the extension's integer defaults), others as floats.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : pythonFloat(value)
    }
}
