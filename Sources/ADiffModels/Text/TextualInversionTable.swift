/// The textual-inversion embeddings a prompt may name, as the WebUI matches them in the token
/// stream (compatibility spec §1.8). Only names and vector counts live here; loading the vectors
/// is the job of whoever reads the embedding files.
public struct TextualInversionTable: Sendable {
    /// One embedding as the chunker sees it.
    public struct Entry: Sendable, Equatable {
        /// The embedding name (file stem), as typed in prompts.
        public let name: String
        /// Number of token positions the embedding occupies.
        public let vectorCount: Int
        /// The name's token ids under the prompt tokenizer.
        public let tokenIDs: [Int32]
    }

    /// Candidates keyed by first token id, longest token sequence first (ties by name, so the
    /// order does not depend on how files were listed).
    private let candidates: [Int32: [Entry]]

    /// An empty table: no embeddings.
    public init() {
        candidates = [:]
    }

    /// Builds the lookup.
    /// - Parameters:
    ///   - vectorCounts: embedding name → number of vectors.
    ///   - tokenizer: the tokenizer of the first text encoder (the one prompts are chunked with).
    /// - Throws: `TextError.textualInversion` for a name that tokenizes to nothing or a vector
    ///   count outside 1…75 (a chunk holds 75 positions).
    public init(vectorCounts: [String: Int], tokenizer: CLIPTokenizer) throws(TextError) {
        var candidates: [Int32: [Entry]] = [:]
        for name in vectorCounts.keys.sorted() {
            let count = vectorCounts[name]!
            guard (1...PromptChunker.payloadLength).contains(count) else {
                throw TextError(.textualInversion, "embedding '\(name)': \(count) vectors, a prompt chunk holds 1…75")
            }
            let ids = tokenizer.encode(name)
            guard let first = ids.first else {
                throw TextError(.textualInversion, "embedding name '\(name)' contains no tokens")
            }
            candidates[first, default: []].append(Entry(name: name, vectorCount: count, tokenIDs: ids))
        }
        for key in candidates.keys {
            // Stable sort: equal lengths keep the name order.
            candidates[key] = candidates[key]!.enumerated()
                .sorted { ($0.element.tokenIDs.count, -$0.offset) > ($1.element.tokenIDs.count, -$1.offset) }
                .map(\.element)
        }
        self.candidates = candidates
    }

    /// The embedding whose whole token sequence starts at `ids[index]`, if any.
    public func match(_ ids: [Int32], at index: Int) -> Entry? {
        guard let list = candidates[ids[index]] else { return nil }
        return list.first { ids[index...].starts(with: $0.tokenIDs) }
    }
}
