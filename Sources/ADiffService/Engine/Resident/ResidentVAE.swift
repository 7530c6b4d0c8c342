import ADiffModels

/// A resident external VAE (`override_settings.sd_vae`).
public struct ResidentVAE: ResidentModel {
    /// The autoencoder.
    public let vae: VAEModel
    /// Bytes of stored weights.
    public let residentBytes: Int64
}
