/// Tensor shapes of an ldm / sgm UNet for architectures the test-model maker does not write
/// (SD2-style linear projections, SDXL-style depth per level and label embedding), following
/// the constructor loops of `openaimodel.UNetModel` written out independently of the code
/// under test.
enum LDMUNetShapes {
    struct Spec {
        var modelChannels: Int
        var multipliers: [Int]
        var resBlocks: Int
        /// Transformer depth per level, 0 for none.
        var depths: [Int]
        var middleDepth: Int
        var context: Int
        var linearProjection: Bool
        var labelInputs: Int?
        var inputChannels = 4
    }

    static func make(_ spec: Spec) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        let embedding = 4 * spec.modelChannels
        func linear(_ name: String, _ input: Int, _ output: Int, bias: Bool = true) {
            shapes[name + ".weight"] = [output, input]
            if bias { shapes[name + ".bias"] = [output] }
        }
        func conv(_ name: String, _ input: Int, _ output: Int, _ kernel: Int) {
            shapes[name + ".weight"] = [output, input, kernel, kernel]
            shapes[name + ".bias"] = [output]
        }
        func norm(_ name: String, _ channels: Int) {
            shapes[name + ".weight"] = [channels]
            shapes[name + ".bias"] = [channels]
        }
        func res(_ name: String, _ input: Int, _ output: Int) {
            norm(name + ".in_layers.0", input)
            conv(name + ".in_layers.2", input, output, 3)
            linear(name + ".emb_layers.1", embedding, output)
            norm(name + ".out_layers.0", output)
            conv(name + ".out_layers.3", output, output, 3)
            if input != output { conv(name + ".skip_connection", input, output, 1) }
        }
        func transformer(_ name: String, _ channels: Int, _ depth: Int) {
            norm(name + ".norm", channels)
            for projection in ["proj_in", "proj_out"] {
                if spec.linearProjection {
                    linear(name + "." + projection, channels, channels)
                } else {
                    conv(name + "." + projection, channels, channels, 1)
                }
            }
            for index in 0..<depth {
                let block = name + ".transformer_blocks.\(index)"
                for (attention, source) in [("attn1", channels), ("attn2", spec.context)] {
                    linear(block + ".\(attention).to_q", channels, channels, bias: false)
                    linear(block + ".\(attention).to_k", source, channels, bias: false)
                    linear(block + ".\(attention).to_v", source, channels, bias: false)
                    linear(block + ".\(attention).to_out.0", channels, channels)
                }
                linear(block + ".ff.net.0.proj", channels, 8 * channels)
                linear(block + ".ff.net.2", 4 * channels, channels)
                for n in 1...3 { norm(block + ".norm\(n)", channels) }
            }
        }

        linear("time_embed.0", spec.modelChannels, embedding)
        linear("time_embed.2", embedding, embedding)
        if let label = spec.labelInputs {
            linear("label_emb.0.0", label, embedding)
            linear("label_emb.0.2", embedding, embedding)
        }
        conv("input_blocks.0.0", spec.inputChannels, spec.modelChannels, 3)
        var channels = spec.modelChannels
        var skips = [channels]
        var index = 1
        for (level, multiplier) in spec.multipliers.enumerated() {
            for _ in 0..<spec.resBlocks {
                res("input_blocks.\(index).0", channels, multiplier * spec.modelChannels)
                channels = multiplier * spec.modelChannels
                if spec.depths[level] > 0 { transformer("input_blocks.\(index).1", channels, spec.depths[level]) }
                skips.append(channels)
                index += 1
            }
            if level != spec.multipliers.count - 1 {
                conv("input_blocks.\(index).0.op", channels, channels, 3)
                skips.append(channels)
                index += 1
            }
        }
        res("middle_block.0", channels, channels)
        transformer("middle_block.1", channels, spec.middleDepth)
        res("middle_block.2", channels, channels)
        index = 0
        for level in spec.multipliers.indices.reversed() {
            for layer in 0...spec.resBlocks {
                let output = spec.multipliers[level] * spec.modelChannels
                res("output_blocks.\(index).0", channels + skips.removeLast(), output)
                channels = output
                var slot = 1
                if spec.depths[level] > 0 {
                    transformer("output_blocks.\(index).1", channels, spec.depths[level])
                    slot = 2
                }
                if level != 0 && layer == spec.resBlocks {
                    conv("output_blocks.\(index).\(slot).conv", channels, channels, 3)
                }
                index += 1
            }
        }
        norm("out.0", channels)
        conv("out.2", channels, 4, 3)
        return shapes
    }
}
