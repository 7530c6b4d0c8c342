/// `job.wait` params: the job and how long to wait at most.
public struct JobWaitParams: Sendable, Equatable, Codable {
    /// Server-assigned job id.
    public var jobId: String
    /// Milliseconds to wait before answering with the job as it is; absent = until it ends.
    public var timeoutMs: Int?
    /// Whether to receive `job.progress` notifications while waiting (default false).
    public var progress: Bool?

    /// Creates the params.
    public init(jobId: String, timeoutMs: Int? = nil, progress: Bool? = nil) {
        self.jobId = jobId
        self.timeoutMs = timeoutMs
        self.progress = progress
    }
}
