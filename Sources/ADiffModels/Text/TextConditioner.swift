import ADiffTensor

/// Prompt text → SD1 cross-attention context, exactly as the WebUI builds it
/// (a1111-compat.md §1.4–§1.11): emphasis and `BREAK` parsing, 75-token chunks with BOS/EOS
/// and EOS padding, textual-inversion vectors spliced into the token-embedding output, each
/// chunk encoded on its own with the clip-skip rule, emphasis applied per chunk (the
/// ``EmphasisMode`` of the processor; "Original" rescales to the chunk batch's original
/// mean), chunks concatenated along the token axis.
public struct TextConditioner: Sendable {
    /// The text transformer.
    public let encoder: CLIPTextModel
    /// Parsing, tokenization and chunking (its ``PromptTextProcessor/emphasis`` is applied too).
    public let processor: PromptTextProcessor
    /// Textual-inversion vectors by embedding name, `[vectors, width]` Float32.
    public let embeddingVectors: [String: Tensor]
    /// The WebUI's "Clip skip" (`CLIP_stop_at_last_layers`): 1 = last layer.
    public let clipSkip: Int

    /// A conditioner over an existing processor. Every embedding the processor's table can match
    /// must have its vectors in `embeddingVectors` (checked when a prompt uses it).
    ///
    /// - Throws: ``ModelError`` `.invalidInput` for vectors that are not `[n, width]` or a clip
    ///   skip outside 1 … layers + 1.
    public init(
        encoder: CLIPTextModel, processor: PromptTextProcessor, embeddingVectors: [String: Tensor] = [:],
        clipSkip: Int = 1
    ) throws {
        let width = encoder.configuration.width
        for (name, vectors) in embeddingVectors where vectors.rank != 2 || vectors.shape[1] != width {
            throw ModelError(.invalidInput, "embedding '\(name)' has shape \(vectors.shape), expected [n, \(width)]")
        }
        guard (1...(encoder.configuration.layers + 1)).contains(clipSkip) else {
            throw ModelError(
                .invalidInput,
                "clip skip \(clipSkip) outside 1…\(encoder.configuration.layers + 1) for \(encoder.configuration.layers) layers"
            )
        }
        self.encoder = encoder
        self.processor = processor
        self.embeddingVectors = embeddingVectors
        self.clipSkip = clipSkip
    }

    /// A conditioner with the WebUI's chunker built around `tokenizer` and `embeddings`.
    ///
    /// As in the WebUI, an embedding is registered only if its width equals the encoder's
    /// (others are left out of the prompt matching, so their names stay ordinary text). Also
    /// left out: more than 75 vectors (more than one chunk holds) and names without tokens. A
    /// 1-D tensor is one vector.
    ///
    /// - Returns: The conditioner, and the names of the embeddings left out.
    /// - Throws: ``TextError`` from the chunker or table; ``ModelError`` as the main initialiser.
    public static func webUI(
        encoder: CLIPTextModel, tokenizer: CLIPTokenizer, embeddings: [String: Tensor] = [:],
        emphasis: EmphasisMode = .original, commaBackoff: Int = 20, clipSkip: Int = 1
    ) throws -> (conditioner: TextConditioner, skippedEmbeddings: [String]) {
        let width = encoder.configuration.width
        var accepted: [String: Tensor] = [:]
        var skipped: [String] = []
        for (name, tensor) in embeddings {
            let vectors = tensor.rank == 1 ? tensor.reshaped([1, tensor.count]) : tensor
            if vectors.rank == 2, vectors.shape[1] == width,
                (1...PromptChunker.payloadLength).contains(vectors.shape[0]),
                !tokenizer.encode(name).isEmpty
            {
                accepted[name] = vectors
            } else {
                skipped.append(name)
            }
        }
        let table = try TextualInversionTable(vectorCounts: accepted.mapValues { $0.shape[0] }, tokenizer: tokenizer)
        let chunker = try PromptChunker(tokenizer: tokenizer, embeddings: table, commaBackoff: commaBackoff)
        let conditioner = try TextConditioner(
            encoder: encoder, processor: PromptTextProcessor(chunker: chunker, emphasis: emphasis),
            embeddingVectors: accepted, clipSkip: clipSkip)
        return (conditioner, skipped.sorted())
    }

