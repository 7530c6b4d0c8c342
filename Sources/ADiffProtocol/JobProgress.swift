/// The `job.progress` notification: where a job is, sent at most a few times per second.
public struct JobProgress: Sendable, Equatable, Codable {
    /// The stages of a job, in order.
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case queued
        case loading
        case encodeText = "encode_text"
        case denoise
        case decode
        case encode
        case done
    }

    /// Server-assigned job id.
    public var jobId: String
    /// Current stage.
    public var phase: Phase
    /// Position in the queue (0 = next), while queued.
    public var queuePosition: Int?
    /// Sampler step (1-based) and total steps, while denoising.
    public var step: Int?
    public var steps: Int?
    /// Context window (1-based) within the step and windows per step, while denoising.
    public var window: Int?
    public var windows: Int?
    /// Frames decoded or encoded so far and the total, while decoding or encoding.
    public var frame: Int?
    public var frames: Int?
    /// Estimated milliseconds until the job ends.
    public var etaMs: Int?

    /// Creates a progress report.
    public init(
        jobId: String, phase: Phase, queuePosition: Int? = nil, step: Int? = nil, steps: Int? = nil,
        window: Int? = nil, windows: Int? = nil, frame: Int? = nil, frames: Int? = nil, etaMs: Int? = nil
    ) {
        self.jobId = jobId
        self.phase = phase
        self.queuePosition = queuePosition
        self.step = step
        self.steps = steps
        self.window = window
        self.windows = windows
        self.frame = frame
        self.frames = frames
        self.etaMs = etaMs
    }

    /// The method name of the notification.
    public static let method = "job.progress"
}
