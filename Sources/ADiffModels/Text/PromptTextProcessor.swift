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
    /// Longest accepted text in Unicode scalars. The WebUI has no limit, but its parser and ours
    /// are quadratic in bracket nesting; 65 536 scalars is hundreds of chunks, far beyond use.
    public let maximumLength: Int

    /// Creates a processor.
    public init(chunker: PromptChunker, emphasis: EmphasisMode = .original, maximumLength: Int = 65_536) {
        self.chunker = chunker
        self.emphasis = emphasis
        self.maximumLength = maximumLength
    }

    /// The chunks of `text` (at least one).
    /// - Throws: `TextError.promptTooLong` beyond `maximumLength`; `TextError.promptSyntax` for an
    ///   emphasis weight that is not a number.
    public func chunks(for text: String) throws(TextError) -> [PromptChunk] {
        let length = text.unicodeScalars.count
        guard length <= maximumLength else {
            throw TextError(.promptTooLong, "prompt of \(length) characters exceeds the limit of \(maximumLength)")
        }
        return chunker.chunks(for: try emphasis.fragments(of: text))
    }

    /// The chunks of several texts encoded together (the schedule variants of one prompt), padded
    /// with empty chunks to the same count.
    public func chunks(for texts: [String]) throws(TextError) -> [[PromptChunk]] {
        var result: [[PromptChunk]] = []
        for text in texts { result.append(try chunks(for: text)) }
        return PromptChunk.paddedToSameCount(result)
    }
}
