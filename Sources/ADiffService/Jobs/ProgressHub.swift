import ADiffProtocol
import Foundation

/// Fans `job.progress` reports out to the connections that follow a job, throttled to about
/// ten a second per job (phase changes always pass), and remembers each job's latest report
/// for `job.get` and the ETA.
final class ProgressHub: @unchecked Sendable {
    typealias Subscriber = @Sendable (JobProgress) -> Void

    private let lock = NSLock()
    private var subscribers: [String: [UUID: Subscriber]] = [:]
    private var latest: [String: JobProgress] = [:]
    private var lastSent: [String: (phase: JobProgress.Phase, time: Date)] = [:]
    private var denoiseStart: [String: (time: Date, step: Int)] = [:]
    private let minimumInterval: TimeInterval

    init(minimumInterval: TimeInterval = 0.1) {
        self.minimumInterval = minimumInterval
    }

    /// Follows `jobId`; returns the token for ``unsubscribe(_:token:)``.
    func subscribe(_ jobId: String, _ subscriber: @escaping Subscriber) -> UUID {
        let token = UUID()
        lock.withLock { subscribers[jobId, default: [:]][token] = subscriber }
        return token
    }

    /// Stops following.
    func unsubscribe(_ jobId: String, token: UUID) {
        lock.withLock {
            subscribers[jobId]?[token] = nil
            if subscribers[jobId]?.isEmpty == true { subscribers[jobId] = nil }
        }
    }

    /// Publishes a report (dropped when it comes too soon after the previous one of the same phase).
    func publish(_ progress: JobProgress, force: Bool = false) {
        var progress = progress
        let targets: [Subscriber] = lock.withLock {
            let now = Date()
            if progress.etaMs == nil { progress.etaMs = estimate(progress, now: now) }
            latest[progress.jobId] = progress
            if !force, let previous = lastSent[progress.jobId], previous.phase == progress.phase,
                now.timeIntervalSince(previous.time) < minimumInterval
            {
                return []
            }
            lastSent[progress.jobId] = (progress.phase, now)
            return Array(subscribers[progress.jobId]?.values ?? [:].values)
        }
        for target in targets { target(progress) }
    }

    /// Milliseconds left, from the pace of denoising steps so far (used when the engine
    /// reports no ETA of its own).
    private func estimate(_ progress: JobProgress, now: Date) -> Int? {
        guard progress.phase == .denoise, let step = progress.step, let steps = progress.steps else { return nil }
        guard let start = denoiseStart[progress.jobId] else {
            denoiseStart[progress.jobId] = (now, step)
            return nil
        }
        let done = step - start.step
        guard done > 0 else { return nil }
        let perStep = now.timeIntervalSince(start.time) / Double(done)
        return Int((perStep * Double(max(0, steps - step)) * 1000).rounded())
    }

    /// The latest report of a job.
    func latest(_ jobId: String) -> JobProgress? { lock.withLock { latest[jobId] } }

    /// Forgets a finished job.
    func finish(_ jobId: String) {
        lock.withLock {
            latest[jobId] = nil
            lastSent[jobId] = nil
            denoiseStart[jobId] = nil
        }
    }
}
