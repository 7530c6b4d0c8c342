/// The extension's `animatediff` parameter object, with its API names (sd-webui-animatediff
/// `AnimateDiffProcess`). Absent fields take the extension's defaults when the daemon
/// validates the request; unknown keys are rejected, as the extension's constructor does.
public struct AnimateDiffParams: Sendable, Equatable, Codable {
    /// Motion module, named as for `models.load` (default `mm_sd15_v3.safetensors`).
    public var model: String?
    /// Must be true when given: adiffd only makes videos.
    public var enable: Bool?
    /// Output formats: subset of GIF, MP4, WEBP, WEBM, PNG, TXT (default: the daemon's
    /// `default_formats`). `Frame` (API base64 frames) is not supported: outputs are files.
    public var format: [String]?
    /// Frames L (0 = the context batch size).
    public var videoLength: Int?
    /// Frames per second (default 8).
    public var fps: Int?
    /// GIF/WEBP loop count, 0 = forever.
    public var loopNumber: Int?
    /// `N`, `R-P` (default), `R+P` or `A`.
    public var closedLoop: String?
    /// Context batch size B (default 16).
    public var batchSize: Int?
    /// Context stride (default 1).
    public var stride: Int?
    /// Context overlap (-1 = B/4).
    public var overlap: Int?
    /// `Off` (FILM interpolation is not available).
    public var interp: String?
    /// Interpolation factor (unused while `interp` is `Off`).
    public var interpX: Int?
    /// ControlNet video source (not supported yet: must be absent or empty).
    public var videoSource: String?
    /// ControlNet frame folder (not supported yet: must be absent or empty).
    public var videoPath: String?
    /// ControlNet mask folder (not supported yet: must be absent or empty).
    public var maskPath: String?
    /// FreeInit switch and settings.
    public var freeinitEnable: Bool?
    public var freeinitFilter: String?
    public var freeinitDs: Double?
    public var freeinitDt: Double?
    public var freeinitIters: Int?
    /// img2vid latent weighting of the init image.
    public var latentPower: Double?
    public var latentScale: Double?
    /// img2vid last frame: a file path under an input root (not base64).
    public var lastFrame: String?
    public var latentPowerLast: Double?
    public var latentScaleLast: Double?
    /// File-name suffix and infotext field.
    public var requestId: String?
    /// Internal flags of the extension, accepted and ignored.
    public var isI2iBatch: Bool?
    public var videoDefault: Bool?
    public var promptScheduler: JSONValue?

    /// Creates an empty object (every field takes its default).
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, enable, format
        case videoLength = "video_length"
        case fps
        case loopNumber = "loop_number"
        case closedLoop = "closed_loop"
        case batchSize = "batch_size"
        case stride, overlap, interp
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
        case isI2iBatch = "is_i2i_batch"
        case videoDefault = "video_default"
        case promptScheduler = "prompt_scheduler"
    }

    /// The API names this object accepts.
    public static let keys: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))
}
