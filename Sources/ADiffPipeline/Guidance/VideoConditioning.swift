import ADiffModels
import ADiffTensor

/// The text conditioning of every frame at every denoiser call: prompt travel keyframes
/// (animatediff-behaviour §5) × prompt editing schedules (a1111-compat §1.3), with the WebUI's
/// padding rules (§1.11).
///
/// Per call, each keyframe's active schedule entry is taken, the keyframes are padded to the
/// longest by repeating their last row, every frame gets the slerp of its two keyframes, and,
/// when cond and uncond lengths differ and padding is on, the shorter side gets copies of the
/// empty prompt's encoding appended. Unlike the extension (which freezes the travel
/// conditioning at the first call), prompt editing stays live under prompt travel.
public struct VideoConditioning: Sendable {
    /// One prompt's schedule and the encoding of each of its texts.
    struct ScheduledPrompt: Sendable {
        let schedule: PromptSchedule
        let conditionings: [Tensor]

        func active(atCall call: Int) -> Tensor { conditionings[schedule.activeIndex(atCall: call)] }
    }

    let keyframes: [ScheduledPrompt]
    let blends: [PromptTravel.Blend]
    let negative: ScheduledPrompt
    let emptyPrompt: Tensor?
    /// The extra-network tags of the positive prompt (every keyframe line, head and tail), in
    /// prompt order, one per network.
    public let networks: [NetworkActivation]
    /// The parsed prompt travel, when the prompt uses it.
    public let travel: PromptTravel?
    /// Each row's CFG weight: the `:number` suffix of the prompt the WebUI assigns the frame.
    public let rowWeights: [Float]

    /// Encodes everything a video needs.
    ///
    /// - Parameters:
    ///   - frameCount: Frames of the video (`video_length`, L): keyframes must be below it.
    ///   - rows: Latent rows rendered (max(L, B)); every row gets a conditioning.
    ///   - wrapsPrompts: Whether travel interpolates across the loop (R+P / A with L > B).
    ///   - scheduleSteps: Steps prompt editing counts in (doubled for second-order samplers).
    ///   - padCondUncond: Whether the empty prompt's encoding is needed for padding.
    /// - Throws: ``PipelineError`` `.invalidPromptTravel`, `.invalidParameter` for a bad
    ///   extra-network tag, `.modelFailure` from the encoder.
    public init(
        prompt: String, negativePrompt: String, frameCount: Int, rows: Int, wrapsPrompts: Bool, scheduleSteps: Int,
        clipSkip: Int, encoder: any PromptEncoding, padCondUncond: Bool
    ) throws {
        let travel = try PromptTravel(prompt: prompt, frameCount: frameCount)
        let prompts = travel.isActive ? travel.keyframes.map(\.prompt) : [prompt]
        let (withoutTags, networks) = try PromptNetworks.extract(from: prompts)
        self.networks = networks
        let composed = try withoutTags.map(ComposablePrompt.parse)
        let stripped = composed.map(\.text)
        // The host's per-frame prompt: "" (weight 1) before the first keyframe, then the
        // latest keyframe's prompt; the CFG weight follows it.
        rowWeights = (0..<rows).map { row in
            guard travel.isActive else { return composed[0].weight }
            guard let index = travel.keyframes.lastIndex(where: { $0.frame <= row }) else { return 1 }
            return composed[index].weight
        }
        var cache: [String: ScheduledPrompt] = [:]
        func scheduled(_ text: String) throws -> ScheduledPrompt {
            if let hit = cache[text] { return hit }
            let schedule = PromptSchedule(prompt: text, steps: scheduleSteps)
            let encoded = try Self.encode(schedule.texts, clipSkip: clipSkip, encoder: encoder)
            let result = ScheduledPrompt(schedule: schedule, conditionings: encoded)
            cache[text] = result
            return result
        }
        keyframes = try stripped.map(scheduled)
        negative = try scheduled(negativePrompt)
        blends = (0..<rows).map { row in
            travel.isActive
                ? travel.blend(forFrame: row, frameCount: rows, closed: wrapsPrompts)
                : PromptTravel.Blend(from: 0, to: 0, t: 0)
        }
        let condLengths = Set(keyframes.flatMap(\.conditionings).map { $0.shape[0] })
        let uncondLengths = Set(negative.conditionings.map { $0.shape[0] })
        emptyPrompt =
            padCondUncond && condLengths.union(uncondLengths).count > 1
            ? try Self.encode([""], clipSkip: clipSkip, encoder: encoder)[0] : nil
        self.travel = travel.isActive ? travel : nil
    }

