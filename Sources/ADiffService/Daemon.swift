import ADiffProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The whole daemon as one service: registry, model catalog and cache, job scheduler, socket
/// server and systemd notifications. SIGTERM (graceful shutdown) stops accepting, cancels or
/// finishes the running job as configured, records queued jobs as interrupted, closes the
/// connections, checkpoints the registry and returns.
public final class Daemon: Service {
    private let config: DaemonConfig
    private let engine: (any GenerationEngine)?
    private let loader: any ResidentModelLoader
    private let logger: Logger
    private let formats: [String]

    /// Creates the daemon.
    ///
    /// - Parameters:
    ///   - engine: the generation engine; `nil` until the pipeline is wired in (jobs then
    ///     fail with `EngineUnavailable`).
    ///   - loader: builds resident models (default: validated weight files).
    public init(
        config: DaemonConfig, engine: (any GenerationEngine)? = nil, loader: any ResidentModelLoader = WeightFileLoader(),
        logger: Logger
    ) {
        self.config = config
        self.engine = engine
        self.loader = loader
        self.logger = logger
        formats = ["GIF", "MP4", "WEBP", "WEBM", "PNG", "TXT"]
    }

    /// Runs until graceful shutdown.
    ///
    /// - Throws: ``ServiceError`` when the state directory, registry or socket cannot be set up.
    public func run() async throws {
        let started = Date()
        try Self.makeDirectory(config.stateDir)
        try Self.makeDirectory(config.effectiveOutputDir)
        let registry = try Registry(path: config.stateDir + "/adiffd.db")
        for id in registry.recoveredJobIDs {
            logger.warning("job was unfinished when adiffd last stopped; recorded as Interrupted", metadata: ["job": "\(id)"])
        }
        let catalog = ModelCatalog(roots: config.modelRoots, registry: registry)
        let cache = ModelCache(
            loader: loader, budgetBytes: MemorySize.resolve(config.memoryBudget),
            defaultKeepAlive: KeepAlive(parsing: config.keepAlive) ?? KeepAlive(seconds: 300))
        let scheduler = JobScheduler(
            registry: registry, catalog: catalog, cache: cache, engine: engine,
            outputs: OutputStore(root: config.effectiveOutputDir), capacity: config.queueSize, logger: logger)
        let dispatcher = RequestDispatcher(
            config: config, scheduler: scheduler, catalog: catalog, cache: cache, startedAt: started, logger: logger,
            formats: formats)
        let listener = try makeListener()
        let server = RPCServer(
            listener: listener, dispatcher: dispatcher, scheduler: scheduler, maxLineBytes: config.limits.maxRequestBytes,
            maxConnections: config.limits.maxConnections, logger: logger)
        let channel = try await server.bind()
        let modelCount = await catalog.list().count
        logger.info(
            "listening",
            metadata: [
                "socket": "\(Self.describe(listener))", "models": "\(modelCount)",
                "budget": "\(MemorySize.format(cache.budgetBytes))", "engine": "\(engine != nil)",
            ])
        await preload(catalog: catalog, cache: cache)
        Systemd.notify("READY=1\nSTATUS=idle")

        let loops = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.expireLoop(cache, logger: self.logger) }
                group.addTask { await Self.statusLoop(scheduler) }
                if let interval = Systemd.watchdogInterval() {
                    group.addTask { await Self.watchdogLoop(scheduler, interval: interval) }
                }
            }
        }
        defer { loops.cancel() }
        let policy = config.onSigterm
        let logger = self.logger
        try await withGracefulShutdownHandler {
            async let scheduled: Void = scheduler.run()
            try await server.serve(channel)
            await scheduled
        } onGracefulShutdown: {
            Task {
                logger.notice("stopping", metadata: ["running_job_policy": "\(policy.rawValue)"])
                Systemd.notify("STOPPING=1\nSTATUS=stopping")
                try? await channel.channel.close()
                await scheduler.shutdown(policy: policy)
                server.closeConnections()
            }
        }
        try? registry.checkpoint()
        if case .path(let path, _, _) = listener { unlink(path) }
        logger.notice("stopped")
    }

    private func makeListener() throws -> Listener {
        let inherited = Systemd.listenDescriptors()
        if let fd = inherited.first {
            return .descriptor(fd)
        }
        let mode = UInt32(config.socketMode, radix: 8) ?? 0o660
        var group: UInt32?
        if !config.socketGroup.isEmpty {
            if let entry = getgrnam(config.socketGroup) {
                group = entry.pointee.gr_gid
            } else if let number = UInt32(config.socketGroup) {
                group = number
            } else {
                throw ServiceError(.io, "socket_group \"\(config.socketGroup)\" is not a group on this system")
            }
        }
        let directory = (config.socket as NSString).deletingLastPathComponent
        if !directory.isEmpty { try Self.makeDirectory(directory) }
        return .path(config.socket, mode: mode, group: group)
    }

    private func preload(catalog: ModelCatalog, cache: ModelCache) async {
        for entry in config.preload {
            guard let reference = ModelReference(parsing: entry) else { continue }
            Systemd.notify("STATUS=loading \(reference.name)")
            do {
                let file = try await catalog.resolve(reference.name, kind: reference.kind)
                _ = try await cache.load(file, kind: reference.kind, keepAlive: .forever)
                logger.info("preloaded", metadata: ["model": "\(file.file.name)"])
            } catch {
                logger.error("preload failed", metadata: ["model": "\(entry)", "error": "\(error)"])
            }
        }
    }

    private static func expireLoop(_ cache: ModelCache, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            for name in await cache.expire() {
                logger.info("model unloaded (keep-alive expired)", metadata: ["model": "\(name)"])
            }
        }
    }

    private static func statusLoop(_ scheduler: JobScheduler) async {
        var last = ""
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            let (running, queued) = await scheduler.counts()
            var status = "idle"
            if let running {
                let progress = scheduler.hub.latest(running)
                status = "job \(running)"
                if let step = progress?.step, let steps = progress?.steps { status += " step \(step)/\(steps)" }
                if queued > 0 { status += ", \(queued) queued" }
            }
            if status != last {
                Systemd.notify("STATUS=\(status)")
                last = status
            }
        }
    }

    /// Pings the watchdog at half the interval, from a loop that needs the scheduler actor to
    /// answer, so a wedged scheduler stops the pings and systemd restarts the daemon.
    private static func watchdogLoop(_ scheduler: JobScheduler, interval: Duration) async {
        while !Task.isCancelled {
            _ = await scheduler.counts()
            Systemd.notify("WATCHDOG=1")
            try? await Task.sleep(for: interval / 2)
        }
    }

    private static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ServiceError(.io, "cannot create \(path): \(error.localizedDescription)")
        }
    }

    private static func describe(_ listener: Listener) -> String {
        switch listener {
        case .path(let path, _, _): path
        case .descriptor(let fd): "fd \(fd) (socket activation)"
        }
    }
}
