/// Dimensions of the SD KL autoencoder (ldm `AutoencoderKL` with `Encoder`/`Decoder`).
public struct VAELayoutConfig: Sendable, Equatable, Codable {
    /// Channels of the first level (`ch`, 128 for SD).
    public var baseChannels: Int
    /// Per-level channel multipliers (`ch_mult`, [1, 2, 4, 4]).
    public var channelMultipliers: [Int]
    /// ResnetBlocks per encoder level (`num_res_blocks`, 2); decoder levels have one more.
    public var layersPerBlock: Int
    /// Latent channels (`z_channels` = `embed_dim`, 4).
    public var latentChannels: Int
    /// Image channels (3).
    public var imageChannels: Int

    /// Creates a configuration.
    public init(
        baseChannels: Int, channelMultipliers: [Int], layersPerBlock: Int, latentChannels: Int = 4,
        imageChannels: Int = 3
    ) {
        self.baseChannels = baseChannels
        self.channelMultipliers = channelMultipliers
        self.layersPerBlock = layersPerBlock
        self.latentChannels = latentChannels
        self.imageChannels = imageChannels
    }

    /// The real SD1.x / SDXL VAE.
    public static let sd15 = VAELayoutConfig(baseChannels: 128, channelMultipliers: [1, 2, 4, 4], layersPerBlock: 2)

    /// Checks positivity and GroupNorm divisibility.
    public func validate() throws {
        guard baseChannels > 0, layersPerBlock > 0, latentChannels > 0, imageChannels > 0,
            !channelMultipliers.isEmpty, channelMultipliers.allSatisfy({ $0 > 0 })
        else { throw WeightsError(.invalidArgument, "VAE config: every dimension must be positive") }
        guard channelMultipliers.allSatisfy({ ($0 * baseChannels) % 32 == 0 }) else {
            throw WeightsError(
                .invalidArgument, "VAE config: level channels must be multiples of 32 (GroupNorm groups)")
        }
    }
}
