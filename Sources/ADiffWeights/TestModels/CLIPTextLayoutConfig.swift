/// Dimensions of a CLIP text encoder (Hugging Face `CLIPTextModel`).
public struct CLIPTextLayoutConfig: Sendable, Equatable, Codable {
    /// Token vocabulary (49,408 for OpenAI CLIP's BPE; kept real in tiny models so the real
    /// tokenizer's ids index the table).
    public var vocabularySize: Int
    /// Positions (77).
    public var maximumPositions: Int
    /// Hidden width (768 for CLIP ViT-L/14).
    public var width: Int
    /// Encoder layers (12).
    public var layers: Int
    /// Attention heads (12); shapes do not depend on it.
    public var heads: Int
    /// MLP hidden width (3072).
    public var intermediateSize: Int

    /// Creates a configuration.
    public init(
        vocabularySize: Int = 49408, maximumPositions: Int = 77, width: Int, layers: Int, heads: Int,
        intermediateSize: Int
    ) {
        self.vocabularySize = vocabularySize
        self.maximumPositions = maximumPositions
        self.width = width
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
    }

    /// SD1.x's text encoder, CLIP ViT-L/14.
    public static let sd15 = CLIPTextLayoutConfig(width: 768, layers: 12, heads: 12, intermediateSize: 3072)

    /// Checks positivity and that heads divide the width.
    public func validate() throws {
        guard vocabularySize > 0, maximumPositions > 0, width > 0, layers > 0, heads > 0, intermediateSize > 0 else {
            throw WeightsError(.invalidArgument, "CLIP config: every dimension must be positive")
        }
        guard width % heads == 0 else {
            throw WeightsError(.invalidArgument, "CLIP config: \(heads) heads do not divide width \(width)")
        }
    }
}
