/// Params naming one job: `{"jobId": "j-…"}` (`job.get`, `job.cancel`).
public struct JobIDParams: Sendable, Equatable, Codable {
    /// Server-assigned job id.
    public var jobId: String

    /// Creates the params.
    public init(jobId: String) {
        self.jobId = jobId
    }
}
