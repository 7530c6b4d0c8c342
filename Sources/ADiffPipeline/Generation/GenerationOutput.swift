import ADiffTensor

/// The result of a generation: frames, their infotexts and seeds, and where the time went.
public struct GenerationOutput: Sendable {
    /// One rendered video.
    public struct Video: Sendable {
        /// The frames to write: the first `video_length` rows, plus the reversed middle frames
        /// for closed loop A when the video fits one context window (§9.2).
        public let frames: [RGBImage]
        /// The seed of every rendered latent row (row i used `seeds[i]`).
        public let seeds: [UInt64]
        /// The infotext of each of the first `video_length` frames (they differ in `Seed`).
        public let frameInfotexts: [String]
        /// The final latents `[rows, h, w, 4]`, when asked for.
        public let latents: Tensor?

        /// The video's infotext: its first frame's.
        public var infotext: String { frameInfotexts.first ?? "" }
    }

    /// Wall-clock time per stage, summed over the videos.
    public struct Timings: Sendable, Equatable {
        /// Prompt and init-image encoding.
        public var encoding: Duration
        /// The sampler loops.
        public var sampling: Duration
        /// VAE decoding.
        public var decoding: Duration
        /// The whole call.
        public var total: Duration
    }

    /// Videos in render order.
    public let videos: [Video]
    /// The seed and variation seed actually used (−1 resolved).
    public let seed: UInt64
    /// The variation seed actually used.
    public let subseed: UInt64
    /// Stage timings.
    public let timings: Timings
    /// Notes for the job log (e.g. a request asking for something the WebUI would ignore).
    public let warnings: [String]
}
