/// One job as the engine sees it: its id and validated request.
public struct GenerationJob: Sendable {
    /// Server-assigned job id (use it in progress reports).
    public let id: String
    /// The validated request.
    public let request: GenerationRequest

    /// Creates a job.
    public init(id: String, request: GenerationRequest) {
        self.id = id
        self.request = request
    }
}
