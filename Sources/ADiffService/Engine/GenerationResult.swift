import ADiffMedia

/// What an engine produced for one job: the frames of each video and their infotext. The
/// service encodes and publishes the files.
public struct GenerationResult: Sendable {
    /// One video (one `n_iter` iteration).
    public struct Video: Sendable {
        /// Its frames (closed-loop "A" reversal is applied by the writer, not here).
        public let frames: FrameSequence
        /// Seed of its frame 0 (part of the file name).
        public let seed: Int64
        /// The A1111 infotext of its first frame, `AnimateDiff:` field included.
        public let infotext: String

        /// Creates a video.
        public init(frames: FrameSequence, seed: Int64, infotext: String) {
            self.frames = frames
            self.seed = seed
            self.infotext = infotext
        }
    }

    /// Videos in generation order.
    public let videos: [Video]
    /// Seed of every frame, in order.
    public let seeds: [Int64]

    /// Creates a result.
    public init(videos: [Video], seeds: [Int64]) {
        self.videos = videos
        self.seeds = seeds
    }
}
