/// The kinds of model files, each with the WebUI folder it lives in under a model root.
public enum ModelKind: String, Sendable, Codable, CaseIterable {
    /// SD checkpoints, `Stable-diffusion/`.
    case checkpoint
    /// AnimateDiff motion modules, `AnimateDiff/`.
    case motion
    /// LoRAs (including motion LoRAs), `Lora/`.
    case lora
    /// Textual-inversion embeddings, `embeddings/`.
    case embedding
    /// VAEs, `VAE/`.
    case vae

    /// The WebUI folder name under a model root.
    public var folderName: String {
        switch self {
        case .checkpoint: "Stable-diffusion"
        case .motion: "AnimateDiff"
        case .lora: "Lora"
        case .embedding: "embeddings"
        case .vae: "VAE"
        }
    }

    /// File extensions (lower case, no dot) listed for this kind.
    public var fileExtensions: Set<String> {
        switch self {
        case .checkpoint, .motion, .vae: ["safetensors", "ckpt", "pt", "pth"]
        case .lora: ["safetensors", "ckpt", "pt"]
        case .embedding: ["safetensors", "pt", "bin"]
        }
    }
}
