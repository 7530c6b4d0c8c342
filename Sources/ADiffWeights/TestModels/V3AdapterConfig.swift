import ADiffTensor

/// Dimensions of a generated AnimateDiff v3 domain adapter.
public struct V3AdapterConfig: Sendable, Equatable {
    /// The image UNet the adapter targets.
    public var unet: UNetLayoutConfig
    /// Rank of each low-rank pair.
    public var rank: Int
    /// Storage type.
    public var dtype: DType

    /// Creates a configuration.
    public init(unet: UNetLayoutConfig, rank: Int, dtype: DType) {
        self.unet = unet
        self.rank = rank
        self.dtype = dtype
    }

    /// Checks the rank and the target UNet.
    public func validate() throws {
        try unet.validate()
        guard rank > 0 else { throw WeightsError(.invalidArgument, "V3 adapter config: rank \(rank) must be positive") }
    }
}
