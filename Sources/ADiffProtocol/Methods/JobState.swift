/// Where a job is in its life, as clients see it.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Accepted and recorded, waiting for its turn.
    case queued
    /// Being generated.
    case running
    /// Finished; its outputs are written.
    case done
    /// Ended with an error (`error.kind` says why; `Interrupted` if the daemon stopped).
    case failed
    /// Cancelled by request or by its client disconnecting.
    case cancelled

    /// Whether the job has ended.
    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}
