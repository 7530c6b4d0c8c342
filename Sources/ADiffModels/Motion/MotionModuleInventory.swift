/// Which temporal modules a motion-module file holds, their channels and positional-table
/// length, read from tensor names and shapes only (animatediff-behaviour.md §1.2, §1.4).
struct MotionModuleInventory: Sendable {
    /// Where one module sits in the UNet.
    enum Slot: Hashable, Sendable {
        case down(level: Int, index: Int)
        case mid(index: Int)
        case up(level: Int, index: Int)

        /// Key prefix of the module's tensors, ending in `.`.
        var prefix: String {
            switch self {
            case .down(let level, let index): "down_blocks.\(level).motion_modules.\(index).temporal_transformer."
            case .mid(let index): "mid_block.motion_modules.\(index).temporal_transformer."
            case .up(let level, let index): "up_blocks.\(level).motion_modules.\(index).temporal_transformer."
            }
        }
    }

    /// Channels of each down level (up levels mirror them).
    let channelsPerLevel: [Int]
    /// Modules per down level; up levels hold one more.
    let modulesPerDownLevel: Int
    /// Whether `mid_block.motion_modules.0` exists.
    let hasMidBlock: Bool
    /// Length of the stored positional tables, nil when the file stores none.
    let positionalTableLength: Int?
    /// Every module with its channel count.
    let slots: [Slot: Int]

