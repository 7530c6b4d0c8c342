import ADiffTensor

/// The initial and per-step noise of a video's frames, as the WebUI's `ImageRNG` draws it for
/// the images of a batch (a1111-compat §5.4): every frame owns a generator seeded with its own
/// seed, draws its `(4, h, w)` noise in that order, and the frames are stacked. Latents are
/// channels-last here, so each draw is transposed to `(h, w, 4)`.
public struct FrameNoise {
    /// The seeds a video's frames use, as the WebUI assigns them.
    public struct Seeds: Sendable, Equatable {
        /// One main seed per frame.
        public let seeds: [UInt64]
        /// One variation seed per frame.
        public let subseeds: [UInt64]

        /// Without variation frame k of video v uses `seed + v·frames + k`; with a variation
        /// strength every frame shares `seed` and the subseeds count up instead.
        public init(seed: UInt64, subseed: UInt64 = 0, variationStrength: Float = 0, frameCount: Int, videoIndex: Int = 0) {
            let first = UInt64(videoIndex * frameCount)
            let offsets = (0..<UInt64(frameCount)).map { first + $0 }
            seeds = variationStrength == 0 ? offsets.map { seed &+ $0 } : offsets.map { _ in seed }
            subseeds = offsets.map { subseed &+ $0 }
        }
    }

    private let seeds: Seeds
    private let source: NoiseSource
    private let height: Int
    private let width: Int
    private let channels: Int
    private let variationStrength: Float
    private let etaNoiseSeedDelta: Int
    private var generators: [any NoiseGenerator]

    /// Latent size of one frame.
    public var elementsPerFrame: Int { height * width * channels }

    /// Sets up one generator per frame.
    ///
    /// - Parameters:
    ///   - variationStrength: Blend towards each frame's variation noise ("Variation seed
    ///     strength"); 0 disables it.
    ///   - etaNoiseSeedDelta: The WebUI's ENSD; after the first draw every generator restarts
    ///     at `seed + ENSD`.
    public init(
        seeds: Seeds,
        source: NoiseSource,
        latentHeight: Int,
        latentWidth: Int,
        channels: Int = 4,
        variationStrength: Float = 0,
        etaNoiseSeedDelta: Int = 0
    ) {
        self.seeds = seeds
        self.source = source
        height = latentHeight
        width = latentWidth
        self.channels = channels
        self.variationStrength = variationStrength
        self.etaNoiseSeedDelta = etaNoiseSeedDelta
        generators = seeds.seeds.map { source.generator(seed: $0) }
    }

    /// The starting noise `[frames, h, w, channels]`: each frame's first draw, slerped towards
    /// its variation noise when a variation strength is set.
    public mutating func first() throws -> Tensor {
        var frames: [Tensor] = []
        for index in generators.indices {
            var main = channelsLast(generators[index].randn(count: elementsPerFrame))
            if variationStrength != 0 {
                var variation = source.generator(seed: seeds.subseeds[index])
                let sub = channelsLast(variation.randn(count: elementsPerFrame))
                main = try Slerp.variation(strength: variationStrength, low: main, high: sub, axis: 0)
            }
            frames.append(main.reshaped([1, height, width, channels]))
        }
        if etaNoiseSeedDelta != 0 {
            let delta = UInt64(bitPattern: Int64(etaNoiseSeedDelta))
            generators = seeds.seeds.map { source.generator(seed: $0 &+ delta) }
        }
        return try Concat.batch(frames)
    }

    /// The next draw of every frame's generator, stacked `[frames, h, w, 4]` and flattened
    /// (what samplers add as fresh noise).
    public mutating func next() -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(generators.count * elementsPerFrame)
        for index in generators.indices {
            out += channelsLast(generators[index].randn(count: elementsPerFrame)).scalars
        }
        return out
    }

    /// `(c, h, w)` draw order to an `[h, w, c]` tensor.
    private func channelsLast(_ values: [Float]) -> Tensor {
        var tensor = Tensor(uninitialized: [height, width, channels])
        tensor.withUnsafeMutableBufferPointer { out in
            for c in 0..<channels {
                for y in 0..<height {
                    for x in 0..<width {
                        out[(y * width + x) * channels + c] = values[(c * height + y) * width + x]
                    }
                }
            }
        }
        return tensor
    }
}
