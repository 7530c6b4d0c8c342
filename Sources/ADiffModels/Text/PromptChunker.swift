/// Packs tokenized fragments into 77-token chunks exactly as the WebUI does (compatibility spec
/// §1.7): 75 payload tokens per chunk, `BREAK` closes a chunk, a full chunk moves the text after
/// its last comma to the next chunk when that comma is within `commaBackoff` tokens of the end,
/// and textual-inversion names become placeholder positions that never straddle two chunks.
///
/// Faithful to a WebUI quirk: when the comma back-off moves tokens, embedding placements already
/// recorded stay with the chunk that was closed.
public struct PromptChunker: Sendable {
    /// Payload tokens per chunk.
    public static let payloadLength = 75

    /// Tokenizer of the text encoder the chunks are for.
    public let tokenizer: CLIPTokenizer
    /// Embeddings recognised in the token stream.
    public let embeddings: TextualInversionTable
    /// "Prompt word wrap length limit" (`comma_padding_backtrack`): 20 by default, 0 disables.
    public let commaBackoff: Int

    /// Creates a chunker.
    /// - Throws: `TextError.invalidArgument` for a negative `commaBackoff`.
    public init(
        tokenizer: CLIPTokenizer, embeddings: TextualInversionTable = TextualInversionTable(), commaBackoff: Int = 20
    ) throws(TextError) {
        guard commaBackoff >= 0 else {
            throw TextError(.invalidArgument, "comma back-off \(commaBackoff) must be 0 (off) or positive")
        }
        self.tokenizer = tokenizer
        self.embeddings = embeddings
        self.commaBackoff = commaBackoff
    }

    /// The chunks of one parsed prompt (never empty: the empty prompt gives `PromptChunk.empty`).
    public func chunks(for fragments: [PromptFragment]) -> [PromptChunk] {
        var builder = Builder()
        for fragment in fragments {
            if fragment.isBreak {
                builder.close()
                continue
            }
            let ids = tokenizer.encode(fragment.text)
            let weight = Float(fragment.weight)
            var index = 0
            while index < ids.count {
                let token = ids[index]
                if token == CLIPTokenizer.commaID {
                    builder.lastComma = builder.tokens.count
                } else if commaBackoff != 0, builder.tokens.count == Self.payloadLength, builder.lastComma != -1,
                          Self.payloadLength - builder.lastComma <= commaBackoff {
                    builder.closeMovingTextAfterLastComma()
                }
                if builder.tokens.count == Self.payloadLength { builder.close() }
                if let embedding = embeddings.match(ids, at: index) {
                    if builder.tokens.count + embedding.vectorCount > Self.payloadLength { builder.close() }
                    builder.placements.append(PromptChunk.EmbeddingPlacement(
                        name: embedding.name, position: builder.tokens.count + 1, vectorCount: embedding.vectorCount))
                    builder.tokens += Array(repeating: 0, count: embedding.vectorCount)
                    builder.multipliers += Array(repeating: weight, count: embedding.vectorCount)
                    index += embedding.tokenIDs.count
                } else {
                    builder.tokens.append(token)
                    builder.multipliers.append(weight)
                    index += 1
                }
            }
        }
        if !builder.tokens.isEmpty || builder.chunks.isEmpty { builder.close() }
        return builder.chunks
    }

    /// The chunk being filled and the chunks closed so far.
    private struct Builder {
        var chunks: [PromptChunk] = []
        var tokens: [Int32] = []
        var multipliers: [Float] = []
        var placements: [PromptChunk.EmbeddingPlacement] = []
        var lastComma = -1

        mutating func close() {
            let padding = max(0, PromptChunker.payloadLength - tokens.count)
            chunks.append(PromptChunk(
                tokenIDs: [CLIPTokenizer.startOfTextID] + tokens
                    + Array(repeating: CLIPTokenizer.endOfTextID, count: padding + 1),
                multipliers: [1] + multipliers + Array(repeating: 1, count: padding + 1),
                embeddings: placements))
            tokens = []
            multipliers = []
            placements = []
            lastComma = -1
        }

        mutating func closeMovingTextAfterLastComma() {
            let cut = lastComma + 1
            let movedTokens = Array(tokens[cut...])
            let movedMultipliers = Array(multipliers[cut...])
            tokens.removeSubrange(cut...)
            multipliers.removeSubrange(cut...)
            close()
            tokens = movedTokens
            multipliers = movedMultipliers
        }
    }
}
