/// Dimensions of an SD1.x-style UNet (ldm `openaimodel.UNetModel`, label-free).
public struct UNetLayoutConfig: Sendable, Equatable, Codable {
    /// Latent channels in and out (4 for SD).
    public var latentChannels: Int
    /// Channels of the first level (`model_channels`, 320 for SD1.5).
    public var modelChannels: Int
    /// Per-level channel multipliers (`channel_mult`, [1, 2, 4, 4]).
    public var channelMultipliers: [Int]
    /// ResBlocks per down level (`num_res_blocks`, 2); up levels have one more.
    public var layersPerBlock: Int
    /// Levels (0-based) that carry spatial transformers (`attention_resolutions` 4, 2, 1 → [0, 1, 2]).
    public var attentionLevels: [Int]
    /// Attention heads; shapes do not depend on it, a runtime configured from this struct does.
    public var heads: Int
    /// Transformer blocks per spatial transformer (`transformer_depth`).
    public var transformerDepth: Int
    /// Width of the text context for cross-attention (`context_dim`, 768).
    public var contextDimension: Int

    /// Creates a configuration.
    public init(
        latentChannels: Int = 4, modelChannels: Int, channelMultipliers: [Int], layersPerBlock: Int,
        attentionLevels: [Int], heads: Int, transformerDepth: Int, contextDimension: Int
    ) {
        self.latentChannels = latentChannels
        self.modelChannels = modelChannels
        self.channelMultipliers = channelMultipliers
        self.layersPerBlock = layersPerBlock
        self.attentionLevels = attentionLevels
        self.heads = heads
        self.transformerDepth = transformerDepth
        self.contextDimension = contextDimension
    }

    /// The real SD1.5 UNet.
    public static let sd15 = UNetLayoutConfig(
        modelChannels: 320, channelMultipliers: [1, 2, 4, 4], layersPerBlock: 2, attentionLevels: [0, 1, 2],
        heads: 8, transformerDepth: 1, contextDimension: 768
    )

    /// Channels of each level.
    public var levelChannels: [Int] { channelMultipliers.map { $0 * modelChannels } }

    /// Width of the timestep embedding (`4 × model_channels`).
    public var timeEmbeddingDimension: Int { 4 * modelChannels }

    /// Checks that the dimensions make a runnable model (GroupNorm with 32 groups, heads
    /// dividing every attention width).
    public func validate() throws {
        func fail(_ rule: String) -> WeightsError { WeightsError(.invalidArgument, "UNet config: \(rule)") }
        guard latentChannels > 0, modelChannels > 0, layersPerBlock > 0, transformerDepth > 0, contextDimension > 0,
            heads > 0
        else {
            throw fail("every dimension must be positive")
        }
        guard !channelMultipliers.isEmpty, channelMultipliers.allSatisfy({ $0 > 0 }) else {
            throw fail("channel multipliers \(channelMultipliers) must be non-empty and positive")
        }
        guard levelChannels.allSatisfy({ $0 % 32 == 0 }) else {
            throw fail("level channels \(levelChannels) must be multiples of 32 (GroupNorm groups)")
        }
        guard attentionLevels.allSatisfy({ channelMultipliers.indices.contains($0) }),
            Set(attentionLevels).count == attentionLevels.count
        else {
            throw fail("attention levels \(attentionLevels) must be distinct levels of \(channelMultipliers.count)")
        }
        guard levelChannels.allSatisfy({ $0 % heads == 0 }) else {
            throw fail("\(heads) heads do not divide level channels \(levelChannels)")
        }
    }
}
