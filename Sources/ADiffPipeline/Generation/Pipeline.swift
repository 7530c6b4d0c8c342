import ADiffModels
import ADiffTensor

/// Turns a ``GenerationRequest`` into frames: conditioning, initial noise (per-frame seeds),
/// the sampler loop over windowed CFG, and frame-by-frame decoding.
///
/// Memory stays bounded for long videos: the latents of the whole video, one context window's
/// UNet activations (inside the predictor), the text conditioning of one window, and one
/// decoded frame at a time besides the 8-bit frames collected for output.
public enum Pipeline {
    /// Renders every video of `request`.
    ///
    /// - Parameters:
    ///   - models: The models, already carrying the request's LoRAs (see
    ///     ``VideoConditioning/networks`` / ``extraNetworks(in:)`` for which) and motion module.
    ///   - images: The decoded init image and last frame for img2vid.
    ///   - progress: Called at least once per context window while sampling and per frame
    ///     while decoding.
    ///   - isCancelled: Polled before every window and frame.
    /// - Throws: ``PipelineError``: `.invalidParameter` (naming the field) for a bad request,
    ///   `.cancelled`, `.modelFailure` when a model throws.
    public static func generate(
        _ request: GenerationRequest,
        models: GenerationModels,
        images: GenerationImages = GenerationImages(),
        options: GenerationOptions = GenerationOptions(),
        progress: @escaping (PipelineProgress) -> Void = { _ in },
        isCancelled: @escaping () -> Bool = { false }
    ) throws -> GenerationOutput {
        try ComputePrecision.$current.withValue(options.precision) {
            try generateInPrecisionScope(
                request, models: models, images: images, options: options, progress: progress, isCancelled: isCancelled)
        }
    }

    /// ``generate(_:models:images:options:progress:isCancelled:)`` inside its precision scope.
    private static func generateInPrecisionScope(
        _ request: GenerationRequest,
        models: GenerationModels,
        images: GenerationImages,
        options: GenerationOptions,
        progress: @escaping (PipelineProgress) -> Void,
        isCancelled: @escaping () -> Bool
    ) throws -> GenerationOutput {
        guard options.precision.isSupported else {
            throw PipelineError(
                .unsupported, "compute precision \(options.precision.rawValue) needs a CPU with AVX512-BF16; use fp32")
        }
        let clock = ContinuousClock()
        let started = clock.now
        try request.validate(maximumContext: models.maximumContext)
        try checkImages(request, images)
        let choice = try SamplerChoice(samplerName: request.samplerName, scheduler: request.scheduler)
        let ad = request.animatediff
        let frameCount = ad.resolvedVideoLength
        let rows = ad.renderedFrames
        let latentShape = [rows, request.height / 8, request.width / 8, 4]
        let frameSize = latentShape.dropFirst().reduce(1, *)
        let windows = try ContextWindowScheduler(
            frameCount: frameCount, contextSize: ad.batchSize, overlap: ad.overlap, stride: ad.stride,
            closedLoop: ad.closedLoop)
        let observer = GuidanceObserver(progress: progress, isCancelled: isCancelled)
        observer.videos = request.nIter
        var encoding = Duration.zero
        var sampling = Duration.zero
        var decoding = Duration.zero

        // Conditioning and init latents, once per job.
        var mark = clock.now
        progress(PipelineProgress(phase: .encodingPrompts, video: 0, videos: request.nIter, step: 0, steps: 0))
        let conditioning = try VideoConditioning(
            prompt: request.prompt, negativePrompt: request.negativePrompt, frameCount: frameCount, rows: rows,
            wrapsPrompts: frameCount > ad.batchSize && ad.closedLoop.wrapsPrompts,
            scheduleSteps: request.steps * (choice.isSecondOrder ? 2 : 1), clipSkip: request.clipSkip,
            encoder: models.text, padCondUncond: options.guidance.padCondUncond)
        var initLatent: Tensor?
        var lastLatent: Tensor?
        if let image = images.initImage {
            progress(PipelineProgress(phase: .encodingImages, video: 0, videos: request.nIter, step: 0, steps: 0))
            initLatent = try encode(image, with: models.vae, shape: latentShape)
            lastLatent = try images.lastFrame.map { try encode($0, with: models.vae, shape: latentShape) }
        }
        encoding += clock.now - mark

        let seed = request.seed == -1 ? UInt64.random(in: 0..<4_294_967_294) : UInt64(request.seed)
        let subseed = request.subseed == -1 ? UInt64.random(in: 0..<4_294_967_294) : UInt64(request.subseed)
        let plan = SamplingPlan(request: request, choice: choice, schedule: models.noiseSchedule)
        let ramp = Img2VidRamp(
            frameCount: frameCount, rows: rows, latentPower: ad.latentPower, latentScale: ad.latentScale,
            last: lastLatent == nil ? nil : (ad.latentPowerLast, ad.latentScaleLast))
        let paddedConds = conditioning.emptyPrompt != nil
        var videos: [GenerationOutput.Video] = []
        for video in 0..<request.nIter {
            observer.video = video
            observer.completedSteps = 0
            observer.totalSteps = plan.stepCount
            let seeds = FrameNoise.Seeds(
                seed: seed, subseed: subseed, variationStrength: Float(request.subseedStrength), frameCount: rows,
                videoIndex: video)
            let noise = NoiseBox(
                FrameNoise(
                    seeds: seeds, source: request.randnSource, latentHeight: latentShape[1],
                    latentWidth: latentShape[2],
                    variationStrength: Float(request.subseedStrength), etaNoiseSeedDelta: request.etaNoiseSeedDelta,
                    seedResize: seedResize(request)))
            mark = clock.now
            let guidance = WindowedGuidance(
                predictor: models.unet, conditioning: conditioning, windows: windows, options: options.guidance,
                latentShape: latentShape,
                evaluatesUncond: request.cfgScale != 1 || conditioning.rowWeights.contains { $0 != 1 },
                observer: observer)
            let start: [Float]
            if let initLatent {
                let randomized = try ramp.blend(initLatent: initLatent, lastLatent: lastLatent, noise: noise.first())
                start = plan.noised(randomized.scalars, with: noise.next())
            } else {
                start = plan.initial(try noise.first().scalars)
            }
            let latents = try plan.run(
                start, guidance: guidance, scale: Float(request.cfgScale), noise: noise, seeds: seeds.seeds,
                frameSize: frameSize, source: request.randnSource, observer: observer)
            sampling += clock.now - mark

            mark = clock.now
            var frames: [RGBImage] = []
            for frame in 0..<frameCount {
                try observer.checkCancellation()
                let row = Array(latents[(frame * frameSize)..<((frame + 1) * frameSize)])
                let decoded = try decode(Tensor(shape: [1] + latentShape.dropFirst(), scalars: row), with: models.vae)
                frames.append(RGBImage(decoded: decoded))
                progress(
                    PipelineProgress(
                        phase: .decoding, video: video, videos: request.nIter, step: frame + 1, steps: frameCount))
            }
            if ad.closedLoop == .aggressive && frameCount <= ad.batchSize && frameCount > 2 {
                frames += frames[1..<(frameCount - 1)].reversed()
            }
            decoding += clock.now - mark
            let infotexts = try (0..<frameCount).map { frame in
                try request.infotext(
                    seed: seeds.seeds[frame], subseed: seeds.subseeds[frame], models: models.identity,
                    paddedConds: paddedConds
                ).text
            }
            videos.append(
                GenerationOutput.Video(
                    frames: frames, seeds: seeds.seeds, frameInfotexts: infotexts,
                    latents: options.returnLatents ? Tensor(shape: latentShape, scalars: latents) : nil))
        }
        return GenerationOutput(
            videos: videos, seed: seed, subseed: subseed,
            timings: .init(encoding: encoding, sampling: sampling, decoding: decoding, total: clock.now - started),
            warnings: warnings(request))
    }

