import ADiffModels

/// Everything model-side a generation uses, already built (LoRAs merged, motion module
/// attached), plus what the infotext says about them.
public struct GenerationModels: Sendable {
    /// The UNet with its motion module.
    public var unet: any NoisePredictor
    /// The text encoder.
    public var text: any PromptEncoding
    /// The VAE.
    public var vae: any LatentCodec
    /// The diffusion schedule in force: ``NoiseSchedule/animateDiffLinear`` while a v1/v2/v3/
    /// AnimateLCM/HotShot module is attached (animatediff-behaviour §2.2).
    public var noiseSchedule: NoiseSchedule
    /// The motion module's positional-table length (largest context), if it has one.
    public var maximumContext: Int?
    /// Names and hashes for the infotext.
    public var identity: ModelIdentity

    /// Creates the set.
    public init(
        unet: any NoisePredictor, text: any PromptEncoding, vae: any LatentCodec, noiseSchedule: NoiseSchedule,
        maximumContext: Int?, identity: ModelIdentity
    ) {
        self.unet = unet
        self.text = text
        self.vae = vae
        self.noiseSchedule = noiseSchedule
        self.maximumContext = maximumContext
        self.identity = identity
    }
}
