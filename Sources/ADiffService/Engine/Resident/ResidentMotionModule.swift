import ADiffModels

/// A resident AnimateDiff motion module (version detected from its keys).
public struct ResidentMotionModule: ResidentModel {
    /// The module set.
    public let motion: MotionModuleSet
    /// Bytes of stored weights.
    public var residentBytes: Int64 { Int64(motion.residentBytes) }
}
