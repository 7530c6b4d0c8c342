import ADiffTensor

/// Service-side choices for one generation (not part of the request's meaning).
public struct GenerationOptions: Sendable, Equatable {
    /// CFG batching, padding and window combination.
    public var guidance: GuidanceOptions
    /// Keep each video's final latents in the output (tests, debugging).
    public var returnLatents: Bool
    /// The arithmetic of the large matrix products (fp32, or bf16 where the CPU has it).
    public var precision: ComputePrecision

    /// The defaults: extension-compatible guidance, no latents, fp32.
    public init(
        guidance: GuidanceOptions = GuidanceOptions(), returnLatents: Bool = false,
        precision: ComputePrecision = .float32
    ) {
        self.guidance = guidance
        self.returnLatents = returnLatents
        self.precision = precision
    }
}
