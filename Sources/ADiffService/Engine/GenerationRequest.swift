import ADiffMedia
import ADiffProtocol

/// A validated `generate` request with every default filled in: what the engine receives.
/// Field names follow the WebUI / extension API names in lower camel case.
public struct GenerationRequest: Sendable {
    /// The extension's settings, resolved (`overlap` −1 already replaced, `video_length`
    /// 0 already replaced by the context batch size).
    public struct AnimateDiff: Sendable, Equatable {
        public var formats: Set<OutputFormat>
        public var videoLength: Int
        public var fps: Int
        public var loopNumber: Int
        public var closedLoop: String
        public var contextBatchSize: Int
        public var stride: Int
        public var overlap: Int
        public var interp: String
        public var interpX: Int
        public var freeinitEnable: Bool
        public var freeinitFilter: String
        public var freeinitDs: Double
        public var freeinitDt: Double
        public var freeinitIters: Int
        public var latentPower: Double
        public var latentScale: Double
        public var latentPowerLast: Double
        public var latentScaleLast: Double
        public var requestId: String?
    }

    public var prompt: String
    public var negativePrompt: String
    public var steps: Int
    public var samplerName: String
    public var scheduler: String
    public var cfgScale: Double
    /// Seed of frame 0 of the first video (−1 already replaced by a random seed).
    public var seed: Int64
    public var subseed: Int64
    public var subseedStrength: Double
    public var width: Int
    public var height: Int
    /// Videos generated one after another.
    public var nIter: Int
    /// img2vid strength, when ``initImage`` is set.
    public var denoisingStrength: Double
    public var eta: Double?
    public var sChurn: Double?
    public var sTmax: Double?
    public var sTmin: Double?
    public var sNoise: Double?
    /// Clip skip (`CLIP_stop_at_last_layers`, 1 = none).
    public var clipSkip: Int
    /// `eta_noise_seed_delta` (ENSD).
    public var etaNoiseSeedDelta: Int
    /// `randn_source`: `GPU` (default, A1111's), `CPU` or `NV`.
    public var randnSource: String
    /// Whether `<lora:…>` tags are ignored.
    public var disableExtraNetworks: Bool
    /// img2vid first frame and last frame, opened beneath an input root.
    public var initImage: ConfinedFile?
    public var lastFrame: ConfinedFile?
    /// The extension's settings.
    public var animateDiff: AnimateDiff
}
