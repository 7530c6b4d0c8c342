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
        public init(
            seed: UInt64, subseed: UInt64 = 0, variationStrength: Float = 0, frameCount: Int, videoIndex: Int = 0
        ) {
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
    private let seedResize: (width: Int, height: Int)?
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
    ///   - seedResize: "Resize seed from" width and height in pixels: the starting noise is
    ///     drawn at that size from a fresh generator and pasted, centred, into the frame's own
    ///     draw at the real size (a1111-compat §5.4).
    public init(
        seeds: Seeds,
        source: NoiseSource,
        latentHeight: Int,
        latentWidth: Int,
        channels: Int = 4,
        variationStrength: Float = 0,
        etaNoiseSeedDelta: Int = 0,
        seedResize: (width: Int, height: Int)? = nil
    ) {
        self.seeds = seeds
        self.source = source
        height = latentHeight
        width = latentWidth
        self.channels = channels
        self.variationStrength = variationStrength
        self.etaNoiseSeedDelta = etaNoiseSeedDelta
        self.seedResize = seedResize
        generators = seeds.seeds.map { source.generator(seed: $0) }
    }

    /// The starting noise `[frames, h, w, channels]`: each frame's first draw, slerped towards
    /// its variation noise when a variation strength is set.
    public mutating func first() throws -> Tensor {
        let old = seedResize.map { (height: $0.height / 8, width: $0.width / 8) }
        let resized = old.map { $0.height != height || $0.width != width } ?? false
        let (drawHeight, drawWidth) = resized ? (old!.height, old!.width) : (height, width)
        let drawCount = drawHeight * drawWidth * channels
        var frames: [Tensor] = []
        for index in generators.indices {
            var main: Tensor
            if resized {
                var fresh = source.generator(seed: seeds.seeds[index])
                main = channelsLast(fresh.randn(count: drawCount), height: drawHeight, width: drawWidth)
            } else {
                main = channelsLast(generators[index].randn(count: drawCount), height: drawHeight, width: drawWidth)
            }
            if variationStrength != 0 {
                var variation = source.generator(seed: seeds.subseeds[index])
                let sub = channelsLast(variation.randn(count: drawCount), height: drawHeight, width: drawWidth)
                main = try Slerp.variation(strength: variationStrength, low: main, high: sub, axis: 0)
            }
            if resized {
                let own = channelsLast(generators[index].randn(count: elementsPerFrame), height: height, width: width)
                main = paste(main, into: own, height: drawHeight, width: drawWidth)
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
        channelsLast(values, height: height, width: width)
    }

    private func channelsLast(_ values: [Float], height: Int, width: Int) -> Tensor {
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

    /// The WebUI's seed-resize paste: `small` (`[h0, w0, c]`) centred in `large`, cropped when
    /// it is bigger (offsets by floor division, as Python computes them).
    private func paste(_ small: Tensor, into large: Tensor, height smallHeight: Int, width smallWidth: Int) -> Tensor {
        func floorHalf(_ value: Int) -> Int { value >= 0 ? value / 2 : -((-value + 1) / 2) }
        let dx = floorHalf(width - smallWidth)
        let dy = floorHalf(height - smallHeight)
        let w = dx >= 0 ? smallWidth : smallWidth + 2 * dx
        let h = dy >= 0 ? smallHeight : smallHeight + 2 * dy
        let (tx, ty, sx, sy) = (max(dx, 0), max(dy, 0), max(-dx, 0), max(-dy, 0))
        var out = large
        small.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<max(h, 0) {
                    for x in 0..<max(w, 0) {
                        for c in 0..<channels {
                            target[((ty + y) * width + tx + x) * channels + c] =
                                source[((sy + y) * smallWidth + sx + x) * channels + c]
                        }
                    }
                }
            }
        }
        return out
    }
}
