import ADiffTensor

/// Size presets for generated model folders.
public enum TestModelPreset: String, Sendable, CaseIterable, Codable {
    /// SD1.5's key names at toy widths (tens of MB in all): for tests and demos.
    case tiny
    /// Real SD1.5 dimensions (a ~2 GB fp16 checkpoint): for benchmarks.
    case sd15

    /// The checkpoint configuration.
    public func checkpoint(dtype: DType) -> SD15CheckpointConfig {
        switch self {
        case .tiny: .tiny(dtype: dtype)
        case .sd15: .sd15(dtype: dtype)
        }
    }

    /// File-name prefix of the generated files.
    public var filePrefix: String {
        switch self {
        case .tiny: "tiny"
        case .sd15: "random"
        }
    }

    /// Rank of the generated LoRAs.
    public var loraRank: Int {
        switch self {
        case .tiny: 4
        case .sd15: 16
        }
    }
}
