import Foundation
import GRDB

/// One row of the job history: who asked for what, where it got to, and how it ended.
public struct JobRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    /// Where a job is in its life.
    public enum State: String, Sendable, Codable, DatabaseValueConvertible {
        case queued, running, done, failed, cancelled

        /// Whether the job has ended.
        public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
    }

    public static let databaseTableName = "job"

    /// Server-assigned id.
    public var id: String
    /// Kernel-verified uid of the client that submitted it (SO_PEERCRED).
    public var uid: Int
    /// Current state.
    public var state: State
    /// The request as received (JSON), so a job can be inspected and replayed.
    public var request: String
    /// Times in seconds since 1970.
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    /// Stable error kind and message of a failed or cancelled job.
    public var errorKind: String?
    public var errorMessage: String?
    /// The result (JSON: outputs, seeds, infotext, timings) of a finished job.
    public var result: String?

    /// Creates a queued job record.
    public init(id: String, uid: Int, request: String, createdAt: Double = Date().timeIntervalSince1970) {
        self.id = id
        self.uid = uid
        self.state = .queued
        self.request = request
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, uid, state, request
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case errorKind = "error_kind"
        case errorMessage = "error_message"
        case result
    }
}
