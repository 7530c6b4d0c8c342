import ADiffWeights

/// An SD1.x single-file checkpoint split into its three networks, weights kept as stored.
///
/// The A1111 layout (a1111-compat.md §9.1) prefixes the UNet with `model.diffusion_model.`,
/// the VAE with `first_stage_model.` and the text encoder with
/// `cond_stage_model.transformer.`; each network gets its weights with the prefix removed and
/// infers its architecture from them. The parameter stores are kept so LoRAs can be merged
/// into copies of them for a job (``ModelParameters/replacing(_:)``).
public struct StableDiffusionCheckpoint: Sendable {
    /// Key prefix of the UNet.
    public static let unetPrefix = "model.diffusion_model."
    /// Key prefix of the VAE.
    public static let vaePrefix = "first_stage_model."
    /// Key prefix of the CLIP text encoder.
    public static let textEncoderPrefix = "cond_stage_model.transformer."

    /// The UNet's weights (prefix removed).
    public let unetParameters: ModelParameters
    /// The text encoder's weights (prefix removed).
    public let textEncoderParameters: ModelParameters
    /// The VAE's weights (prefix removed).
    public let vaeParameters: ModelParameters
    /// The UNet without motion modules (the architecture is validated at load).
    public let unet: UNetModel
    /// The text encoder.
    public let textEncoder: CLIPTextModel
    /// The VAE.
    public let vae: VAEModel

    /// Reads and builds every network of `file`.
    ///
    /// - Parameter textEncoderHeads: Attention heads of the text encoder, nil for the
    ///   conventional width/64 (only test models need another value).
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` when a part is missing (an SDXL or
    ///   diffusers-layout file, a bare UNet), or the networks' own shape errors;
    ///   ``WeightsError`` from reading.
    public init(file: any WeightFile, textEncoderHeads: Int? = nil) throws {
        let unetParameters = try ModelParameters.load(from: file, prefix: Self.unetPrefix)
        let textParameters = try ModelParameters.load(from: file, prefix: Self.textEncoderPrefix)
        let vaeParameters = try ModelParameters.load(from: file, prefix: Self.vaePrefix)
        for (name, parameters, prefix) in [
            ("UNet", unetParameters, Self.unetPrefix), ("text encoder", textParameters, Self.textEncoderPrefix),
            ("VAE", vaeParameters, Self.vaePrefix),
        ] where parameters.entries.isEmpty {
            let hint =
                file.tensorNames.contains { $0.hasPrefix("conditioner.embedders.") }
                ? " (it looks like an SDXL checkpoint, which this build does not run)" : ""
            throw ModelError(
                .unsupportedArchitecture,
                "\(file.path): no \(name) weights under '\(prefix)'; not an SD1.x single-file checkpoint\(hint)")
        }
        self.unetParameters = unetParameters
        self.textEncoderParameters = textParameters
        self.vaeParameters = vaeParameters
        unet = try UNetModel(parameters: unetParameters)
        textEncoder = try CLIPTextModel(parameters: textParameters, heads: textEncoderHeads)
        vae = try VAEModel(parameters: vaeParameters)
    }

    /// Bytes the stored weights occupy.
    public var residentBytes: Int {
        unetParameters.residentBytes + textEncoderParameters.residentBytes + vaeParameters.residentBytes
    }
}
