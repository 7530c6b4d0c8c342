import ADiffProtocol
import Foundation
import Logging

/// The job queue: bounded FIFO, one job running at a time, every job recorded in the
/// registry before it is acknowledged, cancellation by request, disconnect or shutdown, and
/// waiters for `generate` / `job.wait`.
public actor JobScheduler {
    private let registry: Registry
    private let catalog: ModelCatalog
    private let cache: ModelCache
    private let engine: (any GenerationEngine)?
    private let outputs: OutputStore
    private let logger: Logger
    /// Most jobs that may wait behind the running one.
    public let capacity: Int
    let hub = ProgressHub()

    private var queue: [QueuedJob] = []
    private var running: QueuedJob?
    private var accepting = true
    private var waiters: [String: [UUID: CheckedContinuation<JobInfo, Never>]] = [:]
    private var wakeup: AsyncStream<Void>.Continuation?
    private var idle: [CheckedContinuation<Void, Never>] = []

    /// Creates the scheduler; ``run()`` executes jobs.
    public init(
        registry: Registry, catalog: ModelCatalog, cache: ModelCache, engine: (any GenerationEngine)?,
        outputs: OutputStore, capacity: Int, logger: Logger
    ) {
        self.registry = registry
        self.catalog = catalog
        self.cache = cache
        self.engine = engine
        self.outputs = outputs
        self.capacity = capacity
        self.logger = logger
    }

    /// Whether an engine is linked in.
    public nonisolated var hasEngine: Bool { engine != nil }

    // MARK: Submitting

    /// Admits, records and queues a job. Returns only after the job's row is committed.
    ///
    /// - Throws: ``RPCError`` `.queueFull` when `capacity` jobs already wait, `.interrupted`
    ///   while shutting down, `.internal` when the registry cannot record it.
    func submit(
        request: GenerationRequest, checkpoint: ResolvedModelFile, motionModule: ResolvedModelFile,
        vae: ResolvedModelFile?, requestJSON: String, uid: Int, warnings: [String]
    ) throws(RPCError) -> (jobId: String, position: Int) {
        guard accepting else { throw RPCError(.interrupted, "adiffd is shutting down") }
        guard queue.count < capacity else {
            throw RPCError(.queueFull, "the queue is full (\(capacity) waiting); retry later")
        }
        let id = JobScheduler.newJobID()
        do {
            try registry.insert(JobRecord(id: id, uid: uid, request: requestJSON))
        } catch {
            logger.error("cannot record job", metadata: ["error": "\(error)"])
            throw RPCError(.internal, "the job could not be recorded: \(error)")
        }
        let job = QueuedJob(
            id: id, uid: uid, request: request, checkpoint: checkpoint, motionModule: motionModule, vae: vae,
            warnings: warnings, createdAt: Date())
        queue.append(job)
        let position = queue.count - 1 + (running == nil ? 0 : 1)
        logger.info("job queued", metadata: ["job": "\(id)", "uid": "\(uid)", "position": "\(position)"])
        hub.publish(JobProgress(jobId: id, phase: .queued, queuePosition: position), force: true)
        wakeup?.yield()
        return (id, position)
    }

    /// Follows a job's progress; returns the token to stop.
    nonisolated func subscribe(_ jobId: String, _ handler: @escaping @Sendable (JobProgress) -> Void) -> UUID {
        hub.subscribe(jobId, handler)
    }

    /// Stops following a job.
    nonisolated func unsubscribe(_ jobId: String, token: UUID) {
        hub.unsubscribe(jobId, token: token)
    }

    // MARK: Queries

    /// The job as `caller` may see it.
    ///
    /// - Throws: ``RPCError`` `.jobNotFound` for unknown jobs and other users' jobs alike.
    public func info(_ jobId: String, caller: Caller) throws(RPCError) -> JobInfo {
        guard let record = try? registry.job(jobId), caller.mayAccess(jobOf: record.uid) else {
            throw RPCError(.jobNotFound, "no job \(jobId)", jobId: jobId)
        }
        return info(record)
    }

    /// The newest jobs `caller` may see.
    public func list(caller: Caller, limit: Int, state: JobState?) throws(RPCError) -> [JobInfo] {
        do {
            var records = try registry.jobs(uid: caller.isPrivileged ? nil : caller.uid, limit: state == nil ? limit : 1000)
            if let state { records = Array(records.filter { $0.state.rawValue == state.rawValue }.prefix(limit)) }
            return records.map(info)
        } catch {
            throw RPCError(.internal, "the job history cannot be read: \(error)")
        }
    }

    /// Counts for `status`.
    public func counts() -> (running: String?, queued: Int) {
        (running?.id, queue.count)
    }

    // MARK: Cancelling and waiting

    /// Cancels a job `caller` may access: a queued job never starts, a running one stops at
    /// its next window, a finished one is left as it is. Idempotent.
    public func cancel(_ jobId: String, caller: Caller) throws(RPCError) -> JobInfo {
        _ = try info(jobId, caller: caller)
        cancel(jobId, reason: .request)
        return try info(jobId, caller: caller)
    }

    /// Cancels without a permission check (disconnects, shutdown).
    func cancel(_ jobId: String, reason: CancelFlag.Reason) {
        if let index = queue.firstIndex(where: { $0.id == jobId }) {
            let job = queue.remove(at: index)
            let (state, kind, message) = JobScheduler.ending(for: reason, started: false)
            record(job.id, state: state, errorKind: kind, message: message)
            publishQueuePositions()
        } else if let running, running.id == jobId {
            running.cancel.cancel(reason)
        }
    }

    /// Waits until the job ends (or `timeout` passes) and returns it.
    public func wait(_ jobId: String, caller: Caller, timeout: Duration?) async throws(RPCError) -> JobInfo {
        let current = try info(jobId, caller: caller)
        if current.state.isFinal { return current }
        let token = UUID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<JobInfo, Never>) in
                waiters[jobId, default: [:]][token] = continuation
                if let timeout {
                    Task {
                        try? await Task.sleep(for: timeout)
                        await self.resumeWaiter(jobId, token: token)
                    }
                }
            }
        } onCancel: {
            Task { await self.resumeWaiter(jobId, token: token) }
        }
        return result
    }

    private func resumeWaiter(_ jobId: String, token: UUID) {
        guard let continuation = waiters[jobId]?.removeValue(forKey: token) else { return }
        if waiters[jobId]?.isEmpty == true { waiters[jobId] = nil }
        let record = try? registry.job(jobId)
        continuation.resume(returning: record.map(info) ?? JobInfo(jobId: jobId, state: .failed, uid: -1, createdAt: 0))
    }

    // MARK: Running

    /// Executes queued jobs one at a time until ``shutdown(policy:)``.
    public func run() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeup = continuation
        continuation.yield()
        for await _ in stream {
            while accepting || running != nil, !queue.isEmpty {
                let job = queue.removeFirst()
                running = job
                publishQueuePositions()
                await execute(job)
                running = nil
                hub.finish(job.id)
            }
            for waiter in idle { waiter.resume() }
            idle.removeAll()
            if !accepting { break }
        }
    }

    /// Stops accepting jobs; queued jobs are recorded `Interrupted`; the running job is
    /// cancelled or allowed to finish per `policy`; returns when nothing runs.
    public func shutdown(policy: DaemonConfig.ShutdownPolicy) async {
        accepting = false
        for job in queue {
            record(job.id, state: .failed, errorKind: RPCErrorKind.interrupted.rawValue, message: "adiffd stopped before this job started")
        }
        queue.removeAll()
        if let running, policy == .cancel { running.cancel.cancel(.shutdown) }
        if running != nil {
            await withCheckedContinuation { idle.append($0) }
        }
        wakeup?.finish()
    }

    private func execute(_ job: QueuedJob) async {
        let started = Date()
        do {
            try registry.markRunning(job.id)
        } catch {
            logger.error("cannot mark job running", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
        logger.info("job started", metadata: ["job": "\(job.id)"])
        hub.publish(JobProgress(jobId: job.id, phase: .loading), force: true)
        var held: [String] = []
        let provider = JobModelProvider(catalog: catalog, cache: cache)
        defer {
            let cache = self.cache
            let release = held
            Task { for sha in release { await cache.release(sha) } }
        }
        do {
            let checkpoint = try await cache.acquire(job.checkpoint, kind: .checkpoint)
            held.append(job.checkpoint.sha256)
            let motion = try await cache.acquire(job.motionModule, kind: .motion)
            held.append(job.motionModule.sha256)
            var vae: LoadedModel?
            if let file = job.vae {
                vae = LoadedModel(file: file, model: try await cache.acquire(file, kind: .vae))
                held.append(file.sha256)
            }
            let loaded = Date()
            guard let engine else {
                throw RPCError(.engineUnavailable, "this adiffd has no generation engine linked in")
            }
            let models = GenerationModels(
                checkpoint: LoadedModel(file: job.checkpoint, model: checkpoint),
                motionModule: LoadedModel(file: job.motionModule, model: motion), vae: vae, provider: provider)
            let hub = self.hub
            let flag = job.cancel
            let generation = try await engine.generate(
                GenerationJob(id: job.id, request: job.request), models: models,
                progress: { hub.publish($0) }, isCancelled: { flag.isCancelled })
            await provider.releaseAll()
            if flag.isCancelled { throw CancellationError() }
            let generated = Date()
            hub.publish(JobProgress(jobId: job.id, phase: .encode), force: true)
            let outputs = self.outputs
            let request = job.request
            let files = try await Self.blockingOutput { () throws(RPCError) in try outputs.write(generation, request: request) }
            let result = GenerateResult(
                jobId: job.id, outputs: files, seeds: generation.seeds, infotexts: generation.videos.map(\.infotext),
                timingsMs: [
                    "queued": Self.ms(job.createdAt, started), "loading": Self.ms(started, loaded),
                    "generate": Self.ms(loaded, generated), "encode": Self.ms(generated, Date()),
                ],
                warnings: job.warnings)
            let json = try? JSONValue(encoding: result).compactText()
            record(job.id, state: .done, result: json)
            hub.publish(JobProgress(jobId: job.id, phase: .done), force: true)
            logger.info("job done", metadata: ["job": "\(job.id)", "outputs": "\(files.count)"])
        } catch {
            await provider.releaseAll()
            // Whatever the engine threw after a cancel request, the job ends as cancelled.
            if let reason = job.cancel.cancelReason {
                let (state, kind, message) = JobScheduler.ending(for: reason, started: true)
                record(job.id, state: state, errorKind: kind, message: message)
                logger.info("job cancelled", metadata: ["job": "\(job.id)", "reason": "\(reason)"])
                return
            }
            let rpc = (error as? RPCError) ?? RPCError(.internal, "generation failed: \(error)")
            record(job.id, state: .failed, errorKind: rpc.kind.rawValue, message: rpc.message)
            logger.warning("job failed", metadata: ["job": "\(job.id)", "kind": "\(rpc.kind)", "error": "\(rpc.message)"])
        }
    }

    private static func blockingOutput<T: Sendable>(_ body: @escaping @Sendable () throws(RPCError) -> T) async throws -> T {
        try await Blocking.run { try body() }
    }

    // MARK: Plumbing

    private func record(
        _ id: String, state: JobRecord.State, result: String? = nil, errorKind: String? = nil, message: String? = nil
    ) {
        do {
            try registry.finish(id, state: state, result: result, errorKind: errorKind, errorMessage: message)
        } catch {
            logger.error("cannot record job end", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        let final = (try? registry.job(id)).map(info)
        for (_, waiter) in waiters.removeValue(forKey: id) ?? [:] {
            waiter.resume(returning: final ?? JobInfo(jobId: id, state: .failed, uid: -1, createdAt: 0))
        }
    }

    private func publishQueuePositions() {
        let offset = running == nil ? 0 : 1
        for (index, job) in queue.enumerated() {
            hub.publish(JobProgress(jobId: job.id, phase: .queued, queuePosition: index + offset), force: true)
        }
    }

    private func info(_ record: JobRecord) -> JobInfo {
        let state = JobState(rawValue: record.state.rawValue) ?? .failed
        var info = JobInfo(
            jobId: record.id, state: state, uid: record.uid, createdAt: record.createdAt, startedAt: record.startedAt,
            finishedAt: record.finishedAt)
        if state == .queued, let index = queue.firstIndex(where: { $0.id == record.id }) {
            info.queuePosition = index + (running == nil ? 0 : 1)
        }
        if state == .running { info.progress = hub.latest(record.id) }
        if let kind = record.errorKind {
            info.error = .init(kind: kind, message: record.errorMessage ?? "")
        }
        if let text = record.result, let value = try? JSONValue(parsing: text) {
            info.result = try? value.decode(GenerateResult.self)
        }
        return info
    }

    private static func ending(for reason: CancelFlag.Reason, started: Bool) -> (JobRecord.State, String, String) {
        switch reason {
        case .request: (.cancelled, RPCErrorKind.cancelled.rawValue, "cancelled by request")
        case .disconnect: (.cancelled, RPCErrorKind.cancelled.rawValue, "cancelled: the client disconnected")
        case .shutdown:
            (.failed, RPCErrorKind.interrupted.rawValue,
             started ? "adiffd stopped while this job was running" : "adiffd stopped before this job started")
        }
    }

    private static func ms(_ from: Date, _ to: Date) -> Int { Int((to.timeIntervalSince(from) * 1000).rounded()) }

    /// `j-` + 16 hex digits of time and randomness: unique across restarts.
    static func newJobID() -> String {
        let time = UInt64(Date().timeIntervalSince1970 * 1000)
        let random = UInt64.random(in: 0..<(1 << 24))
        let tail = String(random, radix: 16)
        return "j-" + String(time, radix: 16) + String(repeating: "0", count: 6 - tail.count) + tail
    }
}
