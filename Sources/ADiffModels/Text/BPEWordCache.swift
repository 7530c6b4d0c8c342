import Synchronization

/// Per-tokenizer memo of byte-pair-encoded words (prompts repeat the same words constantly).
///
/// Shared by copies of one `CLIPTokenizer` and safe to use from any thread; bounded so a
/// long-running daemon does not grow it without limit.
final class BPEWordCache: Sendable {
    private let entries = Mutex<[String: [Int32]]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The cached ids of `word`, computing and storing them on a miss.
    func ids(for word: String, compute: (String) -> [Int32]) -> [Int32] {
        if let hit = entries.withLock({ $0[word] }) { return hit }
        let ids = compute(word)
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[word] = ids
        }
        return ids
    }
}
