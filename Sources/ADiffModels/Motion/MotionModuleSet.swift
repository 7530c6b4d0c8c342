import ADiffWeights

/// The temporal modules of one motion-module file, by UNet position, with the family the
/// weights identify (animatediff-behaviour.md §1.2–§1.4).
///
/// Built from the whole file's tensors: HotShot-XL's original names are renamed to the
/// AnimateDiff spelling, the family is detected from names and shapes (never the file name),
/// and every module is shape-checked. Weights stay in the stored dtype.
public struct MotionModuleSet: Sendable {
    /// The detected (or declared) family.
    public let version: MotionModuleVersion
    /// Most frames per video the modules accept: the stored positional-table length, or the
    /// family's default when the file stores none.
    public let maximumFrames: Int
    /// The weights under their AnimateDiff names (what motion LoRAs address).
    public let parameters: ModelParameters
    /// Modules per down level (2 in every published file); up levels hold one more.
    public let modulesPerDownLevel: Int
    /// Whether the file used HotShot-XL's original tensor names.
    public let hadHotShotSpelling: Bool

    private let inventory: MotionModuleInventory
    private let modules: [MotionModuleInventory.Slot: MotionModule]

    /// Loads a motion-module file's tensors.
    ///
    /// - Parameters:
    ///   - parameters: Every tensor of the file, under its names in the file.
    ///   - declaredVersion: A family known from elsewhere (user setting, metadata). Needed
    ///     only for a four-level file without mid module and without positional tables (v1
    ///     and v3 look the same); must agree with the weights' structure.
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` when the tensors are not an
    ///   AnimateDiff motion module (or are ambiguous, see above), `.missingWeight` /
    ///   `.weightShape` for incomplete or misshapen modules.
    public init(parameters: ModelParameters, declaredVersion: MotionModuleVersion? = nil) throws {
        let normalised = try MotionModuleKeys.normalise(parameters)
        let inventory = try MotionModuleInventory(normalised.parameters)
        let version = try inventory.version(
            hotShotSpelling: normalised.hadHotShotSpelling, origin: parameters.origin, declared: declaredVersion)
        let maximumFrames = inventory.positionalTableLength ?? version.defaultMaximumFrames
        var modules: [MotionModuleInventory.Slot: MotionModule] = [:]
        for slot in inventory.slots.keys {
            modules[slot] = try MotionModule(normalised.parameters.scope(slot.prefix), maximumFrames: maximumFrames)
        }
        self.version = version
        self.maximumFrames = maximumFrames
        self.parameters = normalised.parameters
        self.modulesPerDownLevel = inventory.modulesPerDownLevel
        self.hadHotShotSpelling = normalised.hadHotShotSpelling
        self.inventory = inventory
        self.modules = modules
    }

    /// The same modules with some tensors replaced (merged motion-LoRA weights, under the
    /// AnimateDiff names of ``parameters``); the family is kept.
    ///
    /// - Throws: ``ModelError`` when a replacement has the wrong shape or adds a tensor no
    ///   module uses.
    public func replacing(_ overrides: [String: StoredTensor]) throws -> MotionModuleSet {
        try MotionModuleSet(parameters: parameters.replacing(overrides), declaredVersion: version)
    }

    /// Whether the UNet's ResBlock and output GroupNorms pool over frames while these modules
    /// are active (v1 and HotShot-XL; animatediff-behaviour.md §2.1).
    public var usesGroupNormHack: Bool { version.usesGroupNormHack }

    /// Channels of each down level, outermost first (SD1.5: 320, 640, 1280, 1280).
    public var channelsPerLevel: [Int] { inventory.channelsPerLevel }

    /// Name of the file the weights came from (for messages).
    public var fileName: String {
        String(parameters.origin.split(separator: "/").last ?? Substring(parameters.origin))
    }

    /// Bytes the stored weights occupy.
    public var residentBytes: Int { parameters.residentBytes }

    /// Module `index` of down level `block` (`down_blocks.{block}.motion_modules.{index}`),
    /// or nil when the file has none there.
    public func down(block: Int, index: Int) -> MotionModule? { modules[.down(level: block, index: index)] }

    /// Module `index` of up level `block` (`up_blocks.{block}.motion_modules.{index}`; up
    /// level 0 is the innermost), or nil when the file has none there.
    public func up(block: Int, index: Int) -> MotionModule? { modules[.up(level: block, index: index)] }

    /// The mid-block module (v2, AnimateLCM), or nil.
    public var mid: MotionModule? { modules[.mid(index: 0)] }

    /// Checks a frame count against ``maximumFrames`` before a generation starts.
    ///
    /// - Throws: ``ModelError`` `.invalidInput` naming both numbers.
    public func validate(framesPerVideo: Int) throws {
        guard framesPerVideo >= 1, framesPerVideo <= maximumFrames else {
            throw ModelError(
                .invalidInput,
                "motion module \(fileName) (\(version.displayName)) takes 1…\(maximumFrames) frames per context "
                    + "window, got \(framesPerVideo)")
        }
    }
}
