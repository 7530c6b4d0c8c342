extension UNetModel {
    /// The same UNet with `motion`'s modules in its block lists instead of any it had (nil
    /// removes them). The UNet's weights are shared, not copied, so one resident checkpoint
    /// serves any motion module.
    ///
    /// Insertion points are the extension's (animatediff-behaviour.md §1.3), in ldm terms:
    /// - after each ResBlock (+ spatial transformer) of level `l`, layer `j` of
    ///   `input_blocks`: `down_blocks.l.motion_modules.j`;
    /// - in `middle_block`, before its last ResBlock (Res, ST, motion, Res):
    ///   `mid_block.motion_modules.0` when the set has one (v2, AnimateLCM);
    /// - in output block `j` of up level `u` (level `levels − 1 − u`):
    ///   `up_blocks.u.motion_modules.j`, before the upsampler when the block ends in one,
    ///   else at the end.
    /// The downsampler blocks get none. This is the original 3-D UNet's order: resnet, spatial
    /// attention, motion module, then the resampler.
    ///
    /// - Throws: ``ModelError`` `.incompatibleModel` when the set was made for another UNet
    ///   (family, level channels) or lacks, or has extra, modules for this UNet's blocks.
    public func attaching(_ motion: MotionModuleSet?) throws -> UNetModel {
        var model = self
        try model.replaceMotion(with: motion)
        return model
    }

    /// ``attaching(_:)`` in place; on an error `self` is unchanged.
    mutating func replaceMotion(with motion: MotionModuleSet?) throws {
        var model = self
        model.inputBlocks = inputBlocks.map(Self.withoutMotion)
        model.middleBlock = Self.withoutMotion(middleBlock)
        model.outputBlocks = outputBlocks.map(Self.withoutMotion)
        model.motion = nil
        guard let motion else {
            self = model
            return
        }
        try motion.checkCompatible(withChannelsPerLevel: config.levelChannels, contextWidth: config.contextDimension)
        let channels = config.levelChannels

        var block = 0
        for level in 0..<config.levels {
            let count = config.resBlocksPerLevel[level]
            for layer in 0..<count {
                let module = try Self.module(
                    motion.down(block: level, index: layer), "down_blocks.\(level).motion_modules.\(layer)",
                    channels: channels[level], motion)
                model.inputBlocks[block].append(.motion(module))
                block += 1
            }
            try Self.expectNone(motion.down(block: level, index: count), "down_blocks.\(level)", count, motion)
            if level != config.levels - 1 { block += 1 }
        }

        if let mid = motion.mid {
            let deepest = channels[config.levels - 1]
            guard mid.channels == deepest else {
                throw ModelError(
                    .incompatibleModel,
                    "\(motion.fileName): mid_block.motion_modules.0 has \(mid.channels) channels, the UNet's middle "
                        + "block \(deepest)")
            }
            model.middleBlock.insert(.motion(mid), at: model.middleBlock.count - 1)
        }

        block = 0
        for (up, level) in (0..<config.levels).reversed().enumerated() {
            let count = config.resBlocksPerLevel[level] + 1
            for layer in 0..<count {
                let module = try Self.module(
                    motion.up(block: up, index: layer), "up_blocks.\(up).motion_modules.\(layer)",
                    channels: channels[level], motion)
                if case .upsample = model.outputBlocks[block].last {
                    model.outputBlocks[block].insert(.motion(module), at: model.outputBlocks[block].count - 1)
                } else {
                    model.outputBlocks[block].append(.motion(module))
                }
                block += 1
            }
            try Self.expectNone(motion.up(block: up, index: count), "up_blocks.\(up)", count, motion)
        }
        model.motion = motion
        self = model
    }

    private static func withoutMotion(_ layers: [UNetLayer]) -> [UNetLayer] {
        layers.filter {
            if case .motion = $0 { return false }
            return true
        }
    }

    /// The module at `name`, which this UNet needs, with the level's channel count.
    private static func module(
        _ module: MotionModule?, _ name: String, channels: Int, _ motion: MotionModuleSet
    ) throws -> MotionModule {
        guard let module else {
            throw ModelError(.incompatibleModel, "\(motion.fileName): no \(name), which this UNet's blocks need")
        }
        guard module.channels == channels else {
            throw ModelError(
                .incompatibleModel, "\(motion.fileName): \(name) has \(module.channels) channels, the UNet \(channels)")
        }
        return module
    }

    /// Fails when the set has a module past the `count` this UNet's level has blocks for.
    private static func expectNone(_ module: MotionModule?, _ level: String, _ count: Int, _ motion: MotionModuleSet)
        throws
    {
        guard module == nil else {
            throw ModelError(
                .incompatibleModel,
                "\(motion.fileName): \(level) has more than the \(count) motion modules this UNet has blocks for")
        }
    }
}
