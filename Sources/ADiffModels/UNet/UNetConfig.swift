/// The dimensions of an ldm (`openaimodel.UNetModel`) UNet, inferred from its weights.
///
/// Nothing here is taken from a file name or hard-coded for SD1.5: the same inference reads a
/// tiny test model, SD1.5, and the shapes of SD2 / SDXL UNets (linear `proj_in`, transformer
/// depth per level, a label embedding), so those are new configurations of the same code.
public struct UNetConfig: Sendable, Equatable {
    /// How many attention heads a transformer of a given width has.
    public enum AttentionHeads: Sendable, Equatable, CustomStringConvertible {
        /// A fixed number of heads at every width (ldm `num_heads`; SD1.x: 8).
        case count(Int)
        /// A fixed width per head (ldm `num_head_channels`; SD2.x and SDXL: 64).
        case dimension(Int)

        /// Heads for a transformer whose attention width is `channels`, or nil when the rule
        /// does not divide it.
        public func heads(forChannels channels: Int) -> Int? {
            switch self {
            case .count(let heads):
                heads > 0 && channels % heads == 0 ? heads : nil
            case .dimension(let width):
                width > 0 && channels % width == 0 ? channels / width : nil
            }
        }

        /// `8 heads` or `64 per head`.
        public var description: String {
            switch self {
            case .count(let heads): "\(heads) heads"
            case .dimension(let width): "\(width) channels per head"
            }
        }
    }

    /// Latent channels in (`input_blocks.0.0`; 4, or 9 for inpainting models).
    public var inputChannels: Int
    /// Channels predicted (`out.2`; 4).
    public var outputChannels: Int
    /// Channels of the first level (`model_channels`; SD1.5: 320).
    public var modelChannels: Int
    /// Channels of each level divided by ``modelChannels`` (`channel_mult`; SD1.5: 1, 2, 4, 4).
    public var channelMultipliers: [Int]
    /// ResBlocks of each down level (`num_res_blocks`; SD1.5: 2 each); the matching up level
    /// has one more.
    public var resBlocksPerLevel: [Int]
    /// Transformer blocks in each spatial transformer of a level, 0 for a level without
    /// attention (SD1.5: 1, 1, 1, 0; SDXL: 0, 2, 10).
    public var transformerDepth: [Int]
    /// Transformer blocks in the middle block's spatial transformer (SD1.5: 1; SDXL: 10).
    public var middleTransformerDepth: Int
    /// Width of the text context that cross-attention reads (`context_dim`; SD1.5: 768).
    public var contextDimension: Int
    /// The head rule (see ``defaultAttentionHeads(contextDimension:)``).
    public var attentionHeads: AttentionHeads
    /// Whether the spatial transformers' `proj_in` / `proj_out` are linear layers (SD2.1,
    /// SDXL) rather than 1×1 convolutions (SD1.x). On channels-last activations both are the
    /// same GEMM; the flag only records the layout.
    public var linearProjection: Bool
    /// Width of the timestep embedding (`time_embed`; 4 × ``modelChannels``).
    public var timeEmbeddingDimension: Int
    /// Inputs of the class / vector-conditioning embedding `label_emb` (SDXL: 2816), or nil.
    public var labelEmbeddingInputs: Int?

    /// Number of resolution levels.
    public var levels: Int { channelMultipliers.count }
    /// Channels of each level.
    public var levelChannels: [Int] { channelMultipliers.map { $0 * modelChannels } }
    /// The factor the latent height and width must be divisible by (one halving per level
    /// transition).
    public var spatialFactor: Int { 1 << (levels - 1) }

    /// Creates a configuration from explicit values.
    public init(
        inputChannels: Int, outputChannels: Int, modelChannels: Int, channelMultipliers: [Int],
        resBlocksPerLevel: [Int], transformerDepth: [Int], middleTransformerDepth: Int, contextDimension: Int,
        attentionHeads: AttentionHeads, linearProjection: Bool, timeEmbeddingDimension: Int,
        labelEmbeddingInputs: Int? = nil
    ) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.modelChannels = modelChannels
        self.channelMultipliers = channelMultipliers
        self.resBlocksPerLevel = resBlocksPerLevel
        self.transformerDepth = transformerDepth
        self.middleTransformerDepth = middleTransformerDepth
        self.contextDimension = contextDimension
        self.attentionHeads = attentionHeads
        self.linearProjection = linearProjection
        self.timeEmbeddingDimension = timeEmbeddingDimension
        self.labelEmbeddingInputs = labelEmbeddingInputs
    }

    /// The head rule ldm's configs use, which the weights cannot tell (heads do not change
    /// any shape): SD1.x sets `num_heads: 8` with its 768-wide CLIP context; SD2.x (1024-wide
    /// OpenCLIP context) and SDXL (2048) set `num_head_channels: 64`. Context widths below
    /// 1024 — SD1.x and the scaled-down test models built with SD1.5's settings — get 8
    /// heads; wider ones 64 channels per head. Override ``attentionHeads`` for anything else.
    public static func defaultAttentionHeads(contextDimension: Int) -> AttentionHeads {
        contextDimension >= 1024 ? .dimension(64) : .count(8)
    }
}
