import ADiffTensor

/// Dimensions of a generated motion module.
public struct MotionModuleConfig: Sendable, Equatable {
    /// Family (inventory and key spelling).
    public var version: MotionModuleVersion
    /// Channels of each down level, matching the UNet (SD1.5: 320, 640, 1280, 1280;
    /// SDXL / HotShot: 320, 640, 1280). Up levels use them reversed.
    public var blockChannels: [Int]
    /// Modules per down level (2); up levels have one more.
    public var modulesPerDownBlock: Int
    /// Temporal attention heads (8); shapes do not depend on it.
    public var heads: Int
    /// Rows of the stored positional tables (the most frames one window can hold), or nil
    /// to store no tables.
    public var positionalEncodingLength: Int?
    /// Storage type of the weights.
    public var dtype: DType

    /// Creates a configuration.
    public init(
        version: MotionModuleVersion, blockChannels: [Int], modulesPerDownBlock: Int = 2, heads: Int = 8,
        positionalEncodingLength: Int?, dtype: DType
    ) {
        self.version = version
        self.blockChannels = blockChannels
        self.modulesPerDownBlock = modulesPerDownBlock
        self.heads = heads
        self.positionalEncodingLength = positionalEncodingLength
        self.dtype = dtype
    }

    /// The family's published layout for `unet`: SD1.5 families use all its levels,
    /// HotShot-XL the first three (SDXL has three levels); the table length is the
    /// family's unless `frames` asks for another.
    public static func matching(
        _ unet: UNetLayoutConfig, version: MotionModuleVersion, frames: Int? = nil, dtype: DType
    ) -> MotionModuleConfig {
        let channels = unet.levelChannels
        return MotionModuleConfig(
            version: version,
            blockChannels: version == .hotshotXL ? Array(channels.prefix(3)) : channels,
            modulesPerDownBlock: unet.layersPerBlock,
            heads: 8,
            positionalEncodingLength: version.defaultPositionalEncodingLength.map { frames ?? $0 },
            dtype: dtype
        )
    }

    /// Checks positivity, GroupNorm and head divisibility.
    public func validate() throws {
        func fail(_ rule: String) -> WeightsError { WeightsError(.invalidArgument, "motion module config: \(rule)") }
        guard !blockChannels.isEmpty, modulesPerDownBlock > 0, heads > 0 else {
            throw fail("every dimension must be positive")
        }
        guard blockChannels.allSatisfy({ $0 > 0 && $0 % 32 == 0 && $0 % heads == 0 }) else {
            throw fail("channels \(blockChannels) must be positive multiples of 32 (GroupNorm) and of \(heads) heads")
        }
        if let length = positionalEncodingLength, length <= 0 {
            throw fail("positional table length \(length) must be positive")
        }
        guard [.float32, .float16, .bfloat16].contains(dtype) else {
            throw fail("dtype \(dtype.rawValue) is not F32, F16 or BF16")
        }
    }
}
