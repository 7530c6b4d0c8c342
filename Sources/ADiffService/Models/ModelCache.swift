import ADiffProtocol
import ADiffWeights
import Foundation

/// Resident models keyed by content hash, with LRU eviction against a memory budget and a
/// keep-alive per model (the ollama scheduler's rules: a model in use is never evicted; an
/// idle one is unloaded when its keep-alive runs out or when room is needed, least recently
/// used first; keep-alive 0 unloads as soon as idle, negative keeps forever).
public actor ModelCache {
    private struct Entry {
        var model: any ResidentModel
        var file: ModelFile
        var sha256: String
        var kind: ModelKind
        var bytes: Int64
        var keepAlive: KeepAlive
        var lastUsed: Date
        var users: Int

        var expiresAt: Date? {
            guard users == 0, let seconds = keepAlive.seconds else { return nil }
            return lastUsed.addingTimeInterval(seconds)
        }
    }

    private let loader: any ResidentModelLoader
    /// Bytes resident models may hold together.
    public let budgetBytes: Int64
    /// Keep-alive for models loaded without one.
    public let defaultKeepAlive: KeepAlive
    private var entries: [String: Entry] = [:]
    private var loading: [String: Task<any ResidentModel, any Error>] = [:]
    private let now: @Sendable () -> Date

    /// Creates an empty cache.
    public init(
        loader: any ResidentModelLoader, budgetBytes: Int64, defaultKeepAlive: KeepAlive,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.loader = loader
        self.budgetBytes = budgetBytes
        self.defaultKeepAlive = defaultKeepAlive
        self.now = now
    }

    /// Makes `resolved` resident (or refreshes its keep-alive) and describes it.
    ///
    /// - Throws: ``RPCError`` `.invalidModel` for a file the loader rejects, `.outOfMemory`
    ///   when it cannot fit even after evicting every idle model.
    public func load(_ resolved: ResolvedModelFile, kind: ModelKind, keepAlive: KeepAlive?) async throws(RPCError)
        -> ResidentModelInfo
    {
        _ = try await acquire(resolved, kind: kind, keepAlive: keepAlive)
        release(resolved.sha256)
        if let entry = entries[resolved.sha256] { return info(entry) }
        // keep-alive 0: validated, loaded and already unloaded again.
        return ResidentModelInfo(
            name: resolved.file.name, kind: kind, sha256: resolved.sha256, sizeBytes: 0, expiresAt: now().timeIntervalSince1970,
            keepAlive: (keepAlive ?? defaultKeepAlive).description, inUse: 0)
    }

    /// Loads if needed and marks the model in use until ``release(_:)``.
    public func acquire(_ resolved: ResolvedModelFile, kind: ModelKind, keepAlive: KeepAlive? = nil) async throws(RPCError)
        -> any ResidentModel
    {
        let key = resolved.sha256
        if var entry = entries[key] {
            entry.users += 1
            entry.lastUsed = now()
            if let keepAlive { entry.keepAlive = keepAlive }
            entries[key] = entry
            return entry.model
        }
        let model: any ResidentModel
        if let pending = loading[key] {
            model = try await Self.mapLoadError(resolved) { try await pending.value }
        } else {
            let loader = self.loader
            if let estimate = try await Self.mapLoadError(resolved, { try await loader.estimatedBytes(of: resolved, kind: kind) }) {
                try makeRoom(for: estimate, name: resolved.file.name)
            }
            let task = Task { try await loader.load(resolved, kind: kind) }
            loading[key] = task
            defer { loading[key] = nil }
            model = try await Self.mapLoadError(resolved) { try await task.value }
        }
        if var entry = entries[key] {
            // Another caller finished the same load first.
            entry.users += 1
            entry.lastUsed = now()
            entries[key] = entry
            return entry.model
        }
        try makeRoom(for: model.residentBytes, name: resolved.file.name)
        entries[key] = Entry(
            model: model, file: resolved.file, sha256: key, kind: kind, bytes: model.residentBytes,
            keepAlive: keepAlive ?? defaultKeepAlive, lastUsed: now(), users: 1)
        return model
    }

    /// Ends one use of the model with `sha256`; it starts its keep-alive when idle.
    public func release(_ sha256: String) {
        guard var entry = entries[sha256] else { return }
        entry.users = max(0, entry.users - 1)
        entry.lastUsed = now()
        entries[sha256] = entry
        if entry.users == 0, entry.keepAlive.seconds == 0 { entries[sha256] = nil }
    }

    /// Drops the model with `sha256` now, or when its last user releases it.
    public func unload(_ sha256: String) -> ModelsUnloadResult {
        guard var entry = entries[sha256] else { return ModelsUnloadResult(unloaded: false, inUse: false) }
        if entry.users > 0 {
            entry.keepAlive = KeepAlive(seconds: 0)
            entries[sha256] = entry
            return ModelsUnloadResult(unloaded: true, inUse: true)
        }
        entries[sha256] = nil
        return ModelsUnloadResult(unloaded: true, inUse: false)
    }

    /// Whether a model with this hash is resident.
    public func isResident(_ sha256: String) -> Bool { entries[sha256] != nil }

    /// Resident models, most recently used first, and the totals.
    public func snapshot() -> PSResult {
        let models = entries.values.sorted { $0.lastUsed > $1.lastUsed }.map(info)
        return PSResult(models: models, residentBytes: residentBytes, budgetBytes: budgetBytes)
    }

    /// Bytes held now.
    public var residentBytes: Int64 { entries.values.reduce(0) { $0 + $1.bytes } }

    /// Unloads idle models whose keep-alive has run out; returns their names.
    @discardableResult
    public func expire() -> [String] {
        let time = now()
        var dropped: [String] = []
        for (key, entry) in entries {
            if let expiry = entry.expiresAt, expiry <= time {
                entries[key] = nil
                dropped.append(entry.file.name)
            }
        }
        return dropped
    }

    /// Drops every idle model (shutdown).
    public func unloadAll() {
        entries = entries.filter { $0.value.users > 0 }
    }

    /// Evicts idle models, least recently used first, until `bytes` more fit the budget.
    private func makeRoom(for bytes: Int64, name: String) throws(RPCError) {
        guard bytes <= budgetBytes else {
            throw RPCError(
                .outOfMemory,
                "\(name) needs \(MemorySize.format(bytes)), more than the whole memory budget of \(MemorySize.format(budgetBytes))")
        }
        while residentBytes + bytes > budgetBytes {
            guard let victim = entries.values.filter({ $0.users == 0 }).min(by: { $0.lastUsed < $1.lastUsed }) else {
                throw RPCError(
                    .outOfMemory,
                    "\(name) needs \(MemorySize.format(bytes)); \(MemorySize.format(residentBytes)) of the \(MemorySize.format(budgetBytes)) budget is held by models in use")
            }
            entries[victim.sha256] = nil
        }
    }

    private func info(_ entry: Entry) -> ResidentModelInfo {
        ResidentModelInfo(
            name: entry.file.name, kind: entry.kind, sha256: entry.sha256, sizeBytes: entry.bytes,
            expiresAt: entry.expiresAt?.timeIntervalSince1970, keepAlive: entry.keepAlive.description, inUse: entry.users)
    }

    /// Runs a loader call, mapping its errors to protocol errors.
    private static func mapLoadError<T>(_ resolved: ResolvedModelFile, _ body: () async throws -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch let error as RPCError {
            throw error
        } catch let error as WeightsError {
            throw RPCError(.invalidModel, "\(resolved.file.name) is not a usable model: \(error.message)")
        } catch {
            throw RPCError(.invalidModel, "\(resolved.file.name) could not be loaded: \(error)")
        }
    }
}
