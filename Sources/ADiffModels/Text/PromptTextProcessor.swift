/// Turns one prompt text (after prompt scheduling) into encoder-ready chunks the way the WebUI does:
/// emphasis/`BREAK` parsing per `emphasis`, per-fragment tokenization, 75-token chunking with the
/// comma back-off, textual-inversion placeholders.
///
/// Extra-network tags are not handled here: take them out of positive prompts first with
/// `ExtraNetworkTag.extract(from:)` (negative prompts keep them as text, like the WebUI).
public struct PromptTextProcessor: Sendable {
    /// The chunker (tokenizer, embeddings, comma back-off).
    public let chunker: PromptChunker
    /// How brackets are parsed (the encoder applies the same mode with `EmphasisMode.apply`).
    public let emphasis: EmphasisMode

    /// Creates a processor.
    public init(chunker: PromptChunker, emphasis: EmphasisMode = .original) {
        self.chunker = chunker
        self.emphasis = emphasis
    }

    /// The chunks of `text` (at least one).
    /// - Throws: `TextError.promptSyntax` for an emphasis weight that is not a number.
    public func chunks(for text: String) throws(TextError) -> [PromptChunk] {
        chunker.chunks(for: try emphasis.fragments(of: text))
    }

    /// The chunks of several texts encoded together (the schedule variants of one prompt), padded
    /// with empty chunks to the same count.
    public func chunks(for texts: [String]) throws(TextError) -> [[PromptChunk]] {
        var result: [[PromptChunk]] = []
        for text in texts { result.append(try chunks(for: text)) }
        return PromptChunk.paddedToSameCount(result)
    }
}
