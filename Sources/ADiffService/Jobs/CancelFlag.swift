import Foundation

/// A job's cancellation request, read by the engine from its own thread.
public final class CancelFlag: @unchecked Sendable {
    /// Why a job was asked to stop.
    public enum Reason: Sendable, Equatable {
        /// `job.cancel`.
        case request
        /// The submitting connection closed (attached jobs only).
        case disconnect
        /// The daemon is stopping.
        case shutdown
    }

    private let lock = NSLock()
    private var reason: Reason?

    /// Creates an unset flag.
    public init() {}

    /// Sets the flag (the first reason wins).
    public func cancel(_ reason: Reason) {
        lock.withLock {
            if self.reason == nil { self.reason = reason }
        }
    }

    /// Whether the job was asked to stop.
    public var isCancelled: Bool { lock.withLock { reason != nil } }

    /// Why, once set.
    public var cancelReason: Reason? { lock.withLock { reason } }
}
