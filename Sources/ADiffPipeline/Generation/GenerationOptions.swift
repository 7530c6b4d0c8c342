/// Service-side choices for one generation (not part of the request's meaning).
public struct GenerationOptions: Sendable, Equatable {
    /// CFG batching, padding and window combination.
    public var guidance: GuidanceOptions
    /// Keep each video's final latents in the output (tests, debugging).
    public var returnLatents: Bool

    /// The defaults: extension-compatible guidance, no latents.
    public init(guidance: GuidanceOptions = GuidanceOptions(), returnLatents: Bool = false) {
        self.guidance = guidance
        self.returnLatents = returnLatents
    }
}
