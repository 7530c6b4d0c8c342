/// Published AnimateDiff motion-module families, which differ in block inventory, positional
/// table length and key spelling.
public enum MotionModuleVersion: String, Sendable, CaseIterable, Codable {
    /// mm_sd_v14 / mm_sd_v15: no mid block, 24 positions.
    case v1
    /// mm_sd_v15_v2: adds a mid-block module, 32 positions.
    case v2
    /// v3_sd15_mm: v1's inventory with 32 positions.
    case v3
    /// AnimateLCM: v2's inventory, positional tables not stored.
    case animateLCM = "lcm"
    /// HotShot-XL in its original spelling: three SDXL levels, `temporal_attentions.N.`
    /// without the `temporal_transformer.` level, table named `positional_encoding`, 24 positions.
    case hotshotXL = "hotshot"

    /// Whether the family has `mid_block.motion_modules.0`.
    public var hasMidBlock: Bool { self == .v2 || self == .animateLCM }

    /// Length of the stored `pos_encoder` table, or nil when the family stores none.
    public var defaultPositionalEncodingLength: Int? {
        switch self {
        case .v1, .hotshotXL: 24
        case .v2, .v3: 32
        case .animateLCM: nil
        }
    }
}
