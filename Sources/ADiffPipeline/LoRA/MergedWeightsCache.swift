import Synchronization

/// Remembers the most recent merges so that the same LoRA set (same files, same multipliers)
/// on the same base models is merged once, not once per job.
///
/// Keyed by the base models' identity (e.g. their file hashes) and, per LoRA in order, its
/// content identity, multipliers and rank truncation. Holds at most `capacity` results,
/// dropping the least recently used; merged tensors are only the changed layers, so one entry
/// costs about the size of the LoRA-touched weights. Safe to share between threads; a merge
/// runs outside the lock, so two threads asking for the same new set may both merge it.
public final class MergedWeightsCache: Sendable {
    private struct State {
        var entries: [(key: String, result: LoRAMergeResult)] = []
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    /// Most results kept.
    public let capacity: Int

    /// Creates a cache holding up to `capacity` merge results (at least one).
    public init(capacity: Int = 1) {
        self.capacity = max(1, capacity)
    }

    /// The merge of `applications` into `targets`, from the cache or computed by `merge` (by
    /// default ``LoRAMerger/merge(_:into:)``).
    ///
    /// - Parameter baseIdentity: Identifies the target weights (e.g. checkpoint and motion
    ///   module hashes); a different base never reuses a result.
    public func result(
        for applications: [LoRAApplication],
        into targets: [LoRATarget],
        baseIdentity: String,
        merge: ([LoRAApplication], [LoRATarget]) throws -> LoRAMergeResult = LoRAMerger.merge
    ) throws -> LoRAMergeResult {
        let key =
            ([baseIdentity, targets.map(\.component.rawValue).joined(separator: "+")] + applications.map(\.cacheKey))
            .joined(separator: "\n")
        let cached: LoRAMergeResult? = state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.key == key }) else { return nil }
            state.hits += 1
            let entry = state.entries.remove(at: index)
            state.entries.append(entry)
            return entry.result
        }
        if let cached { return cached }
        let result = try merge(applications, targets)
        state.withLock { state in
            state.misses += 1
            state.entries.removeAll { $0.key == key }
            state.entries.append((key, result))
            if state.entries.count > capacity { state.entries.removeFirst(state.entries.count - capacity) }
        }
        return result
    }

    /// Lookups answered from the cache.
    public var hits: Int { state.withLock { $0.hits } }
    /// Lookups that merged.
    public var misses: Int { state.withLock { $0.misses } }

    /// Drops every entry (e.g. when a base model is unloaded).
    public func removeAll() {
        state.withLock { $0.entries.removeAll() }
    }
}