    /// The LoRA / hypernetwork tags of `request`'s prompt (every keyframe line, head and
    /// tail; the extension honoured only frame 0's), for the caller to merge before
    /// ``generate(_:models:images:options:progress:isCancelled:)``.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` for a malformed tag or travel prompt.
    public static func extraNetworks(in request: GenerationRequest) throws -> [NetworkActivation] {
        let travel = try PromptTravel(prompt: request.prompt, frameCount: request.animatediff.resolvedVideoLength)
        let prompts = travel.isActive ? travel.keyframes.map(\.prompt) : [request.prompt]
        return try PromptNetworks.extract(from: prompts).networks
    }

    /// Notes on requests the WebUI would run differently from what the user may expect.
    private static func warnings(_ request: GenerationRequest) -> [String] {
        var notes: [String] = []
        let ad = request.animatediff
        if ad.videoLength != 0 && ad.videoLength < ad.batchSize {
            notes.append(
                "video_length \(ad.videoLength) < batch_size \(ad.batchSize): \(ad.batchSize) frames are rendered and the first \(ad.videoLength) kept"
            )
        }
        if !ExtraNetworkTag.extract(from: request.negativePrompt).tags.isEmpty {
            notes.append(
                "negative_prompt: extra-network tags are not applied there; they are encoded as text, as in the WebUI")
        }
        return notes
    }

    private static func checkImages(_ request: GenerationRequest, _ images: GenerationImages) throws {
        guard request.isImageToImage == (images.initImage != nil) else {
            throw PipelineError(
                .invalidParameter,
                request.isImageToImage
                    ? "init_images given but no decoded init image passed"
                    : "an init image was passed without init_images",
                field: "init_images")
        }
        guard (request.animatediff.lastFrame != nil) == (images.lastFrame != nil) else {
            throw PipelineError(
                .invalidParameter, "animatediff.last_frame and the decoded last frame must come together",
                field: "animatediff.last_frame")
        }
        for (field, image) in [("init_images", images.initImage), ("animatediff.last_frame", images.lastFrame)] {
            if let image, image.shape != [1, request.height, request.width, 3] {
                throw PipelineError(
                    .invalidParameter,
                    "\(field): image of shape \(image.shape) must be [1, \(request.height), \(request.width), 3]",
                    field: field)
            }
        }
    }

    private static func seedResize(_ request: GenerationRequest) -> (width: Int, height: Int)? {
        request.seedResizeFromW > 0 && request.seedResizeFromH > 0
            ? (request.seedResizeFromW, request.seedResizeFromH) : nil
    }

    private static func encode(_ image: Tensor, with vae: any LatentCodec, shape: [Int]) throws -> Tensor {
        let latent: Tensor
        do {
            latent = try vae.encode(image)
        } catch {
            throw PipelineError(.modelFailure, "VAE encoder: \(error)")
        }
        guard latent.shape == [1] + shape.dropFirst() else {
            throw PipelineError(
                .modelFailure, "VAE encoder returned \(latent.shape), expected \([1] + shape.dropFirst())")
        }
        return latent
    }

    private static func decode(_ latent: Tensor, with vae: any LatentCodec) throws -> Tensor {
        let image: Tensor
        do {
            image = try vae.decode(latent)
        } catch {
            throw PipelineError(.modelFailure, "VAE decoder: \(error)")
        }
        guard image.rank == 4, image.shape[0] == 1, image.shape[3] == 3 else {
            throw PipelineError(.modelFailure, "VAE decoder returned \(image.shape), expected [1, H, W, 3]")
        }
        return image
    }
}
