extension UNetConfig {
    /// Reads the architecture from ldm UNet weights (names without the checkpoint's
    /// `model.diffusion_model.` prefix), walking `input_blocks` as ldm's constructor builds
    /// them: per level some ResBlocks (each optionally followed by a spatial transformer),
    /// then a downsampler except after the last level.
    ///
    /// The head rule is ``defaultAttentionHeads(contextDimension:)``; shapes of the individual
    /// layers are checked when the model is built.
    ///
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` when the weights are not an ldm
    ///   UNet (a diffusers-layout UNet, a VAE, a block sequence ldm would not build),
    ///   `.missingWeight` / `.weightShape` for an incomplete or inconsistent one.
    public init(inferringFrom parameters: ModelParameters) throws {
        try self.init(inferringFromShapes: parameters.entries.mapValues(\.shape), origin: parameters.origin)
    }

    /// ``init(inferringFrom:)`` on tensor shapes alone (names without the checkpoint prefix),
    /// e.g. read from a file header without loading any data.
    ///
    /// - Parameter origin: Names the weights in error messages.
    public init(inferringFromShapes shapes: [String: [Int]], origin: String) throws {
        let root = ShapeScope(shapes: shapes, origin: origin, prefix: "")
        func unsupported(_ message: String) -> ModelError {
            ModelError(.unsupportedArchitecture, "\(origin): \(message)")
        }
        guard root.contains("time_embed.0.weight"), root.contains("input_blocks.0.0.weight") else {
            if root.contains("conv_in.weight") && root["down_blocks"].exists {
                throw unsupported(
                    "a diffusers-layout UNet (conv_in, down_blocks); expected the ldm layout of a WebUI checkpoint")
            }
            throw unsupported("not an SD-style (ldm) UNet: no 'time_embed.0.weight' and 'input_blocks.0.0.weight'")
        }
        let timeShape = try root.requireShape("time_embed.0.weight", rank: 2)
        let (timeDimension, modelChannels) = (timeShape[0], timeShape[1])
        let inputShape = try root.requireShape("input_blocks.0.0.weight", rank: 4)
        guard inputShape[0] == modelChannels else {
            throw ModelError(
                .weightShape,
                "\(origin): 'input_blocks.0.0.weight' has \(inputShape[0]) outputs but the time embedding reads "
                    + "\(modelChannels) channels")
        }
        let outputShape = try root.requireShape("out.2.weight", rank: 4)

        var levelChannels: [Int] = []
        var resBlocks: [Int] = []
        var depths: [Int] = []
        var firstTransformer: ShapeScope?
        var index = 1
        while true {
            let level = levelChannels.count
            var channels: Int?
            var levelDepths: [Int] = []
            while root["input_blocks.\(index).0"].contains("in_layers.2.weight") {
                let resOutput = try root["input_blocks.\(index).0"].requireShape("in_layers.2.weight", rank: 4)[0]
                if let channels, channels != resOutput {
                    throw unsupported(
                        "input_blocks.\(index) has \(resOutput) channels where level \(level) has \(channels)")
                }
                channels = resOutput
                let transformer = root["input_blocks.\(index).1"]
                if transformer.contains("proj_in.weight") {
                    firstTransformer = firstTransformer ?? transformer
                    levelDepths.append(Self.transformerBlockCount(transformer))
                } else {
                    levelDepths.append(0)
                }
                index += 1
            }
            guard let channels else {
                throw unsupported("input_blocks.\(index) is not a ResBlock where level \(level) should start")
            }
            guard Set(levelDepths).count == 1 else {
                throw unsupported("level \(level) mixes transformer depths \(levelDepths)")
            }
            levelChannels.append(channels)
            resBlocks.append(levelDepths.count)
            depths.append(levelDepths[0])
            guard root["input_blocks.\(index).0"].contains("op.weight") else { break }
            index += 1
        }
        if root["input_blocks.\(index)"].exists {
            throw unsupported(
                "input_blocks.\(index) follows the last level but is neither a ResBlock nor a downsampler")
        }
        guard levelChannels.allSatisfy({ $0 % modelChannels == 0 }) else {
            throw unsupported("level channels \(levelChannels) are not multiples of the model's \(modelChannels)")
        }

        let middle = root["middle_block.1"]
        guard root["middle_block.0"].contains("in_layers.2.weight"), middle.contains("proj_in.weight"),
            root["middle_block.2"].contains("in_layers.2.weight")
        else {
            throw unsupported("middle_block is not ResBlock, SpatialTransformer, ResBlock")
        }
        let outputBlocks = resBlocks.reduce(0) { $0 + $1 + 1 }
        guard root["output_blocks.\(outputBlocks - 1).0"].contains("in_layers.2.weight"),
            !root["output_blocks.\(outputBlocks)"].exists
        else {
            throw unsupported(
                "expected \(outputBlocks) output_blocks for res blocks \(resBlocks) per level")
        }

        let transformer = firstTransformer ?? middle
        let contextShape = try transformer.requireShape("transformer_blocks.0.attn2.to_k.weight", rank: 2)
        let projectionRank = transformer.shape("proj_in.weight")?.count
        var labelInputs: Int?
        if root.contains("label_emb.0.0.weight") {
            labelInputs = try root.requireShape("label_emb.0.0.weight", rank: 2)[1]
        }
        self.init(
            inputChannels: inputShape[1], outputChannels: outputShape[0], modelChannels: modelChannels,
            channelMultipliers: levelChannels.map { $0 / modelChannels }, resBlocksPerLevel: resBlocks,
            transformerDepth: depths, middleTransformerDepth: Self.transformerBlockCount(middle),
            contextDimension: contextShape[1],
            attentionHeads: Self.defaultAttentionHeads(contextDimension: contextShape[1]),
            linearProjection: projectionRank == 2, timeEmbeddingDimension: timeDimension,
            labelEmbeddingInputs: labelInputs)
    }

    /// Number of `transformer_blocks.N` under a spatial transformer (`N` counted from 0 up to
    /// the first absent index).
    static func transformerBlockCount(_ transformer: ParameterScope) -> Int {
        transformerBlockCount { transformer.contains($0) }
    }

    private static func transformerBlockCount(_ transformer: ShapeScope) -> Int {
        transformerBlockCount { transformer.contains($0) }
    }

    private static func transformerBlockCount(contains: (String) -> Bool) -> Int {
        var count = 0
        while contains("transformer_blocks.\(count).norm1.weight") { count += 1 }
        return count
    }
}

/// Tensor shapes under a name prefix: what inference reads instead of a ``ParameterScope``, so
/// it runs on a header alone.
private struct ShapeScope {
    let shapes: [String: [Int]]
    let origin: String
    /// Empty or ending in ".".
    let prefix: String

    subscript(_ name: String) -> ShapeScope {
        ShapeScope(shapes: shapes, origin: origin, prefix: prefix + name + ".")
    }

    func contains(_ name: String) -> Bool { shapes[prefix + name] != nil }

    func shape(_ name: String) -> [Int]? { shapes[prefix + name] }

    /// Whether any tensor lives under this prefix.
    var exists: Bool { shapes.keys.contains { $0.hasPrefix(prefix) } }

    func requireShape(_ name: String, rank: Int) throws -> [Int] {
        guard let shape = shape(name) else {
            throw ModelError(.missingWeight, "\(origin): no tensor '\(prefix + name)'")
        }
        guard shape.count == rank else {
            throw ModelError(.weightShape, "\(origin): '\(prefix + name)' has shape \(shape), expected rank \(rank)")
        }
        return shape
    }
}
