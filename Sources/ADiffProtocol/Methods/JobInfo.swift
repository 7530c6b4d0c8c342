/// A job as `job.get`, `job.wait`, `job.cancel` and `jobs.list` report it.
public struct JobInfo: Sendable, Equatable, Codable {
    /// The error a failed or cancelled job ended with.
    public struct Failure: Sendable, Equatable, Codable {
        /// Stable error kind (an ``RPCErrorKind`` identifier).
        public var kind: String
        /// What went wrong, for people.
        public var message: String

        /// Creates the failure.
        public init(kind: String, message: String) {
            self.kind = kind
            self.message = message
        }
    }

    /// Server-assigned id.
    public var jobId: String
    /// Current state.
    public var state: JobState
    /// Kernel-verified uid of the client that submitted it.
    public var uid: Int
    /// Seconds since 1970.
    public var createdAt: Double
    /// Seconds since 1970, once running.
    public var startedAt: Double?
    /// Seconds since 1970, once ended.
    public var finishedAt: Double?
    /// Position in the queue (0 = next), while queued.
    public var queuePosition: Int?
    /// The latest progress report, while running.
    public var progress: JobProgress?
    /// How a failed or cancelled job ended.
    public var error: Failure?
    /// What a finished job produced.
    public var result: GenerateResult?

    /// Creates a job description.
    public init(
        jobId: String, state: JobState, uid: Int, createdAt: Double, startedAt: Double? = nil,
        finishedAt: Double? = nil, queuePosition: Int? = nil, progress: JobProgress? = nil,
        error: Failure? = nil, result: GenerateResult? = nil
    ) {
        self.jobId = jobId
        self.state = state
        self.uid = uid
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.queuePosition = queuePosition
        self.progress = progress
        self.error = error
        self.result = result
    }
}
