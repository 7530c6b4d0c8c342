import Dispatch

/// Runs blocking work (hashing, SQLite, encoding) off the cooperative thread pool, so a
/// multi-second hash never stalls the actors that answer clients.
enum Blocking {
    /// Runs `body` on a global dispatch queue and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
