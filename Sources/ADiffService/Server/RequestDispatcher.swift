import ADiffMedia
import ADiffProtocol
import Foundation
import Logging

/// Answers each JSON-RPC method: decodes params, checks permissions, calls the scheduler,
/// catalog and cache, and encodes results. Every failure is an ``RPCError`` with a stable kind.
struct RequestDispatcher: Sendable {
    let config: DaemonConfig
    let scheduler: JobScheduler
    let catalog: ModelCatalog
    let cache: ModelCache
    let startedAt: Date
    let logger: Logger
    /// Formats this build can encode.
    let formats: [String]

    static let serverName = "adiffd/\(DaemonVersion.current)"

    /// Handles one request.
    func handle(method: String, params: JSONValue?, session: Session) async -> Result<JSONValue, RPCError> {
        do throws(RPCError) {
            guard let known = RPCMethod(rawValue: method) else {
                let names = RPCMethod.allCases.map(\.rawValue).joined(separator: ", ")
                throw RPCError(.methodNotFound, "no method \"\(method)\"; methods: \(names)")
            }
            if known != .hello && !session.isGreeted {
                throw RPCError(.invalidRequest, "call hello {\"protocol\": \(Hello.protocolVersion)} first")
            }
            return .success(try await dispatch(known, params ?? .object([:]), session: session))
        } catch {
            return .failure(error)
        }
    }

    private func dispatch(_ method: RPCMethod, _ params: JSONValue, session: Session) async throws(RPCError) -> JSONValue {
        let caller = session.caller
        switch method {
        case .hello:
            let hello = try params.decode(Hello.Params.self)
            try Hello.check(hello)
            session.isGreeted = true
            logger.info(
                "hello", metadata: ["conn": "\(session.number)", "uid": "\(caller.uid)", "pid": "\(caller.pid)", "client": "\(hello.client ?? "-")"])
            return try encode(Hello.Result(server: Self.serverName, formats: formats))
        case .status:
            let (running, queued) = await scheduler.counts()
            let ps = await cache.snapshot()
            var visibleRunning = running
            if let id = running, (try? await scheduler.info(id, caller: caller)) == nil { visibleRunning = nil }
            return try encode(
                StatusResult(
                    server: Self.serverName, protocol: Hello.protocolVersion,
                    uptimeSeconds: Date().timeIntervalSince(startedAt), peerUid: caller.uid, runningJob: visibleRunning,
                    running: running == nil ? 0 : 1, queued: queued, queueCapacity: scheduler.capacity,
                    residentModels: ps.models.count, residentBytes: ps.residentBytes, budgetBytes: ps.budgetBytes,
                    threads: config.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : config.threads,
                    precision: config.precision, engine: scheduler.hasEngine, formats: formats))
        case .generate:
            return try await generate(params, session: session)
        case .jobGet:
            let p = try params.decode(JobIDParams.self)
            return try encode(try await scheduler.info(p.jobId, caller: caller))
        case .jobCancel:
            let p = try params.decode(JobIDParams.self)
            let info = try await scheduler.cancel(p.jobId, caller: caller)
            logger.info("cancel requested", metadata: ["job": "\(p.jobId)", "uid": "\(caller.uid)"])
            return try encode(info)
        case .jobWait:
            let p = try params.decode(JobWaitParams.self)
            if let timeout = p.timeoutMs, timeout < 0 {
                throw RPCError(.invalidParams, "timeoutMs must not be negative", field: "timeoutMs")
            }
            let token = p.progress == true ? scheduler.subscribe(p.jobId) { session.notify($0) } : nil
            defer { if let token { scheduler.unsubscribe(p.jobId, token: token) } }
            return try encode(
                try await scheduler.wait(p.jobId, caller: caller, timeout: p.timeoutMs.map { .milliseconds($0) }))
        case .jobsList:
            let p = try params.decode(JobsListParams.self)
            let limit = p.limit ?? 50
            guard (1...1000).contains(limit) else { throw RPCError(.invalidParams, "limit must be in 1...1000", field: "limit") }
            return try encode(JobsListResult(jobs: try await scheduler.list(caller: caller, limit: limit, state: p.state)))
        case .modelsList:
            let p = try params.decode(ModelsListParams.self)
            return try encode(await listModels(kind: p.kind))
        case .modelsRescan:
            let p = try params.decode(ModelsRescanParams.self)
            await catalog.rescan()
            if p.hash == true { await catalog.hashAll() }
            return try encode(await listModels(kind: nil))
        case .modelsLoad:
            let p = try params.decode(ModelsLoadParams.self)
            let kind = p.kind ?? .checkpoint
            let file = try await catalog.resolve(p.name, kind: kind)
            let info = try await cache.load(file, kind: kind, keepAlive: p.keepAlive)
            logger.info("model loaded", metadata: ["model": "\(file.file.name)", "sha256": "\(file.sha256.prefix(10))", "uid": "\(caller.uid)"])
            return try encode(info)
        case .modelsUnload:
            let p = try params.decode(ModelsUnloadParams.self)
            let file = try await catalog.resolve(p.name, kind: p.kind ?? .checkpoint)
            return try encode(await cache.unload(file.sha256))
        case .ps:
            return try encode(await cache.snapshot())
        }
    }

