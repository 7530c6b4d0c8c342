import ADiffTensor
import ADiffWeights

/// The CLIP text transformer of SD1.x (Hugging Face `CLIPTextModel`, ViT-L/14 text tower for
/// real checkpoints): token + position embeddings, pre-LayerNorm blocks with causal attention
/// and QuickGELU, a final LayerNorm. The architecture is read from the weights.
///
/// Weights are the checkpoint's `cond_stage_model.transformer.` tensors with that prefix
/// removed (`text_model.embeddings.token_embedding.weight`, …); files that omit `text_model.`
/// are accepted as well. They stay in their stored precision and are widened per layer.
public struct CLIPTextModel: Sendable {
    /// The inferred dimensions.
    public let configuration: CLIPTextConfiguration
    /// `[vocabularySize, width]` as stored; rows are widened one token at a time.
    private let tokenEmbedding: StoredTensor
    /// `[maximumPositions, width]` as stored.
    private let positionEmbedding: StoredTensor
    /// Position-table row for each token slot.
    public let positionIndices: [Int]
    private let layers: [CLIPEncoderLayer]
    private let finalNorm: NormLayer

    /// The text model whose weights `parameters` holds.
    ///
    /// Position rows follow `embeddings.position_ids` when the weights carry it, truncated toward
    /// zero as integers, because some merged checkpoints store corrupted fractional ids (76.9999)
    /// that the WebUI loads and uses that way (a1111-compat.md §1.9); without it slot `i` uses row `i`.
    ///
    /// - Parameter heads: Attention heads, or nil for ``CLIPTextConfiguration/conventionalHeads(width:)``.
    /// - Throws: ``ModelError`` `.missingWeight`, `.weightShape`, `.unsupportedArchitecture`.
    public init(parameters: ModelParameters, heads: Int? = nil) throws {
        let root =
            parameters.contains("text_model.embeddings.token_embedding.weight")
            ? parameters.scope("text_model") : parameters.scope("")
        let configuration = try CLIPTextConfiguration.inferred(from: root, heads: heads)
        let embeddings = root["embeddings"]
        tokenEmbedding = try embeddings["token_embedding"].stored("weight")
        positionEmbedding = try embeddings["position_embedding"].stored("weight")
        for (name, tensor) in [("token_embedding", tokenEmbedding), ("position_embedding", positionEmbedding)]
        where !tensor.dtype.isFloatingPoint {
            throw ModelError(
                .weightShape, "\(parameters.origin): '\(embeddings.key(name)).weight' is \(tensor.dtype.rawValue)")
        }
        positionIndices = try Self.positionIndices(embeddings, count: configuration.maximumPositions)
        layers = try (0..<configuration.layers).map {
            try CLIPEncoderLayer(
                root["encoder"]["layers"][$0], width: configuration.width, heads: configuration.heads)
        }
        finalNorm = try NormLayer(root["final_layer_norm"], kind: .layer, epsilon: 1e-5)
        guard finalNorm.channels == configuration.width else {
            throw ModelError(
                .weightShape,
                "\(parameters.origin): final_layer_norm has \(finalNorm.channels) channels, not \(configuration.width)")
        }
        self.configuration = configuration
    }

