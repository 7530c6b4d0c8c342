import ADiffTensor

/// Everything that shapes a generated SD1.5-style single-file checkpoint.
public struct SD15CheckpointConfig: Sendable, Equatable {
    /// The UNet's dimensions.
    public var unet: UNetLayoutConfig
    /// The autoencoder's dimensions.
    public var vae: VAELayoutConfig
    /// The text encoder's dimensions; its width must equal the UNet's context dimension.
    public var textEncoder: CLIPTextLayoutConfig
    /// Storage type of the floating-point tensors (F32, F16 or BF16).
    public var dtype: DType
    /// Whether to store `embeddings.position_ids` (I64), as most real files do.
    public var includePositionIDs: Bool

    /// Creates a configuration.
    public init(
        unet: UNetLayoutConfig, vae: VAELayoutConfig, textEncoder: CLIPTextLayoutConfig, dtype: DType,
        includePositionIDs: Bool = true
    ) {
        self.unet = unet
        self.vae = vae
        self.textEncoder = textEncoder
        self.dtype = dtype
        self.includePositionIDs = includePositionIDs
    }

    /// Real SD1.5 dimensions (860 M UNet, 84 M VAE, 123 M CLIP ViT-L/14 text encoder).
    public static func sd15(dtype: DType = .float16) -> SD15CheckpointConfig {
        SD15CheckpointConfig(unet: .sd15, vae: .sd15, textEncoder: .sd15, dtype: dtype)
    }

    /// SD1.5's exact key names at a fraction of the size: the UNet at width 32 (one tenth),
    /// the VAE at width 32 (a quarter), a 2-layer CLIP of width 32 with the real vocabulary
    /// and 77 positions. Every level keeps SD1.5's channel ratios, so the same blocks get
    /// shortcut convolutions and the key set is identical to the real one.
    public static func tiny(dtype: DType = .float16) -> SD15CheckpointConfig {
        SD15CheckpointConfig(
            unet: UNetLayoutConfig(
                modelChannels: 32, channelMultipliers: [1, 2, 4, 4], layersPerBlock: 2, attentionLevels: [0, 1, 2],
                heads: 8, transformerDepth: 1, contextDimension: 32
            ),
            vae: VAELayoutConfig(baseChannels: 32, channelMultipliers: [1, 2, 4, 4], layersPerBlock: 2),
            textEncoder: CLIPTextLayoutConfig(width: 32, layers: 2, heads: 2, intermediateSize: 128),
            dtype: dtype
        )
    }

    /// Checks each part and that they fit together.
    public func validate() throws {
        try unet.validate()
        try vae.validate()
        try textEncoder.validate()
        guard [.float32, .float16, .bfloat16].contains(dtype) else {
            throw WeightsError(.invalidArgument, "checkpoint config: dtype \(dtype.rawValue) is not F32, F16 or BF16")
        }
        guard unet.contextDimension == textEncoder.width else {
            throw WeightsError(
                .invalidArgument,
                "checkpoint config: UNet context dimension \(unet.contextDimension) differs from text encoder width \(textEncoder.width)"
            )
        }
        guard unet.latentChannels == vae.latentChannels else {
            throw WeightsError(
                .invalidArgument,
                "checkpoint config: UNet latent channels \(unet.latentChannels) differ from VAE's \(vae.latentChannels)"
            )
        }
    }
}
