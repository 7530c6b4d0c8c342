import ADiffPipeline
import ADiffProtocol

/// Turns the service's validated request into the pipeline's.
enum PipelineRequestMapping {
    /// The pipeline request for `request` (every default already filled in by the validator).
    ///
    /// - Throws: ``RPCError`` `.invalidParams` for a value the pipeline has no case for.
    static func pipelineRequest(from request: GenerationRequest) throws -> ADiffPipeline.GenerationRequest {
        var result = ADiffPipeline.GenerationRequest()
        result.prompt = request.prompt
        result.negativePrompt = request.negativePrompt
        result.steps = request.steps
        result.samplerName = request.samplerName
        result.scheduler = request.scheduler
        result.cfgScale = request.cfgScale
        result.seed = request.seed
        result.subseed = request.subseed
        result.subseedStrength = request.subseedStrength
        result.width = request.width
        result.height = request.height
        result.nIter = request.nIter
        result.denoisingStrength = request.denoisingStrength
        result.eta = request.eta
        result.clipSkip = request.clipSkip
        result.etaNoiseSeedDelta = request.etaNoiseSeedDelta
        guard let source = NoiseSource(rawValue: request.randnSource.uppercased()) else {
            throw RPCError(.invalidParams, "randn_source \"\(request.randnSource)\" is not GPU, CPU or NV", field: "randn_source")
        }
        result.randnSource = source
        result.initImages = request.initImage.map { [$0.relativePath] } ?? []
        let ad = request.animateDiff
        guard let closedLoop = ClosedLoop(rawValue: ad.closedLoop) else {
            throw RPCError(
                .invalidParams, "closed_loop \"\(ad.closedLoop)\" is not N, R-P, R+P or A", field: "animatediff.closed_loop")
        }
        result.animatediff.format = ad.formats.map(\.rawValue).sorted()
        result.animatediff.videoLength = ad.videoLength
        result.animatediff.fps = ad.fps
        result.animatediff.loopNumber = ad.loopNumber
        result.animatediff.closedLoop = closedLoop
        result.animatediff.batchSize = ad.contextBatchSize
        result.animatediff.stride = ad.stride
        result.animatediff.overlap = ad.overlap
        result.animatediff.interp = ad.interp
        result.animatediff.interpX = ad.interpX
        result.animatediff.freeinitEnable = ad.freeinitEnable
        result.animatediff.freeinitFilter = ad.freeinitFilter
        result.animatediff.freeinitDs = ad.freeinitDs
        result.animatediff.freeinitDt = ad.freeinitDt
        result.animatediff.freeinitIters = ad.freeinitIters
        result.animatediff.latentPower = ad.latentPower
        result.animatediff.latentScale = ad.latentScale
        result.animatediff.lastFrame = request.lastFrame?.relativePath
        result.animatediff.latentPowerLast = ad.latentPowerLast
        result.animatediff.latentScaleLast = ad.latentScaleLast
        result.animatediff.requestId = ad.requestId ?? ""
        return result
    }
}
