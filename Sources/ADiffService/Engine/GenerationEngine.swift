import ADiffProtocol

/// The seam the generation pipeline plugs into: turns a validated request and its resident
/// models into frames. The service owns everything around it (queueing, model resolution and
/// residency, cancellation requests, progress fan-out, encoding and publishing outputs,
/// recording).
///
/// Contract:
/// - Run compute on the engine's own thread(s), not on the cooperative pool (BLAS calls
///   block); `await` the result.
/// - Call `progress` at least once per UNet window with phase, step/steps, window/windows
///   (the service throttles what it forwards to clients and computes nothing itself).
/// - Check `isCancelled` at least once per window; when it returns true, stop and throw
///   `CancellationError` (or ``RPCError`` `.cancelled`).
/// - Throw ``RPCError`` with a stable kind for input problems (`.invalidParams`,
///   `.invalidDimensions`, `.invalidModel`, `.decodeFailed`, `.outOfMemory`); anything else
///   is reported as `.internal`.
public protocol GenerationEngine: Sendable {
    /// Generates the videos of `request`.
    func generate(
        _ request: GenerationJob,
        models: GenerationModels,
        progress: @escaping @Sendable (JobProgress) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) async throws -> GenerationResult
}
