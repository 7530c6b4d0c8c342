import ADiffModels

/// A resident SD checkpoint: its three networks with their weights as stored.
public struct ResidentCheckpoint: ResidentModel {
    /// The networks.
    public let checkpoint: StableDiffusionCheckpoint
    /// Bytes of stored weights.
    public var residentBytes: Int64 { Int64(checkpoint.residentBytes) }
}
