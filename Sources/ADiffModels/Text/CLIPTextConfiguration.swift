/// Dimensions of a CLIP text transformer (Hugging Face `CLIPTextModel`), read from its weights.
public struct CLIPTextConfiguration: Sendable, Equatable {
    /// Rows of the token-embedding table (49 408 for OpenAI CLIP's BPE).
    public var vocabularySize: Int
    /// Rows of the position-embedding table: the longest token sequence (77).
    public var maximumPositions: Int
    /// Hidden width (768 for ViT-L/14).
    public var width: Int
    /// Encoder layers (12 for ViT-L/14).
    public var layers: Int
    /// Attention heads.
    public var heads: Int
    /// MLP hidden width (3072 for ViT-L/14).
    public var intermediateSize: Int

    /// Creates a configuration.
    public init(vocabularySize: Int, maximumPositions: Int, width: Int, layers: Int, heads: Int, intermediateSize: Int)
    {
        self.vocabularySize = vocabularySize
        self.maximumPositions = maximumPositions
        self.width = width
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
    }

    /// The head count for a text tower `width` wide when the caller does not state one.
    ///
    /// Head count is not visible in the weights (q/k/v are `[width, width]` whatever the split),
    /// so it comes from a convention. Every published CLIP text tower has 64-wide heads
    /// (ViT-B 512/8, ViT-L 768/12, ViT-H 1024/16, bigG 1280/20): a width that is a multiple of
    /// 64 gets `width / 64` heads. Narrower widths exist only in generated test models, whose
    /// maker uses 16-wide heads (the tiny preset: width 32, 2 heads): a width below 64 that
    /// is a multiple of 16 gets `width / 16`. Anything else has no convention and returns nil;
    /// the caller must then pass the head count explicitly.
    public static func conventionalHeads(width: Int) -> Int? {
        if width >= 64 && width % 64 == 0 { return width / 64 }
        if width > 0 && width < 64 && width % 16 == 0 { return width / 16 }
        return nil
    }

    /// The configuration the weights under `scope` describe (`embeddings.token_embedding.weight`,
    /// `embeddings.position_embedding.weight`, `encoder.layers.N.*`, `final_layer_norm.*`).
    ///
    /// - Parameter heads: The head count, or nil for ``conventionalHeads(width:)``.
    /// - Throws: ``ModelError`` `.missingWeight`, `.weightShape` when shapes disagree with each
    ///   other, `.unsupportedArchitecture` when there are no layers or no head count applies.
    public static func inferred(from scope: ParameterScope, heads: Int? = nil) throws -> CLIPTextConfiguration {
        let origin = scope.parameters.origin
        let token = try scope["embeddings"]["token_embedding"].requireShape("weight", rank: 2)
        let position = try scope["embeddings"]["position_embedding"].requireShape("weight", rank: 2)
        let width = token[1]
        guard position[1] == width else {
            throw ModelError(
                .weightShape, "\(origin): position embedding \(position) and token embedding \(token) differ in width")
        }
        var layers = 0
        while scope["encoder"]["layers"][layers]["self_attn"]["q_proj"].contains("weight") { layers += 1 }
        guard layers > 0 else {
            throw ModelError(
                .unsupportedArchitecture, "\(origin): no '\(scope.key("encoder.layers.0.self_attn.q_proj.weight"))'")
        }
        let fc1 = try scope["encoder"]["layers"][0]["mlp"]["fc1"].requireShape("weight", rank: 2)
        guard fc1[1] == width else {
            throw ModelError(.weightShape, "\(origin): mlp.fc1 weight \(fc1) does not take width \(width)")
        }
        guard let heads = heads ?? conventionalHeads(width: width) else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): no head-count convention for a text encoder \(width) wide; state the head count")
        }
        guard heads > 0, width % heads == 0 else {
            throw ModelError(.unsupportedArchitecture, "\(origin): \(heads) heads do not divide width \(width)")
        }
        return CLIPTextConfiguration(
            vocabularySize: token[0], maximumPositions: position[0], width: width, layers: layers, heads: heads,
            intermediateSize: fc1[0])
    }
}
