/// The models a job runs with, resident for the job's whole run.
public struct GenerationModels: Sendable {
    /// The SD checkpoint (`override_settings.sd_model_checkpoint`).
    public let checkpoint: LoadedModel
    /// The motion module (`animatediff.model`).
    public let motionModule: LoadedModel
    /// An external VAE (`override_settings.sd_vae`), if one was named.
    public let vae: LoadedModel?
    /// LoRAs and embeddings named in the prompt.
    public let provider: any ModelProvider

    /// Creates the set.
    public init(checkpoint: LoadedModel, motionModule: LoadedModel, vae: LoadedModel?, provider: any ModelProvider) {
        self.checkpoint = checkpoint
        self.motionModule = motionModule
        self.vae = vae
        self.provider = provider
    }
}
