import ADiffPipeline

/// A resident LoRA, motion LoRA or V3 adapter, parsed into its modules.
public struct ResidentLoRA: ResidentModel {
    /// The parsed network.
    public let network: LoRANetwork
    /// Bytes of its tensors.
    public let residentBytes: Int64
}
