import ADiffTensor

/// Dimensions of a generated motion LoRA in the official `v2_lora_*` layout.
public struct MotionLoRAConfig: Sendable, Equatable {
    /// The v2 motion module the LoRA targets (its module inventory decides the keys).
    public var motionModule: MotionModuleConfig
    /// Rank of each low-rank pair.
    public var rank: Int
    /// Storage type.
    public var dtype: DType

    /// Creates a configuration.
    public init(motionModule: MotionModuleConfig, rank: Int, dtype: DType) {
        self.motionModule = motionModule
        self.rank = rank
        self.dtype = dtype
    }

    /// Checks the rank and the target module.
    public func validate() throws {
        try motionModule.validate()
        guard rank > 0 else {
            throw WeightsError(.invalidArgument, "motion LoRA config: rank \(rank) must be positive")
        }
        guard motionModule.version != .hotshotXL else {
            throw WeightsError(
                .invalidArgument, "motion LoRA config: official motion LoRAs target SD1.5 modules, not HotShot-XL")
        }
    }
}
