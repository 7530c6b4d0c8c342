/// One 77-token window of a prompt, ready for the text encoder: `[BOS] + 75 payload + [EOS]`.
public struct PromptChunk: Sendable, Equatable {
    /// Where a textual-inversion embedding's vectors replace token embeddings.
    public struct EmbeddingPlacement: Sendable, Equatable {
        /// The embedding name.
        public let name: String
        /// Row of the first vector in the 77-row chunk (BOS is row 0). The encoder writes
        /// `min(vectorCount, 76 − position)` rows from here, replacing the token-embedding output.
        public let position: Int
        /// Number of vectors.
        public let vectorCount: Int

        /// Creates a placement.
        public init(name: String, position: Int, vectorCount: Int) {
            self.name = name
            self.position = position
            self.vectorCount = vectorCount
        }
    }

    /// Token ids: BOS, the payload (0 where an embedding goes), EOS padding, EOS.
    public var tokenIDs: [Int32]
    /// Emphasis multiplier per token; 1 on BOS, EOS and padding. Float64 products rounded to Float.
    public var multipliers: [Float]
    /// Embedding placements recorded while this chunk was filled.
    public var embeddings: [EmbeddingPlacement]

    /// Creates a chunk.
    public init(tokenIDs: [Int32], multipliers: [Float], embeddings: [EmbeddingPlacement] = []) {
        self.tokenIDs = tokenIDs
        self.multipliers = multipliers
        self.embeddings = embeddings
    }

    /// `[BOS, EOS × 76]` with multipliers 1: the empty prompt, and the filler when texts encoded
    /// together have different chunk counts.
    public static let empty = PromptChunk(
        tokenIDs: [CLIPTokenizer.startOfTextID] + Array(repeating: CLIPTokenizer.endOfTextID, count: 76),
        multipliers: Array(repeating: 1, count: 77)
    )

    /// Pads each text's chunk list with `empty` chunks to the longest count, as the WebUI does for
    /// texts encoded together (the schedule variants of one prompt).
    public static func paddedToSameCount(_ texts: [[PromptChunk]]) -> [[PromptChunk]] {
        let count = texts.map(\.count).max() ?? 0
        return texts.map { $0 + Array(repeating: .empty, count: count - $0.count) }
    }
}
