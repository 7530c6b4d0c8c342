import ADiffMedia
import ADiffProtocol

/// A validated `generate` request with every default filled in: what the engine receives.
/// Field names follow the WebUI / extension API names in lower camel case.
public struct GenerationRequest: Sendable {
    /// The extension's settings, resolved (`overlap` −1 already replaced, `video_length`
    /// 0 already replaced by the context batch size).
    public struct AnimateDiff: Sendable, Equatable {
        /// Output formats to write.
        public var formats: Set<OutputFormat>
        /// Frames per video (L).
        public var videoLength: Int
        /// Frames per second.
        public var fps: Int
        /// GIF/WEBP loop count, 0 = forever.
        public var loopNumber: Int
        /// `N`, `R-P`, `R+P` or `A`.
        public var closedLoop: String
        /// Context window size B.
        public var contextBatchSize: Int
        /// Context stride.
        public var stride: Int
        /// Context overlap (resolved).
        public var overlap: Int
        /// Frame interpolation (`Off`).
        public var interp: String
        /// Interpolation factor.
        public var interpX: Int
        /// FreeInit switch.
        public var freeinitEnable: Bool
        /// FreeInit filter name.
        public var freeinitFilter: String
        /// FreeInit spatial stop frequency.
        public var freeinitDs: Double
        /// FreeInit temporal stop frequency.
        public var freeinitDt: Double
        /// FreeInit iterations.
        public var freeinitIters: Int
        /// img2vid latent power of the first frame.
        public var latentPower: Double
        /// img2vid latent scale of the first frame.
        public var latentScale: Double
        /// img2vid latent power of the last frame.
        public var latentPowerLast: Double
        /// img2vid latent scale of the last frame.
        public var latentScaleLast: Double
        /// File-name suffix and infotext field.
        public var requestId: String?
    }

    /// Positive prompt (prompt travel allowed).
    public var prompt: String
    /// Negative prompt.
    public var negativePrompt: String
    /// Sampler steps.
    public var steps: Int
    /// A1111 sampler name.
    public var samplerName: String
    /// A1111 schedule type.
    public var scheduler: String
    /// CFG scale.
    public var cfgScale: Double
    /// Seed of frame 0 of the first video (−1 already replaced by a random seed).
    public var seed: Int64
    /// Variation seed (resolved).
    public var subseed: Int64
    /// Variation strength.
    public var subseedStrength: Double
    /// Frame width in pixels.
    public var width: Int
    /// Frame height in pixels.
    public var height: Int
    /// Videos generated one after another.
    public var nIter: Int
    /// img2vid strength, when ``initImage`` is set.
    public var denoisingStrength: Double
    /// Sampler eta, if given.
    public var eta: Double?
    /// Sampler churn, if given.
    public var sChurn: Double?
    /// Sampler t-max, if given.
    public var sTmax: Double?
    /// Sampler t-min, if given.
    public var sTmin: Double?
    /// Sampler noise, if given.
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
