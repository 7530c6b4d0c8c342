/// Where a generation is, reported at least once per UNet window while sampling and once per
/// decoded frame.
public struct PipelineProgress: Sendable, Equatable {
    /// The stage of the generation.
    public enum Phase: String, Sendable, Codable {
        /// Text conditioning is being computed.
        case encodingPrompts
        /// Init images are being VAE-encoded.
        case encodingImages
        /// The sampler is running.
        case sampling
        /// Latents are being decoded to frames.
        case decoding
    }

    /// The stage.
    public var phase: Phase
    /// 0-based index of the video being rendered (batch count).
    public var video: Int
    /// Videos in the job.
    public var videos: Int
    /// Sampler steps completed (sampling) or frames decoded (decoding).
    public var step: Int
    /// Sampler steps (sampling) or frames (decoding) in all.
    public var steps: Int
    /// 1-based context window just evaluated in the current model call, 0 outside sampling.
    public var window: Int
    /// Windows per model call, 0 outside sampling.
    public var windows: Int

    /// Creates a progress report.
    public init(phase: Phase, video: Int, videos: Int, step: Int, steps: Int, window: Int = 0, windows: Int = 0) {
        self.phase = phase
        self.video = video
        self.videos = videos
        self.step = step
        self.steps = steps
        self.window = window
        self.windows = windows
    }
}
