/// Motion modules in the original AnimateDiff state-dict layout (what sd-webui-animatediff
/// loads): `{down_blocks.i|up_blocks.i}.motion_modules.j.temporal_transformer.…` and, for v2
/// and AnimateLCM, `mid_block.motion_modules.0.…`; HotShot-XL in its own original spelling.
public enum MotionModuleLayout {
    /// One temporal transformer: its key prefix (ending in `.`) and channel count.
    public struct Module: Sendable, Equatable {
        /// Prefix of the module's keys, e.g. `down_blocks.0.motion_modules.1.temporal_transformer.`.
        public let prefix: String
        /// Channels of the activations it sees.
        public let channels: Int
    }

    /// The modules of `config`'s family in down, mid, up order.
    public static func modules(_ config: MotionModuleConfig) -> [Module] {
        func prefix(_ block: String, _ index: Int) -> String {
            config.version == .hotshotXL
                ? "\(block).temporal_attentions.\(index)."
                : "\(block).motion_modules.\(index).temporal_transformer."
        }
        var modules: [Module] = []
        for (level, channels) in config.blockChannels.enumerated() {
            for index in 0..<config.modulesPerDownBlock {
                modules.append(Module(prefix: prefix("down_blocks.\(level)", index), channels: channels))
            }
        }
        if config.version.hasMidBlock, let last = config.blockChannels.last {
            modules.append(Module(prefix: prefix("mid_block", 0), channels: last))
        }
        for (level, channels) in config.blockChannels.reversed().enumerated() {
            for index in 0...config.modulesPerDownBlock {
                modules.append(Module(prefix: prefix("up_blocks.\(level)", index), channels: channels))
            }
        }
        return modules
    }

    /// Recipes for every tensor of the motion module file. Positional tables hold the real
    /// sinusoids (not random values), as published files do.
    public static func recipes(_ config: MotionModuleConfig) throws -> [TensorRecipe] {
        try config.validate()
        var builder = RecipeBuilder(dtype: config.dtype)
        let tableName = config.version == .hotshotXL ? "positional_encoding" : "pe"
        for module in modules(config) {
            let p = module.prefix
            let c = module.channels
            builder.norm(p + "norm", channels: c)
            builder.linear(p + "proj_in", input: c, output: c)
            let block = p + "transformer_blocks.0."
            for attention in 0..<2 {
                let a = block + "attention_blocks.\(attention)."
                for projection in ["to_q", "to_k", "to_v"] {
                    builder.linear(a + projection, input: c, output: c, bias: false)
                }
                builder.linear(a + "to_out.0", input: c, output: c)
                if let length = config.positionalEncodingLength {
                    builder.add(a + "pos_encoder." + tableName, [1, length, c], .sinusoidalPositions)
                }
                builder.norm(block + "norms.\(attention)", channels: c)
            }
            builder.linear(block + "ff.net.0.proj", input: c, output: 8 * c)
            builder.linear(block + "ff.net.2", input: 4 * c, output: c)
            builder.norm(block + "ff_norm", channels: c)
            // Trained modules have a non-zero proj_out (it is zero only at initialisation);
            // random values keep the module from being an identity map in tests.
            builder.linear(p + "proj_out", input: c, output: c)
        }
        return builder.recipes
    }
}
