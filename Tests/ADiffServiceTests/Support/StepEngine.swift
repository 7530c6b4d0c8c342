import ADiffMedia
import ADiffProtocol
import Foundation
@testable import ADiffService

/// A test engine: "denoises" for `steps × stepDelay`, reporting progress and honouring
/// cancellation each step, then returns plain colour frames. Lives in the tests only; the
/// real engine is the pipeline's.
struct StepEngine: GenerationEngine {
    var stepDelay: Duration = .milliseconds(20)

    func generate(
        _ job: GenerationJob, models: GenerationModels, progress: @escaping @Sendable (JobProgress) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) async throws -> GenerationResult {
        let request = job.request
        for step in 1...request.steps {
            if isCancelled() { throw CancellationError() }
            progress(JobProgress(jobId: job.id, phase: .denoise, step: step, steps: request.steps, window: 1, windows: 1))
            try await Task.sleep(for: stepDelay)
        }
        var videos: [GenerationResult.Video] = []
        var seeds: [Int64] = []
        for iteration in 0..<request.nIter {
            let seed = request.seed + Int64(iteration * request.animateDiff.videoLength)
            let frames = try (0..<request.animateDiff.videoLength).map { index in
                try Frame(width: request.width, height: request.height) { _, _ in (UInt8(index * 16 % 256), 64, 128) }
            }
            seeds += (0..<request.animateDiff.videoLength).map { seed + Int64($0) }
            videos.append(
                .init(
                    frames: try FrameSequence(frames: frames, fps: request.animateDiff.fps), seed: seed,
                    infotext: "\(request.prompt)\nSteps: \(request.steps), Seed: \(seed), Model: \(models.checkpoint.file.file.stem)"))
        }
        return GenerationResult(videos: videos, seeds: seeds)
    }
}