    /// Reads the inventory of AnimateDiff-spelled `parameters`.
    ///
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` when the names are not a motion
    ///   module's (with a hint for diffusers-format files), the levels or module counts are
    ///   irregular, or a tensor outside any module is present; `.weightShape` when a module's
    ///   channels disagree with its level or positional tables differ in shape.
    init(_ parameters: ModelParameters) throws {
        let origin = parameters.origin
        var slots: [Slot: Int] = [:]
        var stray: [String] = []
        var diffusersStyle = false
        var tableLengths: Set<Int> = []
        for name in parameters.entries.keys.sorted() {
            guard let (slot, rest) = Self.parse(name) else {
                stray.append(name)
                if name.contains(".motion_modules.") { diffusersStyle = true }
                continue
            }
            if rest == "norm.weight" {
                guard let shape = parameters.shape(name), shape.count == 1 else {
                    throw ModelError(
                        .weightShape, "\(origin): '\(name)' has shape \(parameters.shape(name) ?? []), expected [C]")
                }
                slots[slot] = shape[0]
            } else if slots[slot] == nil {
                slots[slot] = 0  // channels filled in by its norm.weight; a module without one fails below
            }
            if rest.hasSuffix("pos_encoder.pe") {
                guard let shape = parameters.shape(name), shape.count == 3, shape[0] == 1 else {
                    throw ModelError(
                        .weightShape,
                        "\(origin): '\(name)' has shape \(parameters.shape(name) ?? []), expected [1, L, C]")
                }
                tableLengths.insert(shape[1])
            }
        }
        if slots.isEmpty {
            let hint =
                diffusersStyle
                ? " It looks like a diffusers MotionAdapter file; only the original AnimateDiff layout is supported."
                : ""
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin) is not an AnimateDiff motion module: no tensor named like "
                    + "'down_blocks.0.motion_modules.0.temporal_transformer.norm.weight' (first names: "
                    + "\(stray.prefix(3).joined(separator: ", ")))." + hint)
        }
        if !stray.isEmpty {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): \(stray.count) tensor(s) outside any motion module, e.g. '\(stray[0])'")
        }
        for (slot, channels) in slots where channels == 0 {
            throw ModelError(.missingWeight, "\(origin): no tensor '\(slot.prefix)norm.weight'")
        }
        guard tableLengths.count <= 1 else {
            throw ModelError(
                .weightShape, "\(origin): positional tables of different lengths \(tableLengths.sorted())")
        }
        self.slots = slots
        positionalTableLength = tableLengths.first
        (channelsPerLevel, modulesPerDownLevel, hasMidBlock) = try Self.structure(slots, origin: origin)
    }

    /// The (slot, name within the module) of a tensor name, if it is a module's.
    private static func parse(_ name: String) -> (Slot, String)? {
        let parts = name.split(separator: ".", maxSplits: 5, omittingEmptySubsequences: false)
        if parts.count == 6, parts[0] == "down_blocks" || parts[0] == "up_blocks", parts[2] == "motion_modules",
            parts[4] == "temporal_transformer", let level = Int(parts[1]), let index = Int(parts[3]),
            level >= 0, index >= 0
        {
            let slot: Slot =
                parts[0] == "down_blocks" ? .down(level: level, index: index) : .up(level: level, index: index)
            return (slot, String(parts[5]))
        }
        let midParts = name.split(separator: ".", maxSplits: 4, omittingEmptySubsequences: false)
        if midParts.count == 5, midParts[0] == "mid_block", midParts[1] == "motion_modules",
            midParts[3] == "temporal_transformer", let index = Int(midParts[2]), index >= 0
        {
            return (.mid(index: index), String(midParts[4]))
        }
        return nil
    }

    /// Checks the module grid is regular and returns its dimensions.
    private static func structure(_ slots: [Slot: Int], origin: String) throws -> ([Int], Int, Bool) {
        var down: [Int: [Int: Int]] = [:]
        var up: [Int: [Int: Int]] = [:]
        var mid: [Int: Int] = [:]
        for (slot, channels) in slots {
            switch slot {
            case .down(let level, let index): down[level, default: [:]][index] = channels
            case .up(let level, let index): up[level, default: [:]][index] = channels
            case .mid(let index): mid[index] = channels
            }
        }
        func fail(_ message: String) -> ModelError { ModelError(.unsupportedArchitecture, "\(origin): \(message)") }
        let levels = down.count
        guard levels > 0, down.keys.sorted() == Array(0..<levels) else {
            throw fail("down levels \(down.keys.sorted()) are not 0, 1, 2, …")
        }
        guard up.keys.sorted() == Array(0..<levels) else {
            throw fail("up levels \(up.keys.sorted()) do not mirror the \(levels) down levels")
        }
        let perLevel = down[0]?.count ?? 0
        var channels: [Int] = []
        for level in 0..<levels {
            let modules = down[level] ?? [:]
            guard modules.keys.sorted() == Array(0..<perLevel) else {
                throw fail("down_blocks.\(level) has modules \(modules.keys.sorted()), expected 0..<\(perLevel)")
            }
            let widths = Set(modules.values)
            guard widths.count == 1, let width = widths.first else {
                throw ModelError(
                    .weightShape, "\(origin): down_blocks.\(level) modules have channels \(widths.sorted())")
            }
            channels.append(width)
        }
        for level in 0..<levels {
            let modules = up[level] ?? [:]
            guard modules.keys.sorted() == Array(0...perLevel) else {
                throw fail("up_blocks.\(level) has modules \(modules.keys.sorted()), expected 0...\(perLevel)")
            }
            let expected = channels[levels - 1 - level]
            if let wrong = modules.first(where: { $0.value != expected }) {
                throw ModelError(
                    .weightShape,
                    "\(origin): up_blocks.\(level).motion_modules.\(wrong.key) has \(wrong.value) channels, "
                        + "expected \(expected) (down level \(levels - 1 - level))")
            }
        }
        guard mid.isEmpty || mid.keys.sorted() == [0] else {
            throw fail("mid_block has modules \(mid.keys.sorted()), expected only 0")
        }
        if let width = mid[0], width != channels[levels - 1] {
            throw ModelError(
                .weightShape, "\(origin): mid_block module has \(width) channels, expected \(channels[levels - 1])")
        }
        return (channels, perLevel, !mid.isEmpty)
    }

    /// The family these modules belong to (animatediff-behaviour.md §1.4, recommended rules).
    ///
    /// - Parameters:
    ///   - hotShotSpelling: The file used HotShot-XL's original names.
    ///   - declared: A family the caller knows from elsewhere (metadata, the user); it settles
    ///     the cases the weights cannot (v1 vs v3 without positional tables) and must agree
    ///     with the structure.
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` for level counts other than 3 and 4,
    ///   an SDXL file with a mid module, a declared family that contradicts the weights, or a
    ///   four-level file without mid module and without positional tables (v1 and v3 cannot
    ///   be told apart, and they need different ResBlock normalisation).
    func version(hotShotSpelling: Bool, origin: String, declared: MotionModuleVersion?) throws -> MotionModuleVersion {
        let levels = channelsPerLevel.count
        guard levels == 3 || levels == 4 else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): \(levels) resolution levels; AnimateDiff modules have 4 (SD1.5) or 3 (SDXL)")
        }
        let sdxl = levels == 3
        if let declared {
            guard declared.isSDXL == sdxl, declared.hasMidBlock == hasMidBlock else {
                throw ModelError(
                    .unsupportedArchitecture,
                    "\(origin): declared \(declared.displayName), but the weights have \(levels) levels and "
                        + (hasMidBlock ? "a" : "no") + " mid-block module")
            }
            return declared
        }
        if sdxl {
            guard !hasMidBlock else {
                throw ModelError(
                    .unsupportedArchitecture, "\(origin): an SDXL (3-level) motion module with a mid-block module")
            }
            if hotShotSpelling { return .hotshotXL }
            // The extension's rule: 32 positions is AnimateDiff-XL, anything else HotShot.
            guard let length = positionalTableLength else { return .animateDiffXL }
            return length == 32 ? .animateDiffXL : .hotshotXL
        }
        if hasMidBlock { return positionalTableLength == nil ? .animateLCM : .v2 }
        guard let length = positionalTableLength else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(origin): an SD1.5 motion module without mid block and without positional tables could be "
                    + "v1 or v3, which need different ResBlock normalisation; declare the version")
        }
        return length == 32 ? .v3 : .v1
    }
}
