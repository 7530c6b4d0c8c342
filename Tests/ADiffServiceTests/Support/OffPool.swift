import ADiffProtocol
import Dispatch
import Foundation

/// Runs the blocking client off the cooperative thread pool: the in-process daemon needs
/// those threads to answer, and on a 2-core machine two blocked test threads would starve it.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

extension RPCConnection {
    /// `call` on a dispatch thread.
    func request(
        _ method: String, params: JSONValue? = nil, timeout: Double = RunningDaemon.timeout,
        onNotification: @escaping @Sendable (String, JSONValue?) -> Void = { _, _ in }
    ) async throws -> Result<JSONValue, RPCError> {
        try await offPool { try self.call(method, params: params, timeout: timeout, onNotification: onNotification) }
    }

    /// `receive` on a dispatch thread.
    func next(timeout: Double = RunningDaemon.timeout) async throws -> RPCMessage? {
        try await offPool { try self.receive(timeout: timeout) }
    }
}

/// A value shared with a `@Sendable` callback.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
