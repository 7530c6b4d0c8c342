/// Choices about how CFG and context windows are evaluated; none changes what a request
/// means, only the row layout (and, for `windowCombine`, the seam handling).
public struct GuidanceOptions: Sendable, Equatable, Codable {
    /// Run cond and uncond rows of a window in one UNet call (the WebUI's "Batch cond/uncond",
    /// default on) instead of two calls. Results are the same; one call is faster, two use
    /// less memory.
    public var batchCondUncond: Bool
    /// Pad the shorter of cond and uncond with empty-prompt chunks so they can share a call
    /// (the WebUI's "Pad prompt/negative prompt", which the extension requires). When off and
    /// the lengths differ, cond and uncond run in separate calls.
    public var padCondUncond: Bool
    /// How overlapping windows are combined.
    public var windowCombine: WindowCombine

    /// The extension-compatible defaults.
    public init(batchCondUncond: Bool = true, padCondUncond: Bool = true, windowCombine: WindowCombine = .overwrite) {
        self.batchCondUncond = batchCondUncond
        self.padCondUncond = padCondUncond
        self.windowCombine = windowCombine
    }
}
