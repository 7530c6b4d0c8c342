/// The result of a finished `generate` (and `job.get`'s `result`): file paths, never pixels.
public struct GenerateResult: Sendable, Equatable, Codable {
    /// One written file or folder.
    public struct Output: Sendable, Equatable, Codable {
        /// Absolute path under the daemon's output root.
        public var path: String
        /// The extension's format name: GIF, MP4, WEBP, WEBM, PNG (a folder of frames) or TXT.
        public var format: String
        /// Seed of the video's frame 0.
        public var seed: Int64

        /// Creates an output entry.
        public init(path: String, format: String, seed: Int64) {
            self.path = path
            self.format = format
            self.seed = seed
        }
    }

    /// Server-assigned job id.
    public var jobId: String
    /// Files in the extension's order: per video GIF, MP4, WEBP, WEBM, then PNG and TXT.
    public var outputs: [Output]
    /// Seed of every generated frame, in order.
    public var seeds: [Int64]
    /// The A1111 infotext of each video's first frame.
    public var infotexts: [String]
    /// Milliseconds spent per phase (`queued`, `loading`, `generate`, `encode`).
    public var timingsMs: [String: Int]
    /// Parameters that were accepted but have no effect here (known WebUI keys).
    public var warnings: [String]

    /// Creates a result.
    public init(
        jobId: String, outputs: [Output], seeds: [Int64], infotexts: [String], timingsMs: [String: Int] = [:],
        warnings: [String] = []
    ) {
        self.jobId = jobId
        self.outputs = outputs
        self.seeds = seeds
        self.infotexts = infotexts
        self.timingsMs = timingsMs
        self.warnings = warnings
    }
}
