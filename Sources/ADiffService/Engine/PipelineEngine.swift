import ADiffMedia
import ADiffModels
import ADiffPipeline
import ADiffProtocol
import ADiffTensor
import Dispatch

/// The generation engine of the daemon: ADiffPipeline on the resident models.
///
/// Per job it attaches the motion module to the checkpoint's UNet (swapping in the
/// AnimateDiff beta schedule), merges the prompt's LoRAs into copies of the stored weights
/// (the resident base is never written, so nothing needs restoring; the same LoRA set twice in
/// a row reuses the merge), registers the embeddings the prompt names, decodes init images,
/// and runs the pipeline on its own thread, off the cooperative pool.
public struct PipelineEngine: GenerationEngine {
    /// Merges kept for reuse by the next job with the same LoRA set.
    let merges: MergedWeightsCache
    /// Pipeline options (CFG batching, window combination).
    let options: GenerationOptions

    /// Creates the engine.
    ///
    /// - Parameters:
    ///   - threads: Compute threads (OpenBLAS and the kernels); 0 keeps the default, one per
    ///     CPU this process may use. The setting is process-wide, as the daemon runs one job
    ///     at a time.
    ///   - mergedSets: LoRA merges kept resident for reuse (1: the last one).
    public init(threads: Int = 0, mergedSets: Int = 1, options: GenerationOptions = GenerationOptions()) {
        if threads > 0 { BLAS.setThreadCount(threads) }
        merges = MergedWeightsCache(capacity: mergedSets)
        self.options = options
    }

    /// Creates the engine with default pipeline options in `precision` (the daemon's
    /// `precision` setting).
    public init(threads: Int = 0, mergedSets: Int = 1, precision: ComputePrecision) {
        self.init(threads: threads, mergedSets: mergedSets, options: GenerationOptions(precision: precision))
    }

    /// Generates `job` (see ``GenerationEngine``).
    public func generate(
        _ job: GenerationJob,
        models: GenerationModels,
        progress: @escaping @Sendable (JobProgress) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) async throws -> GenerationResult {
        guard let checkpoint = models.checkpoint.model as? ResidentCheckpoint,
            let motion = models.motionModule.model as? ResidentMotionModule
        else {
            throw RPCError(.internal, "the model cache holds models this engine did not load")
        }
        let request = try PipelineRequestMapping.pipelineRequest(from: job.request)
        let networks = try Self.pipelineCall { try Pipeline.extraNetworks(in: request) }
        var found: [LoRAApplication] = []
        if !job.request.disableExtraNetworks {
            for activation in networks where activation.family == .lora {
                let loaded = try await models.provider.model(named: activation.name, kind: .lora)
                guard let lora = loaded.model as? ResidentLoRA else {
                    throw RPCError(.internal, "the model cache holds a LoRA this engine did not load")
                }
                found.append(LoRAApplication(network: lora.network, activation: activation))
            }
        }
        let loras = found
        let embeddings = try await Self.embeddings(named: request, provider: models.provider)
        let externalVAE = models.vae?.model as? ResidentVAE
        let images = try Self.decodeImages(job.request)
        let merges = self.merges
        let options = self.options
        let identity = ModelIdentity(
            checkpointName: models.checkpoint.file.file.stem, checkpointHash: String(models.checkpoint.file.sha256.prefix(10)),
            vaeName: models.vae?.file.file.stem, vaeHash: models.vae.map { String($0.file.sha256.prefix(10)) },
            motionModuleName: models.motionModule.file.file.name,
            motionModuleHash: String(models.motionModule.file.sha256.prefix(8)),
            loraHashes: loras.map { ($0.network.name, String($0.network.identity.prefix(12))) })
        let baseIdentity = models.checkpoint.file.sha256 + "+" + models.motionModule.file.sha256
        let jobID = job.id
        let fps = job.request.animateDiff.fps
        let videoLength = job.request.animateDiff.videoLength

        let output = try await Self.onOwnThread { () throws -> GenerationOutput in
            // Activation blocks kept for reuse within the job go back to the system after it,
            // so an idle daemon holds only its resident models.
            defer { TensorBlockCache.shared.releaseAll() }
            let base = checkpoint.checkpoint
            var unetParameters = base.unetParameters
            var textParameters = base.textEncoderParameters
            var motionSet = motion.motion
            if !loras.isEmpty {
                let targets = [
                    LoRATarget.unet(base.unetParameters), LoRATarget.textEncoder(base.textEncoderParameters),
                    LoRATarget.motionModule(motion.motion.parameters),
                ]
                let merged = try Self.pipelineCall {
                    try merges.result(for: loras, into: targets, baseIdentity: baseIdentity)
                }
                unetParameters = merged.parameters(for: targets[0])
                textParameters = merged.parameters(for: targets[1])
                if let overlay = merged.overlays[.motionModule] {
                    motionSet = try Self.modelCall { try motion.motion.replacing(overlay) }
                }
            }
            let unet = try Self.modelCall {
                try UNetModel(parameters: unetParameters, config: base.unet.config, motion: motionSet)
            }
            let textModel = try Self.modelCall {
                loras.isEmpty ? base.textEncoder : try CLIPTextModel(parameters: textParameters)
            }
            let text = try Self.modelCall { try CLIPPromptEncoder(model: textModel, embeddings: embeddings) }
            let pipelineModels = ADiffPipeline.GenerationModels(
                unet: unet, text: text, vae: externalVAE?.vae ?? base.vae,
                noiseSchedule: motionSet.version == .animateDiffXL ? .animateDiffXL : .animateDiffLinear,
                maximumContext: motionSet.maximumFrames, identity: identity)
            return try Self.pipelineCall {
                try Pipeline.generate(
                    request, models: pipelineModels, images: images, options: options,
                    progress: { progress(Self.jobProgress($0, jobID: jobID)) }, isCancelled: isCancelled)
            }
        }

        var videos: [GenerationResult.Video] = []
        var seeds: [Int64] = []
        for video in output.videos {
            // The output writer appends closed loop A's reversed frames itself.
            let frames = try video.frames.prefix(videoLength).map { image throws(MediaError) in
                try Frame(width: image.width, height: image.height, pixels: image.pixels)
            }
            let seed = Int64(bitPattern: video.seeds.first ?? output.seed)
            videos.append(
                GenerationResult.Video(frames: try FrameSequence(frames: frames, fps: fps), seed: seed, infotext: video.infotext))
            seeds += video.seeds.map { Int64(bitPattern: $0) }
        }
        return GenerationResult(videos: videos, seeds: seeds)
    }