    /// Cond rows `[rows.count, tokens, width]` and uncond rows `[rows.count, tokens′, width]`
    /// for latent rows `rows` at denoiser call `call`. Token counts are equal whenever padding
    /// can make them so.
    ///
    /// - Throws: ``PipelineError`` `.modelFailure` when encodings have different widths.
    public func conditioning(rows: [Int], call: Int) throws -> (cond: Tensor, uncond: Tensor) {
        var active = keyframes.map { $0.active(atCall: call) }
        let longest = active.map { $0.shape[0] }.max() ?? 0
        active = active.map { Self.repeatingLastRow($0, to: longest) }
        var uncond = negative.active(atCall: call)
        var blended: [(blend: PromptTravel.Blend, value: Tensor)] = []
        var condRows: [Tensor] = []
        do {
            for row in rows {
                let blend = blends[row]
                if blend.from == blend.to {
                    condRows.append(active[blend.from])
                } else if let hit = blended.first(where: { $0.blend == blend }) {
                    condRows.append(hit.value)
                } else {
                    let value = try Slerp.wholeTensor(active[blend.from], active[blend.to], t: blend.t)
                    blended.append((blend, value))
                    condRows.append(value)
                }
            }
            if let empty = emptyPrompt, longest != uncond.shape[0] {
                let repeats = Int((Double(longest - uncond.shape[0]) / Double(empty.shape[0])).rounded(.down))
                if repeats < 0 {
                    condRows = try condRows.map { try Self.appending(empty, times: -repeats, to: $0) }
                } else if repeats > 0 {
                    uncond = try Self.appending(empty, times: repeats, to: uncond)
                }
            }
            let cond = try Concat.batch(condRows.map { $0.reshaped([1] + $0.shape) })
            let uncondRows = try Concat.batch(Array(repeating: uncond.reshaped([1] + uncond.shape), count: rows.count))
            return (cond, uncondRows)
        } catch let error as TensorError {
            throw PipelineError(.modelFailure, "text conditioning: \(error.message)")
        }
    }

    private static func encode(_ texts: [String], clipSkip: Int, encoder: any PromptEncoding) throws -> [Tensor] {
        let encoded: [Tensor]
        do {
            encoded = try encoder.encode(texts, clipSkip: clipSkip)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.modelFailure, "text encoder: \(error)")
        }
        guard encoded.count == texts.count, encoded.allSatisfy({ $0.rank == 2 && $0.shape[0] > 0 }) else {
            throw PipelineError(
                .modelFailure, "text encoder returned \(encoded.count) tensors for \(texts.count) texts")
        }
        return encoded
    }

    /// `tensor` `[t, c]` extended to `[count, c]` with copies of its last row.
    static func repeatingLastRow(_ tensor: Tensor, to count: Int) -> Tensor {
        let rows = tensor.shape[0]
        guard count > rows else { return tensor }
        let width = tensor.shape[1]
        var values = tensor.scalars
        let last = Array(values[((rows - 1) * width)...])
        for _ in rows..<count { values += last }
        return Tensor(shape: [count, width], scalars: values)
    }

    /// `tensor` with `times` copies of `block` appended along the token axis.
    private static func appending(_ block: Tensor, times: Int, to tensor: Tensor) throws -> Tensor {
        guard block.shape[1] == tensor.shape[1] else {
            throw TensorError(.shapeMismatch, "empty-prompt width \(block.shape[1]) ≠ \(tensor.shape[1])")
        }
        var values = tensor.scalars
        for _ in 0..<times { values += block.scalars }
        return Tensor(shape: [tensor.shape[0] + times * block.shape[0], tensor.shape[1]], scalars: values)
    }
}
