import ADiffTensor

/// The text side of a generation: a CLIP text encoder with its tokenizer, emphasis handling
/// and embeddings, as the pipeline needs it.
///
/// The pipeline resolves prompt travel, extra-network tags and prompt editing itself and hands
/// over plain texts (emphasis brackets and `BREAK` still in them).
public protocol PromptEncoding: Sendable {
    /// Encodes `texts` as one batch, as the WebUI encodes the schedule variants of one prompt:
    /// chunk counts are equalised across the batch and "Original" emphasis restores the mean
    /// over all of them.
    ///
    /// - Parameter clipSkip: The WebUI's "Clip skip" (1 = last layer).
    /// - Returns: One `[tokens, width]` tensor per text (tokens a multiple of 77).
    func encode(_ texts: [String], clipSkip: Int) throws -> [Tensor]
}
