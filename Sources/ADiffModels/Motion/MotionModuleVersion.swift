/// AnimateDiff motion-module families, as the weights identify them (never the file name).
///
/// The family decides what the rest of the pipeline does around the modules: whether a mid
/// module exists, whether the UNet's ResBlock GroupNorms pool over frames (the "GroupNorm
/// hack", animatediff-behaviour.md §2.1), the frame limit when a file stores no positional
/// table, and which UNet family (SD1.5 or SDXL) it belongs to.
public enum MotionModuleVersion: String, Sendable, CaseIterable, Codable {
    /// mm_sd_v14 / mm_sd_v15 and their fine-tunes: four levels, no mid module, 24 positions.
    case v1
    /// mm_sd_v15_v2: adds a mid-block module, 32 positions.
    case v2
    /// v3_sd15_mm: v1's inventory with 32 positions and per-frame ResBlock norms.
    case v3
    /// AnimateLCM: v2's inventory without stored positional tables (64 positions).
    case animateLCM
    /// HotShot-XL: three SDXL levels, 24 positions, GroupNorm pooled over frames.
    case hotshotXL
    /// AnimateDiff-XL (mm_sdxl_v10_beta): three SDXL levels, 32 positions.
    case animateDiffXL

    /// Whether the family belongs to SDXL UNets (three levels).
    public var isSDXL: Bool { self == .hotshotXL || self == .animateDiffXL }

    /// Whether the family has a module in the UNet's middle block.
    public var hasMidBlock: Bool { self == .v2 || self == .animateLCM }

    /// Whether the UNet's ResBlock and output GroupNorms pool statistics over the frames of a
    /// video while this module is active (v1 and HotShot were trained that way).
    public var usesGroupNormHack: Bool { self == .v1 || self == .hotshotXL }

    /// Positions the family supports when the file stores no positional table (what the
    /// extension builds: AnimateLCM 64, v1/HotShot 24, the others 32).
    public var defaultMaximumFrames: Int {
        switch self {
        case .animateLCM: 64
        case .v1, .hotshotXL: 24
        case .v2, .v3, .animateDiffXL: 32
        }
    }

    /// A name for messages ("SD1.5 v2 motion module", "SDXL motion module (HotShot-XL)").
    public var displayName: String {
        switch self {
        case .v1: "SD1.5 v1 motion module"
        case .v2: "SD1.5 v2 motion module"
        case .v3: "SD1.5 v3 motion module"
        case .animateLCM: "SD1.5 AnimateLCM motion module"
        case .hotshotXL: "SDXL motion module (HotShot-XL)"
        case .animateDiffXL: "SDXL motion module (AnimateDiff-XL)"
        }
    }
}
