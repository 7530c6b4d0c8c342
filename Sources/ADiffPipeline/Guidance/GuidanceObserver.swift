/// The channel between a running sampler loop and its caller: progress reports, the
/// cancellation check, and the sampler step the reports refer to.
///
/// One observer serves one generation on one thread; the sampler's per-step callback
/// advances ``completedSteps`` while the denoiser reports windows.
public final class GuidanceObserver {
    /// Receives reports.
    public let progress: (PipelineProgress) -> Void
    /// Polled before every window; `true` stops the generation.
    public let isCancelled: () -> Bool
    /// 0-based video being rendered.
    public var video = 0
    /// Videos in the job.
    public var videos = 1
    /// Sampler steps done in the current video.
    public var completedSteps = 0
    /// Sampler steps of the current video.
    public var totalSteps = 0

    /// Creates an observer.
    public init(
        progress: @escaping (PipelineProgress) -> Void = { _ in }, isCancelled: @escaping () -> Bool = { false }
    ) {
        self.progress = progress
        self.isCancelled = isCancelled
    }

    /// Throws ``PipelineError`` `.cancelled` when the caller asked to stop.
    public func checkCancellation() throws {
        if isCancelled() { throw PipelineError.cancelledByCaller }
    }

    /// Reports the window just evaluated.
    func reportWindow(_ window: Int, of windows: Int) {
        progress(
            PipelineProgress(
                phase: .sampling, video: video, videos: videos, step: completedSteps, steps: totalSteps, window: window,
                windows: windows))
    }
}