    /// A positive prompt: its extra-network tags are taken out (and returned as activations),
    /// the rest is encoded.
    ///
    /// - Throws: ``TextError`` for prompt syntax (including a tag with a non-numeric
    ///   multiplier), ``ModelError`` from the encoder.
    public func condition(prompt: String) throws -> TextConditioning {
        let (text, tags) = ExtraNetworkTag.extract(from: prompt)
        let networks = try NetworkActivation.activations(from: tags)
        return TextConditioning(context: try encode(text), encodedText: text, tags: tags, networks: networks)
    }

    /// One text (a negative prompt, or one schedule entry), tags kept as text: `[77·chunks, width]`.
    ///
    /// - Throws: ``TextError`` for prompt syntax, ``ModelError`` from the encoder.
    public func encode(_ text: String) throws -> Tensor {
        try encode([text])[0]
    }

    /// Texts encoded together, as the WebUI encodes the schedule variants of one prompt: all get
    /// the same chunk count (shorter ones padded with empty chunks) and, for emphasis "Original",
    /// each chunk index is rescaled to the mean over all texts' chunks at that index.
    ///
    /// - Returns: One `[77·chunks, width]` context per text.
    /// - Throws: ``TextError`` for prompt syntax, ``ModelError`` from the encoder or for an
    ///   embedding without vectors.
    public func encode(_ texts: [String]) throws -> [Tensor] {
        guard !texts.isEmpty else { return [] }
        let chunked = try processor.chunks(for: texts)
        let width = encoder.configuration.width
        let chunkCount = chunked[0].count
        let chunkSize = 77 * width
        var contexts = texts.map { _ in Tensor(uninitialized: [77 * chunkCount, width]) }
        for index in 0..<chunkCount {
            let batch = chunked.map { $0[index] }
            var embeddings = try encoder.tokenEmbeddings(batch.map(\.tokenIDs))
            for (sequence, chunk) in batch.enumerated() {
                for placement in chunk.embeddings { try splice(placement, into: &embeddings, sequence: sequence) }
            }
            var z = try encoder.encode(embeddings: embeddings, clipSkip: clipSkip)
            try processor.emphasis.apply(to: &z, multipliers: batch.flatMap(\.multipliers))
            z.withUnsafeBufferPointer { source in
                for sequence in contexts.indices {
                    contexts[sequence].withUnsafeMutableBufferPointer { destination in
                        (destination.baseAddress! + index * chunkSize)
                            .update(from: source.baseAddress! + sequence * chunkSize, count: chunkSize)
                    }
                }
            }
        }
        return contexts
    }

    /// Replaces token-embedding rows with an embedding's vectors: rows `position ..< position + n`
    /// of one sequence, `n` cut at the sequence's end (the WebUI's `min(77 − position, n)`).
    private func splice(_ placement: PromptChunk.EmbeddingPlacement, into embeddings: inout Tensor, sequence: Int)
        throws
    {
        guard let vectors = embeddingVectors[placement.name] else {
            throw ModelError(.invalidInput, "embedding '\(placement.name)' is in the prompt table but has no vectors")
        }
        guard vectors.shape[0] == placement.vectorCount else {
            throw ModelError(
                .invalidInput,
                "embedding '\(placement.name)' has \(vectors.shape[0]) vectors, the prompt table says \(placement.vectorCount)"
            )
        }
        let (tokens, width) = (embeddings.shape[1], embeddings.shape[2])
        let rows = min(placement.vectorCount, tokens - placement.position)
        guard rows > 0 else { return }
        vectors.withUnsafeBufferPointer { source in
            embeddings.withUnsafeMutableBufferPointer { destination in
                (destination.baseAddress! + (sequence * tokens + placement.position) * width)
                    .update(from: source.baseAddress!, count: rows * width)
            }
        }
    }
}
