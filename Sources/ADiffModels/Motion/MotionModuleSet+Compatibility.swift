extension MotionModuleSet {
    /// Checks that the modules fit a UNet before they are inserted (the extension's "SD family
    /// match" assertion, animatediff-behaviour.md §1.3, §11.3, with a message instead).
    ///
    /// - Parameters:
    ///   - channels: The UNet's channels per level, outermost first (SD1.5 320, 640, 1280,
    ///     1280; SDXL 320, 640, 1280).
    ///   - contextWidth: The UNet's cross-attention context width (768 SD1.5, 1024 SD2.x,
    ///     2048 SDXL); names the checkpoint's family in messages and rejects SD2.x.
    ///   - checkpointName: The checkpoint's name for messages.
    /// - Throws: ``ModelError`` `.incompatibleModel` when an SDXL module meets an SD1.5 UNet
    ///   or the reverse, the channels differ, or the checkpoint is SD2.x.
    public func checkCompatible(
        withChannelsPerLevel channels: [Int], contextWidth: Int, checkpointName: String = "the checkpoint"
    ) throws {
        let ours = channelsPerLevel
        let family = Self.family(channelsPerLevel: channels, contextWidth: contextWidth)
        let module = "motion module \(fileName) is an \(version.displayName) (\(Self.describe(ours)))"
        let checkpoint = "\(checkpointName) is \(family) (\(Self.describe(channels)), context width \(contextWidth))"
        if version.isSDXL != (channels.count == 3) || channels.count != ours.count {
            throw ModelError(.incompatibleModel, "\(module), but \(checkpoint); use a motion module made for \(family)")
        }
        guard channels == ours else {
            throw ModelError(.incompatibleModel, "\(module), but \(checkpoint): the channels differ")
        }
        if !version.isSDXL && contextWidth == 1024 {
            throw ModelError(
                .incompatibleModel, "\(module), but \(checkpoint); AnimateDiff has no motion modules for SD2.x")
        }
    }

    /// "SD1.5", "SD2.x", "SDXL" or a description of an unknown UNet.
    private static func family(channelsPerLevel channels: [Int], contextWidth: Int) -> String {
        switch (channels.count, contextWidth) {
        case (4, 768): "SD1.5"
        case (4, 1024): "SD2.x"
        case (3, 2048): "SDXL"
        case (4, _): "an SD1.5-shaped UNet"
        case (3, _): "an SDXL-shaped UNet"
        default: "a \(channels.count)-level UNet"
        }
    }

    /// "4 levels: 320, 640, 1280, 1280 channels".
    private static func describe(_ channels: [Int]) -> String {
        "\(channels.count) levels: " + channels.map(String.init).joined(separator: ", ") + " channels"
    }
}
