import ADiffTensor

/// Dimensions of a generated kohya-format image LoRA for an SD1.x model.
public struct KohyaLoRAConfig: Sendable, Equatable {
    /// The UNet the LoRA targets.
    public var unet: UNetLayoutConfig
    /// The text encoder it targets, or nil for a UNet-only LoRA.
    public var textEncoder: CLIPTextLayoutConfig?
    /// Rank of the linear and 1×1 pairs (`ss_network_dim`).
    public var rank: Int
    /// Alpha of the linear pairs (`ss_network_alpha`); scale is alpha / rank.
    public var alpha: Float
    /// Rank of the LoCon pairs on the ResBlocks' 3×3 convolutions, or nil for none.
    public var convolutionRank: Int?
    /// Storage type (alphas included, as kohya saves them).
    public var dtype: DType
    /// `ss_output_name` metadata (the alias A1111 resolves).
    public var outputName: String

    /// Creates a configuration.
    public init(
        unet: UNetLayoutConfig, textEncoder: CLIPTextLayoutConfig?, rank: Int, alpha: Float, convolutionRank: Int?,
        dtype: DType, outputName: String
    ) {
        self.unet = unet
        self.textEncoder = textEncoder
        self.rank = rank
        self.alpha = alpha
        self.convolutionRank = convolutionRank
        self.dtype = dtype
        self.outputName = outputName
    }

    /// Checks ranks and the targets.
    public func validate() throws {
        try unet.validate()
        try textEncoder?.validate()
        guard rank > 0, convolutionRank.map({ $0 > 0 }) ?? true, alpha > 0 else {
            throw WeightsError(.invalidArgument, "kohya LoRA config: ranks and alpha must be positive")
        }
    }
}