    /// Output of the token-embedding lookup (before position embeddings), `[B, T, width]`:
    /// where the WebUI splices textual-inversion vectors in.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` for sequences of different or excessive length,
    ///   or an id outside the vocabulary.
    public func tokenEmbeddings(_ tokenIDs: [[Int32]]) throws -> Tensor {
        let tokens = try checkedLength(tokenIDs)
        let width = configuration.width
        for ids in tokenIDs {
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= configuration.vocabularySize }) {
                throw ModelError(
                    .invalidInput, "token id \(bad) is outside the vocabulary of \(configuration.vocabularySize)")
            }
        }
        var output = Tensor(uninitialized: [tokenIDs.count, tokens, width])
        let rowBytes = width * tokenEmbedding.dtype.byteSize
        try tokenEmbedding.bytes.withUnsafeBytes { table in
            try output.withUnsafeMutableBufferPointer { out in
                for (sequence, ids) in tokenIDs.enumerated() {
                    for (slot, id) in ids.enumerated() {
                        let start = Int(id) * rowBytes
                        let row = (sequence * tokens + slot) * width
                        try DTypeConversion.widen(
                            UnsafeRawBufferPointer(rebasing: table[start..<(start + rowBytes)]),
                            dtype: tokenEmbedding.dtype,
                            into: UnsafeMutableBufferPointer(rebasing: out[row..<(row + width)]))
                    }
                }
            }
        }
        return output
    }

    /// Encodes token-embedding rows (`[B, T, width]`, the output of ``tokenEmbeddings(_:)``
    /// with any textual-inversion rows replaced) as the WebUI does for SD1 (a1111-compat.md §1.9):
    /// clip skip 1 is the last layer's output after the final LayerNorm; clip skip `N > 1` is
    /// the output of layer `layers − N + 1` (hidden state `−N`), also followed by the final
    /// LayerNorm.
    ///
    /// - Parameter clipSkip: 1 … layers + 1 (layers + 1 is the embeddings themselves).
    /// - Returns: `[B, T, width]`.
    /// - Throws: ``ModelError`` `.invalidInput` for a bad shape or clip skip.
    public func encode(embeddings: Tensor, clipSkip: Int = 1) throws -> Tensor {
        let width = configuration.width
        guard embeddings.rank == 3, embeddings.shape[2] == width, embeddings.shape[0] > 0,
            (1...configuration.maximumPositions).contains(embeddings.shape[1])
        else {
            throw ModelError(
                .invalidInput,
                "text encoder input must be [B, 1…\(configuration.maximumPositions), \(width)], got \(embeddings.shape)"
            )
        }
        guard (1...(configuration.layers + 1)).contains(clipSkip) else {
            throw ModelError(
                .invalidInput,
                "clip skip \(clipSkip) outside 1…\(configuration.layers + 1) for \(configuration.layers) layers")
        }
        let (batch, tokens) = (embeddings.shape[0], embeddings.shape[1])
        var hidden = embeddings
        let positions = try positionEmbedding.widened()
        positions.withUnsafeBufferPointer { table in
            hidden.withUnsafeMutableBufferPointer { x in
                for sequence in 0..<batch {
                    for slot in 0..<tokens {
                        let row = (sequence * tokens + slot) * width
                        let source = positionIndices[slot] * width
                        for channel in 0..<width { x[row + channel] += table[source + channel] }
                    }
                }
            }
        }
        for layer in layers.prefix(configuration.layers - clipSkip + 1) { hidden = try layer(hidden) }
        return try finalNorm(hidden)
    }

    /// Token embeddings, then ``encode(embeddings:clipSkip:)``.
    public func encode(tokenIDs: [[Int32]], clipSkip: Int = 1) throws -> Tensor {
        try encode(embeddings: try tokenEmbeddings(tokenIDs), clipSkip: clipSkip)
    }

    private func checkedLength(_ tokenIDs: [[Int32]]) throws -> Int {
        guard let tokens = tokenIDs.first?.count, tokens > 0, tokens <= configuration.maximumPositions,
            tokenIDs.allSatisfy({ $0.count == tokens })
        else {
            throw ModelError(
                .invalidInput,
                "text encoder input needs 1 or more sequences of one length in 1…\(configuration.maximumPositions), got lengths \(tokenIDs.map(\.count))"
            )
        }
        return tokens
    }

    /// Rows of the position table per slot: `trunc(position_ids)` when stored, else `0..<count`.
    private static func positionIndices(_ embeddings: ParameterScope, count: Int) throws -> [Int] {
        guard embeddings.contains("position_ids") else { return Array(0..<count) }
        let stored = try embeddings.stored("position_ids")
        let origin = embeddings.parameters.origin
        guard stored.elementCount == count else {
            throw ModelError(
                .weightShape,
                "\(origin): '\(embeddings.key("position_ids"))' has shape \(stored.shape), expected \(count) ids")
        }
        let values: [Double]
        switch stored.dtype {
        case .int64:
            values = stride(from: 0, to: stored.bytes.count, by: 8).map { offset in
                Double((0..<8).reduce(Int64(0)) { $0 | Int64(stored.bytes[offset + $1]) << (8 * $1) })
            }
        case .int32:
            values = stride(from: 0, to: stored.bytes.count, by: 4).map { offset in
                Double(
                    Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(stored.bytes[offset + $1]) << (8 * $1) }))
            }
        case let dtype where dtype.isFloatingPoint:
            values = try stored.widened().scalars.map { Double($0) }
        default:
            throw ModelError(.weightShape, "\(origin): '\(embeddings.key("position_ids"))' is \(stored.dtype.rawValue)")
        }
        return try values.map { value in
            let index = value.rounded(.towardZero)
            guard index >= 0, index < Double(count) else {
                throw ModelError(
                    .weightShape, "\(origin): '\(embeddings.key("position_ids"))' holds \(value), outside 0..<\(count)")
            }
            return Int(index)
        }
    }
}
