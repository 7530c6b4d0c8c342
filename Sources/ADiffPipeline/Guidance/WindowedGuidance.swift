import ADiffModels
import ADiffTensor

/// The extension's windowed UNet evaluation with classifier-free guidance
/// (animatediff-behaviour §3.3, a1111-compat §4.8).
///
/// Each call (one model evaluation of the sampler) takes the context windows of the call
/// counter, and for each window runs the noise predictor on the window's frames for cond and
/// uncond: in one call of `2·window` rows (cond video first, then uncond, each branch its own
/// motion-module group), or in two calls. Windows are combined by overwrite (the extension) or
/// averaging. The call counter also drives prompt editing and the window rotation, so it
/// counts model evaluations, as the extension's `denoiser.step` does.
public final class WindowedGuidance {
    private let predictor: any NoisePredictor
    private let conditioning: VideoConditioning
    private let windows: ContextWindowScheduler
    private let options: GuidanceOptions
    private let observer: GuidanceObserver
    /// `[rows, h, w, c]` of the latents.
    public let latentShape: [Int]
    /// Each row's CFG weight (multiplies the guidance scale).
    public var rowWeights: [Float] { conditioning.rowWeights }
    /// Model evaluations so far (the WebUI's CFG-denoiser step counter).
    public private(set) var calls = 0
    /// Whether the uncond branch is evaluated (false when guidance scale is 1, where the
    /// guided result is the cond prediction itself).
    public let evaluatesUncond: Bool

    /// Creates the evaluator.
    ///
    /// - Parameters:
    ///   - latentShape: `[rows, h, w, c]`; rows = max(video_length, context).
    ///   - evaluatesUncond: false skips the uncond branch (CFG scale 1).
    public init(
        predictor: any NoisePredictor, conditioning: VideoConditioning, windows: ContextWindowScheduler,
        options: GuidanceOptions, latentShape: [Int], evaluatesUncond: Bool, observer: GuidanceObserver
    ) {
        self.predictor = predictor
        self.conditioning = conditioning
        self.windows = windows
        self.options = options
        self.latentShape = latentShape
        self.evaluatesUncond = evaluatesUncond
        self.observer = observer
    }

    /// `U + (C − U)·(weight·scale)` per row, as the WebUI combines a single sub-prompt.
    public func combine(cond: [Float], uncond: [Float], scale: Float) -> [Float] {
        let frameSize = latentShape.dropFirst().reduce(1, *)
        let weights = conditioning.rowWeights
        return (0..<cond.count).map { uncond[$0] + (cond[$0] - uncond[$0]) * (weights[$0 / frameSize] * scale) }
    }

    /// ε for every row, cond and (if evaluated) uncond, from the model input `scaledInput`
    /// (already multiplied by c_in) at `timestep`; advances the call counter.
    ///
    /// - Throws: ``PipelineError`` `.cancelled` before a window when the caller asked to stop,
    ///   `.modelFailure` when the predictor fails.
    public func predict(scaledInput: [Float], timestep: Float) throws -> (cond: [Float], uncond: [Float]?) {
        let call = calls
        calls += 1
        let frameSize = latentShape.dropFirst().reduce(1, *)
        let rows = latentShape[0]
        let input = Tensor(shape: latentShape, scalars: scaledInput)
        var cond = [Float](repeating: 0, count: scaledInput.count)
        var uncond = [Float](repeating: 0, count: evaluatesUncond ? scaledInput.count : 0)
        var coverage = [Float](repeating: 0, count: rows)
        let schedule = windows.windows(step: call)
        for (index, window) in schedule.enumerated() {
            try observer.checkCancellation()
            let latents = try gather(input, rows: window)
            let text = try conditioning.conditioning(rows: window, call: call)
            let (c, u) = try evaluate(latents: latents, text: text, timestep: timestep, frames: window.count)
            let overwrite = options.windowCombine == .overwrite
            for (position, row) in window.enumerated() {
                let source = position * frameSize
                let target = row * frameSize
                c.withUnsafeBufferPointer { values in
                    for i in 0..<frameSize {
                        cond[target + i] = overwrite ? values[source + i] : cond[target + i] + values[source + i]
                    }
                }
                u?.withUnsafeBufferPointer { values in
                    for i in 0..<frameSize {
                        uncond[target + i] = overwrite ? values[source + i] : uncond[target + i] + values[source + i]
                    }
                }
                coverage[row] = overwrite ? 1 : coverage[row] + 1
            }
            observer.reportWindow(index + 1, of: schedule.count)
        }
        if options.windowCombine == .average {
            for row in 0..<rows where coverage[row] > 1 {
                let count = coverage[row]
                for i in (row * frameSize)..<((row + 1) * frameSize) { cond[i] /= count }
                if evaluatesUncond {
                    for i in (row * frameSize)..<((row + 1) * frameSize) { uncond[i] /= count }
                }
            }
        }
        return (cond, evaluatesUncond ? uncond : nil)
    }

    /// Runs one window: both branches in one call when allowed and possible, else one call
    /// per branch.
    private func evaluate(latents: Tensor, text: (cond: Tensor, uncond: Tensor), timestep: Float, frames: Int) throws
        -> (Tensor, Tensor?)
    {
        guard evaluatesUncond else {
            return (try run(latents, text.cond, timestep: timestep, frames: frames), nil)
        }
        if options.batchCondUncond && text.cond.shape == text.uncond.shape {
            do {
                let both = try run(
                    Concat.batch([latents, latents]), Concat.batch([text.cond, text.uncond]), timestep: timestep,
                    frames: frames)
                return (try both.batchSlice(0..<frames), try both.batchSlice(frames..<(2 * frames)))
            } catch let error as TensorError {
                throw PipelineError(.modelFailure, "UNet batch: \(error.message)")
            }
        }
        return (
            try run(latents, text.cond, timestep: timestep, frames: frames),
            try run(latents, text.uncond, timestep: timestep, frames: frames)
        )
    }

    private func run(_ latents: Tensor, _ context: Tensor, timestep: Float, frames: Int) throws -> Tensor {
        let output: Tensor
        do {
            output = try predictor.predictNoise(
                latents: latents, timesteps: Array(repeating: timestep, count: latents.shape[0]), context: context,
                framesPerVideo: frames)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.modelFailure, "UNet: \(error)")
        }
        guard output.shape == latents.shape else {
            throw PipelineError(.modelFailure, "UNet returned shape \(output.shape) for input \(latents.shape)")
        }
        return output
    }

    /// Rows `rows` of `input`, in that order.
    private func gather(_ input: Tensor, rows: [Int]) throws -> Tensor {
        let frameSize = latentShape.dropFirst().reduce(1, *)
        var out = Tensor(uninitialized: [rows.count] + latentShape.dropFirst())
        input.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (position, row) in rows.enumerated() {
                    (target.baseAddress! + position * frameSize).update(
                        from: source.baseAddress! + row * frameSize, count: frameSize)
                }
            }
        }
        return out
    }
}
