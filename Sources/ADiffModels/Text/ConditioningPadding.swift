import ADiffTensor

/// How the WebUI makes encoded prompts of different lengths fit one batch
/// (a1111-compat.md §1.11). Contexts are `[rows, width]` with rows = 77·chunks.
public enum ConditioningPadding {
    /// Conds stacked into one CFG batch (all images × all `AND` sub-prompts): each shorter one is
    /// extended by repeating its own last row (its final EOS position) up to the longest.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` for contexts that are not `[rows ≥ 1, width ≥ 1]`
    ///   of one width.
    public static func repeatingLastRow(_ contexts: [Tensor]) throws -> [Tensor] {
        let width = try commonWidth(contexts)
        let rows = contexts.map { $0.shape[0] }.max() ?? 0
        return contexts.map { context in
            let have = context.shape[0]
            guard have < rows else { return context }
            var padded = Tensor(uninitialized: [rows, width])
            context.withUnsafeBufferPointer { source in
                padded.withUnsafeMutableBufferPointer { destination in
                    let base = destination.baseAddress!
                    base.update(from: source.baseAddress!, count: have * width)
                    let last = source.baseAddress! + (have - 1) * width
                    for row in have..<rows { (base + row * width).update(from: last, count: width) }
                }
            }
            return padded
        }
    }

    /// The "Pad prompt/negative prompt" option (`pad_cond_uncond`): when cond and uncond have
    /// different lengths, the shorter one gets copies of the empty prompt's encoding (`empty`,
    /// `encode("")`, 77 rows) appended, `(longer − shorter) / 77` of them (integer division, as
    /// the WebUI does), so both can run in one UNet batch. Without the option the WebUI runs
    /// them in separate passes and nothing is padded.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` for mismatched widths or an empty `empty`.
    public static func padWithEmptyPrompt(cond: Tensor, uncond: Tensor, empty: Tensor) throws -> (
        cond: Tensor, uncond: Tensor
    ) {
        _ = try commonWidth([cond, uncond, empty])
        let difference = cond.shape[0] - uncond.shape[0]
        let repeats = difference / empty.shape[0]
        if repeats > 0 { return (cond, try Concat.batch([uncond] + Array(repeating: empty, count: repeats))) }
        if repeats < 0 { return (try Concat.batch([cond] + Array(repeating: empty, count: -repeats)), uncond) }
        return (cond, uncond)
    }

    /// "Pad conds v0" (DDIM/PLMS before WebUI 1.6): a shorter uncond repeats its last row up to
    /// the cond's length; a longer uncond is cut to it. The cond is never changed.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` for mismatched widths.
    public static func padUncondV0(cond: Tensor, uncond: Tensor) throws -> Tensor {
        let width = try commonWidth([cond, uncond])
        let rows = cond.shape[0]
        if uncond.shape[0] < rows { return try repeatingLastRow([cond, uncond])[1] }
        if uncond.shape[0] > rows {
            return Tensor(shape: [rows, width], scalars: Array(uncond.scalars.prefix(rows * width)))
        }
        return uncond
    }

    private static func commonWidth(_ contexts: [Tensor]) throws -> Int {
        guard let width = contexts.first?.shape.last, width > 0,
            contexts.allSatisfy({ $0.rank == 2 && $0.shape[0] > 0 && $0.shape[1] == width })
        else {
            throw ModelError(
                .invalidInput, "conditioning must be [rows ≥ 1, width] of one width, got \(contexts.map(\.shape))")
        }
        return width
    }
}