    private func listModels(kind: ModelKind?) async -> ModelsListResult {
        var models: [ModelInfo] = []
        for file in await catalog.list(kind: kind) {
            let sha = await catalog.cachedHash(of: file)
            let resident = if let sha { await cache.isResident(sha) } else { false }
            models.append(
                ModelInfo(
                    name: file.name, title: sha.map { "\(file.name) [\($0.prefix(10))]" } ?? file.name, kind: file.kind,
                    sizeBytes: file.size, sha256: sha, resident: resident))
        }
        return ModelsListResult(models: models)
    }

    private func generate(_ params: JSONValue, session: Session) async throws(RPCError) -> JSONValue {
        let (decoded, warnings) = try GenerateParams.decode(params)
        let validator = GenerateValidator(
            limits: config.limits, defaultFormats: config.defaultFormats, inputRoots: config.inputRoots)
        let validated = try validator.validate(decoded) { Int64.random(in: 0...4_294_967_295) }
        let checkpoint = try await catalog.resolve(try await defaultName(validated.checkpointName, kind: .checkpoint), kind: .checkpoint)
        let motion = try await catalog.resolve(try await defaultName(validated.motionModuleName, kind: .motion), kind: .motion)
        var vae: ResolvedModelFile?
        if let name = validated.vaeName { vae = try await catalog.resolve(name, kind: .vae) }
        let text = (try? params.compactText()) ?? "{}"
        let (jobId, position) = try await scheduler.submit(
            request: validated.request, checkpoint: checkpoint, motionModule: motion, vae: vae, requestJSON: text,
            uid: session.caller.uid, warnings: warnings)
        if decoded.detach == true {
            return try encode(GenerateAccepted(jobId: jobId, queuePosition: position, warnings: warnings))
        }
        session.attach(jobId)
        defer { session.detach(jobId) }
        let token = scheduler.subscribe(jobId) { session.notify($0) }
        defer { scheduler.unsubscribe(jobId, token: token) }
        session.notify(JobProgress(jobId: jobId, phase: .queued, queuePosition: position))
        let info = try await scheduler.wait(jobId, caller: session.caller, timeout: nil)
        switch info.state {
        case .done:
            guard let result = info.result else { throw RPCError(.internal, "job \(jobId) finished without a result", jobId: jobId) }
            return try encode(result)
        case .failed, .cancelled:
            let kind = RPCErrorKind(rawValue: info.error?.kind ?? RPCErrorKind.internal.rawValue)
            throw RPCError(kind, info.error?.message ?? "job \(info.state.rawValue)", jobId: jobId)
        case .queued, .running:
            // The wait ended early: this request was cancelled (the connection closed).
            throw RPCError(.cancelled, "the request was cancelled", jobId: jobId)
        }
    }

    /// The model to use when a request names none: the only file of the kind, else the
    /// extension's default motion module / the only resident checkpoint.
    private func defaultName(_ name: String?, kind: ModelKind) async throws(RPCError) -> String {
        if let name, !name.isEmpty { return name }
        let files = await catalog.list(kind: kind)
        if files.count == 1 { return files[0].name }
        if kind == .checkpoint {
            let resident = await cache.snapshot().models.filter { $0.kind == .checkpoint }
            if resident.count == 1 { return resident[0].name }
            throw RPCError(
                .invalidParams,
                "override_settings.sd_model_checkpoint is required (\(files.count) checkpoints are available)",
                field: "override_settings.sd_model_checkpoint")
        }
        return "mm_sd15_v3.safetensors"
    }

    private func encode(_ value: some Encodable) throws(RPCError) -> JSONValue {
        do {
            return try JSONValue(encoding: value)
        } catch {
            throw RPCError(.internal, "cannot encode the result: \(error)")
        }
    }
}
