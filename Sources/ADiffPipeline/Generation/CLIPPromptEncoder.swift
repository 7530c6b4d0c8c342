import ADiffModels
import ADiffTensor

/// The CLIP text encoder as the pipeline's ``PromptEncoding``: the WebUI's prompt processing
/// (tokenizer, emphasis, chunking, textual inversion) around a ``CLIPTextModel``.
///
/// The chunker and embedding table are built once; each call only picks the clip skip.
public struct CLIPPromptEncoder: PromptEncoding {
    /// The conditioner at clip skip 1; other skips reuse its processor.
    public let conditioner: TextConditioner
    /// Embeddings that were not registered (wrong width, too many vectors), for a warning.
    public let skippedEmbeddings: [String]

    /// An encoder over `model` with textual-inversion `embeddings` (name → `[n, width]`).
    ///
    /// - Throws: ``TextError`` when the bundled vocabulary cannot be read, ``ModelError`` for
    ///   unusable embedding vectors.
    public init(model: CLIPTextModel, embeddings: [String: Tensor] = [:]) throws {
        let built = try TextConditioner.webUI(encoder: model, tokenizer: try CLIPTokenizer.bundled(), embeddings: embeddings)
        conditioner = built.conditioner
        skippedEmbeddings = built.skippedEmbeddings
    }

    /// Encodes `texts` together at `clipSkip` (see ``TextConditioner/encode(_:)-([String])``).
    public func encode(_ texts: [String], clipSkip: Int) throws -> [Tensor] {
        let skipped =
            clipSkip == conditioner.clipSkip
            ? conditioner
            : try TextConditioner(
                encoder: conditioner.encoder, processor: conditioner.processor,
                embeddingVectors: conditioner.embeddingVectors, clipSkip: clipSkip)
        return try skipped.encode(texts)
    }
}
