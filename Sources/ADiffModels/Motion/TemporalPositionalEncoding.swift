import ADiffTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fixed sinusoidal table the motion module adds to the input of every temporal
/// attention (animatediff-behaviour.md §1.1): row p, channel 2i is `sin(p·10000^(−2i/C))`,
/// channel 2i+1 its cosine.
///
/// Computed, never read from a file's `pos_encoder.pe` buffer: the values depend only on the
/// row and the channel count (the original loader also recomputes them), and files such as
/// AnimateLCM store none.
enum TemporalPositionalEncoding {
    /// Rows `0..<frames` of the table for `channels` channels, `[frames, channels]`.
    ///
    /// Angles are formed in Double and the sine/cosine rounded once to Float, so the table
    /// is the correctly rounded value (PyTorch's float32 table differs by ≲ 2e-6 at row 31).
    static func table(frames: Int, channels: Int) -> Tensor {
        var values = [Float](repeating: 0, count: frames * channels)
        for row in 0..<frames {
            for pair in 0..<(channels + 1) / 2 {
                let frequency = exp(-log(10000.0) * Double(2 * pair) / Double(channels))
                let angle = Double(row) * frequency
                values[row * channels + 2 * pair] = Float(sin(angle))
                if 2 * pair + 1 < channels { values[row * channels + 2 * pair + 1] = Float(cos(angle)) }
            }
        }
        return Tensor(shape: [frames, channels], scalars: values)
    }
}
