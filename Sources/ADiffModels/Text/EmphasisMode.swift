import ADiffTensor

/// The WebUI's "Emphasis mode" option (compatibility spec §1.10): how bracket weights are parsed
/// and applied to the text-encoder output.
public enum EmphasisMode: String, Sendable, Hashable, CaseIterable {
    /// Scale by the multipliers, then restore the mean of the whole batch of encoded chunks. Default.
    case original = "Original"
    /// Scale by the multipliers only.
    case noNorm = "No norm"
    /// Parse brackets and `BREAK`, but do not scale.
    case ignore = "Ignore"
    /// Do not parse at all: brackets and `BREAK` are plain text, every weight is 1.
    case none = "None"

    /// The fragments of `text` under this mode.
    /// - Throws: `TextError.promptSyntax` from `PromptEmphasisParser` (not in `.none`).
    public func fragments(of text: String) throws(TextError) -> [PromptFragment] {
        self == .none ? [PromptFragment(text, weight: 1)] : try PromptEmphasisParser.parse(text)
    }

    /// Applies the mode to encoder output in place.
    ///
    /// `z` holds `rows × channels` Floats, row-major, rows being the 77 positions of every chunk
    /// encoded together (for `.original` the mean is over all of them: all schedule variants of one
    /// prompt for the same chunk index, as in the WebUI). `multipliers` has one entry per row.
    /// Means are accumulated in Float64.
    /// - Throws: `TextError.invalidArgument` if the sizes disagree.
    public func apply(to z: inout [Float], channels: Int, multipliers: [Float]) throws(TextError) {
        try Self.checkShape(count: z.count, channels: channels, rows: multipliers.count)
        z.withUnsafeMutableBufferPointer { apply(to: $0, channels: channels, multipliers: multipliers) }
    }

    /// Applies the mode to an encoder output tensor `[..., rows, channels]` in place (see the
    /// array form); the last dimension is the channel axis.
    /// - Throws: `TextError.invalidArgument` if the sizes disagree.
    public func apply(to z: inout Tensor, multipliers: [Float]) throws(TextError) {
        let channels = z.shape.last ?? 0
        try Self.checkShape(count: z.count, channels: channels, rows: multipliers.count)
        z.withUnsafeMutableBufferPointer { apply(to: $0, channels: channels, multipliers: multipliers) }
    }

    private static func checkShape(count: Int, channels: Int, rows: Int) throws(TextError) {
        guard channels > 0, count == rows * channels else {
            throw TextError(.invalidArgument, "emphasis: \(count) values are not \(rows) rows × \(channels) channels")
        }
    }

    private func apply(to z: UnsafeMutableBufferPointer<Float>, channels: Int, multipliers: [Float]) {
        switch self {
        case .ignore, .none:
            return
        case .noNorm:
            Self.scale(z, channels: channels, multipliers: multipliers)
        case .original:
            let originalMean = Self.mean(z)
            Self.scale(z, channels: channels, multipliers: multipliers)
            let factor = Float(originalMean / Self.mean(z))
            for index in z.indices { z[index] *= factor }
        }
    }

    private static func scale(_ z: UnsafeMutableBufferPointer<Float>, channels: Int, multipliers: [Float]) {
        for (row, multiplier) in multipliers.enumerated() where multiplier != 1 {
            for index in (row * channels)..<((row + 1) * channels) { z[index] *= multiplier }
        }
    }

    private static func mean(_ values: UnsafeMutableBufferPointer<Float>) -> Double {
        values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    }
}
