/// The extension's parameter object (`alwayson_scripts.AnimateDiff.args[0]`), with its API
/// names and master-branch defaults (animatediff-behaviour §10).
///
/// Decoding rejects unknown keys, as the extension's constructor does. `enable` defaults to
/// true here (the object's presence asks for a video); the extension's internal keys
/// (`is_i2i_batch`, `video_default`, `prompt_scheduler`) are accepted and ignored.
public struct AnimateDiffSettings: Sendable, Equatable, Codable {
    /// Motion module file name (relative to the AnimateDiff model folder).
    public var model: String = "mm_sd15_v3.safetensors"
    /// Whether AnimateDiff is on; this service renders videos only.
    public var enable: Bool = true
    /// Output formats: GIF, MP4, WEBP, WEBM, PNG, TXT, Frame.
    public var format: [String] = ["GIF", "PNG"]
    /// Frames in the video (L); 0 means the context size.
    public var videoLength: Int = 0
    /// Frames per second of the output.
    public var fps: Int = 8
    /// GIF/WEBP loop count (0 = forever).
    public var loopNumber: Int = 0
    /// Loop mode: N, R-P, R+P, A.
    public var closedLoop: ClosedLoop = .reducedNoPrompt
    /// Context size (B): frames the motion module sees at once.
    public var batchSize: Int = 16
    /// Dilation levels of the context scheduler.
    public var stride: Int = 1
    /// Frames shared by neighbouring windows; −1 means B/4.
    public var overlap: Int = -1
    /// Frame interpolation: "Off" or "FILM" (not implemented).
    public var interp: String = "Off"
    /// FILM multiplier.
    public var interpX: Int = 10
    /// ControlNet video source path (not implemented).
    public var videoSource: String?
    /// ControlNet frame folder (not implemented).
    public var videoPath: String = ""
    /// ControlNet mask folder (not implemented).
    public var maskPath: String = ""
    /// FreeInit (not implemented).
    public var freeinitEnable: Bool = false
    /// FreeInit filter.
    public var freeinitFilter: String = "butterworth"
    /// FreeInit spatial stop frequency.
    public var freeinitDs: Double = 0.25
    /// FreeInit temporal stop frequency.
    public var freeinitDt: Double = 0.25
    /// FreeInit iterations.
    public var freeinitIters: Int = 3
    /// img2vid: exponent of the init-image ramp.
    public var latentPower: Double = 1
    /// img2vid: scale of the init-image ramp.
    public var latentScale: Double = 32
    /// img2vid: the last frame's image (opaque to the pipeline: base64 or a path the caller
    /// decodes and passes to ``Pipeline/generate(_:models:images:options:progress:isCancelled:)``).
    public var lastFrame: String?
    /// img2vid: exponent of the last-frame ramp.
    public var latentPowerLast: Double = 1
    /// img2vid: scale of the last-frame ramp.
    public var latentScaleLast: Double = 32
    /// Suffix for output names and the infotext.
    public var requestId: String = ""

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, enable, format, fps, stride, overlap, interp
        case videoLength = "video_length"
        case loopNumber = "loop_number"
        case closedLoop = "closed_loop"
        case batchSize = "batch_size"
        case interpX = "interp_x"
        case videoSource = "video_source"
        case videoPath = "video_path"
        case maskPath = "mask_path"
        case freeinitEnable = "freeinit_enable"
        case freeinitFilter = "freeinit_filter"
        case freeinitDs = "freeinit_ds"
        case freeinitDt = "freeinit_dt"
        case freeinitIters = "freeinit_iters"
        case latentPower = "latent_power"
        case latentScale = "latent_scale"
        case lastFrame = "last_frame"
        case latentPowerLast = "latent_power_last"
        case latentScaleLast = "latent_scale_last"
        case requestId = "request_id"
    }

    /// Keys the extension sets internally; accepted and ignored.
    static let internalKeys: Set<String> = ["is_i2i_batch", "video_default", "prompt_scheduler"]

    /// Decodes with defaults for absent keys.
    ///
    /// - Throws: ``PipelineError`` `.invalidParameter` naming an unknown key; `DecodingError`
    ///   for a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        try RequestKeys.rejectUnknown(
            in: decoder, known: Set(CodingKeys.allCases.map(\.rawValue)).union(Self.internalKeys), path: "animatediff.")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AnimateDiffSettings()
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
        enable = try c.decodeIfPresent(Bool.self, forKey: .enable) ?? d.enable
        format = try c.decodeIfPresent([String].self, forKey: .format) ?? d.format
        videoLength = try c.decodeIfPresent(Int.self, forKey: .videoLength) ?? d.videoLength
        fps = try c.decodeIfPresent(Int.self, forKey: .fps) ?? d.fps
        loopNumber = try c.decodeIfPresent(Int.self, forKey: .loopNumber) ?? d.loopNumber
        let loop = try c.decodeIfPresent(String.self, forKey: .closedLoop) ?? d.closedLoop.rawValue
        guard let mode = ClosedLoop(rawValue: loop) else {
            throw PipelineError(
                .invalidParameter, "closed_loop must be one of N, R-P, R+P, A; got \"\(loop)\"",
                field: "animatediff.closed_loop")
        }
        closedLoop = mode
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        stride = try c.decodeIfPresent(Int.self, forKey: .stride) ?? d.stride
        overlap = try c.decodeIfPresent(Int.self, forKey: .overlap) ?? d.overlap
        interp = try c.decodeIfPresent(String.self, forKey: .interp) ?? d.interp
        interpX = try c.decodeIfPresent(Int.self, forKey: .interpX) ?? d.interpX
        videoSource = try c.decodeIfPresent(String.self, forKey: .videoSource)
        videoPath = try c.decodeIfPresent(String.self, forKey: .videoPath) ?? d.videoPath
        maskPath = try c.decodeIfPresent(String.self, forKey: .maskPath) ?? d.maskPath
        freeinitEnable = try c.decodeIfPresent(Bool.self, forKey: .freeinitEnable) ?? d.freeinitEnable
        freeinitFilter = try c.decodeIfPresent(String.self, forKey: .freeinitFilter) ?? d.freeinitFilter
        freeinitDs = try c.decodeIfPresent(Double.self, forKey: .freeinitDs) ?? d.freeinitDs
        freeinitDt = try c.decodeIfPresent(Double.self, forKey: .freeinitDt) ?? d.freeinitDt
        freeinitIters = try c.decodeIfPresent(Int.self, forKey: .freeinitIters) ?? d.freeinitIters
        latentPower = try c.decodeIfPresent(Double.self, forKey: .latentPower) ?? d.latentPower
        latentScale = try c.decodeIfPresent(Double.self, forKey: .latentScale) ?? d.latentScale
        lastFrame = try c.decodeIfPresent(String.self, forKey: .lastFrame)
        latentPowerLast = try c.decodeIfPresent(Double.self, forKey: .latentPowerLast) ?? d.latentPowerLast
        latentScaleLast = try c.decodeIfPresent(Double.self, forKey: .latentScaleLast) ?? d.latentScaleLast
        requestId = try c.decodeIfPresent(String.self, forKey: .requestId) ?? d.requestId
    }

    /// The frames rendered per video: max(L, B), with L = 0 meaning B.
    public var renderedFrames: Int { max(resolvedVideoLength, batchSize) }

    /// L with 0 replaced by the context size.
    public var resolvedVideoLength: Int { videoLength == 0 ? batchSize : videoLength }

    /// The overlap with −1 replaced by B/4.
    public var resolvedOverlap: Int { overlap == -1 ? batchSize / 4 : overlap }

    /// Checks every value; `maximumContext` is the motion module's positional-table length
    /// when known.
    ///
    /// - Throws: ``PipelineError`` naming the first field at fault.
    public func validate(maximumContext: Int? = nil, isImageToImage: Bool) throws {
        func fail(_ field: String, _ message: String, kind: PipelineError.Kind = .invalidParameter) -> PipelineError {
            PipelineError(kind, "\(field) \(message)", field: "animatediff." + field)
        }
        guard enable else {
            throw fail("enable", "is false: this service renders AnimateDiff videos only", kind: .unsupported)
        }
        let formats: Set<String> = ["GIF", "MP4", "WEBP", "WEBM", "PNG", "TXT", "Frame"]
        if let unknown = format.first(where: { !formats.contains($0) }) {
            throw fail("format", "has unknown entry \"\(unknown)\"; known: GIF, MP4, WEBP, WEBM, PNG, TXT, Frame")
        }
        guard format.contains(where: { ["GIF", "MP4", "WEBP", "WEBM", "PNG"].contains($0) }) else {
            throw fail("format", "needs at least one of GIF, MP4, WEBP, WEBM, PNG")
        }
        guard videoLength >= 0 else { throw fail("video_length", "must be ≥ 0, got \(videoLength)") }
        guard videoLength <= 10_000 else { throw fail("video_length", "must be ≤ 10000, got \(videoLength)") }
        guard fps > 0 else { throw fail("fps", "must be > 0, got \(fps)") }
        guard loopNumber >= 0 else { throw fail("loop_number", "must be ≥ 0, got \(loopNumber)") }
        guard batchSize >= 1 else { throw fail("batch_size", "must be ≥ 1, got \(batchSize)") }
        if let maximumContext, batchSize > maximumContext {
            throw fail("batch_size", "\(batchSize) exceeds the motion module's \(maximumContext) positions")
        }
        guard stride >= 1 else { throw fail("stride", "must be ≥ 1, got \(stride)") }
        guard overlap == -1 || (0..<batchSize).contains(overlap) else {
            throw fail("overlap", "must be -1 or between 0 and batch_size - 1 (\(batchSize - 1)), got \(overlap)")
        }
        guard interp == "Off" else {
            throw fail("interp", "\"\(interp)\": frame interpolation is not supported", kind: .unsupported)
        }
        guard !freeinitEnable else {
            throw fail("freeinit_enable", "is true: FreeInit is not supported", kind: .unsupported)
        }
        guard (videoSource ?? "").isEmpty, videoPath.isEmpty, maskPath.isEmpty else {
            throw fail(
                "video_source", "/ video_path / mask_path: ControlNet video sources are not supported",
                kind: .unsupported)
        }
        for (field, value) in [
            ("latent_power", latentPower), ("latent_scale", latentScale),
            ("latent_power_last", latentPowerLast), ("latent_scale_last", latentScaleLast),
        ] {
            guard value.isFinite, value > 0 else { throw fail(field, "must be a positive number, got \(value)") }
        }
        if lastFrame != nil {
            guard isImageToImage else { throw fail("last_frame", "needs an init image (img2img)") }
            guard resolvedVideoLength >= 2 else { throw fail("last_frame", "needs a video of at least 2 frames") }
        }
    }
}
