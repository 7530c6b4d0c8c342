/// The immediate answer to a `generate` with `"detach": true`: the job is recorded and queued.
public struct GenerateAccepted: Sendable, Equatable, Codable {
    /// Server-assigned job id, for `job.get` / `job.wait` / `job.cancel`.
    public var jobId: String
    /// Position in the queue (0 = next).
    public var queuePosition: Int
    /// Parameters that were accepted but have no effect here (known WebUI keys).
    public var warnings: [String]

    /// Creates the answer.
    public init(jobId: String, queuePosition: Int, warnings: [String] = []) {
        self.jobId = jobId
        self.queuePosition = queuePosition
        self.warnings = warnings
    }
}
