/// `jobs.list` params.
public struct JobsListParams: Sendable, Equatable, Codable {
    /// Most jobs to return, newest first (default 50, at most 1000).
    public var limit: Int?
    /// Only jobs in this state.
    public var state: JobState?

    /// Creates the params.
    public init(limit: Int? = nil, state: JobState? = nil) {
        self.limit = limit
        self.state = state
    }
}

/// `jobs.list` result.
public struct JobsListResult: Sendable, Equatable, Codable {
    /// Jobs, newest first.
    public var jobs: [JobInfo]

    /// Creates the result.
    public init(jobs: [JobInfo]) {
        self.jobs = jobs
    }
}
