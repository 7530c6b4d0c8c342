import ADiffTensor

/// A video's ``FrameNoise`` shared by the sampler's draw callback and the pipeline (the
/// sampler API takes closures, which cannot hold an `inout` value).
final class NoiseBox {
    private var noise: FrameNoise

    init(_ noise: FrameNoise) {
        self.noise = noise
    }

    /// The starting noise `[rows, h, w, 4]`.
    func first() throws -> Tensor { try noise.first() }

    /// The next stacked draw.
    func next() -> [Float] { noise.next() }
}