    /// The embeddings of the embeddings folder whose names occur in the prompts (the WebUI
    /// registers all of them; matching only named ones keeps unrelated files unloaded).
    static func embeddings(
        named request: ADiffPipeline.GenerationRequest, provider: any ModelProvider
    ) async throws -> [String: Tensor] {
        let text = request.prompt + "\n" + request.negativePrompt
        var vectors: [String: Tensor] = [:]
        for file in await provider.files(of: .embedding) {
            let name = String(file.stem.split(separator: "/").last ?? "")
            guard !name.isEmpty, text.contains(name) else { continue }
            let loaded = try await provider.model(named: file.name, kind: .embedding)
            if let embedding = loaded.model as? ResidentEmbedding { vectors[name] = embedding.vectors }
        }
        return vectors
    }

    /// Decodes the init image and last frame to `[1, H, W, 3]` in [−1, 1], resized to the
    /// request's size as the WebUI's "Just resize" does.
    static func decodeImages(_ request: GenerationRequest) throws -> GenerationImages {
        func decode(_ file: ConfinedFile?, field: String) throws -> Tensor? {
            guard let file else { return nil }
            do {
                let frame = try MediaDecoder.decodeImage(
                    .fileDescriptor(file.descriptor, name: file.relativePath), size: (request.width, request.height))
                return RGBImage(width: frame.width, height: frame.height, pixels: frame.pixels).normalized
            } catch {
                throw RPCError(.decodeFailed, "\(field): \(error.message)", field: field)
            }
        }
        return GenerationImages(
            initImage: try decode(request.initImage, field: "init_images"),
            lastFrame: try decode(request.lastFrame, field: "animatediff.last_frame"))
    }

    /// The protocol's progress report for a pipeline report.
    static func jobProgress(_ report: PipelineProgress, jobID: String) -> JobProgress {
        switch report.phase {
        case .encodingPrompts:
            JobProgress(jobId: jobID, phase: .encodeText)
        case .encodingImages:
            JobProgress(jobId: jobID, phase: .encode)
        case .sampling:
            JobProgress(
                jobId: jobID, phase: .denoise, step: report.step, steps: report.steps, window: report.window,
                windows: report.windows)
        case .decoding:
            JobProgress(jobId: jobID, phase: .decode, frame: report.step, frames: report.steps)
        }
    }

    /// Runs `body` on a thread of its own: BLAS calls block for seconds and must not hold a
    /// thread of the cooperative pool that answers clients.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Maps pipeline errors to protocol kinds.
    static func pipelineCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PipelineError {
            switch error.kind {
            case .cancelled: throw CancellationError()
            case .invalidParameter, .invalidPromptTravel, .unsupported:
                throw RPCError(.invalidParams, error.message, field: error.field)
            case .invalidNetwork, .incompatibleNetwork:
                throw RPCError(.invalidModel, error.message, field: error.field)
            default:
                throw RPCError(.internal, error.message)
            }
        } catch let error as ModelError {
            throw Self.rpcError(error)
        }
    }

    /// Maps model errors to protocol kinds.
    static func modelCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ModelError {
            throw Self.rpcError(error)
        }
    }

    static func rpcError(_ error: ModelError) -> RPCError {
        switch error.kind {
        case .invalidInput: RPCError(.invalidParams, error.message)
        default: RPCError(.invalidModel, error.message)
        }
    }
}
