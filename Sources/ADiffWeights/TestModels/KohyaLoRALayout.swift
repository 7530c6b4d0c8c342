/// An image LoRA as kohya's sd-scripts save it for SD1.x: `lora_unet_<diffusers path>` and
/// `lora_te_<HF CLIP path>` bases (dots as underscores) with `.lora_down.weight`,
/// `.lora_up.weight` and a scalar `.alpha`, plus the `ss_*` metadata A1111 reads.
///
/// Targets: every spatial transformer's `proj_in`/`proj_out` (1×1 convolutions in SD1, so
/// their pairs are `[r, C, 1, 1]` / `[C, r, 1, 1]`), attention projections and feed-forward
/// layers; optionally (LoCon) every ResBlock's 3×3 `conv1`/`conv2`; the text encoder's
/// attention projections and MLP.
public enum KohyaLoRALayout {
    /// Recipes for every tensor of the LoRA file.
    public static func recipes(_ config: KohyaLoRAConfig) throws -> [TensorRecipe] {
        try config.validate()
        var builder = RecipeBuilder(dtype: config.dtype)
        let topology = UNetTopology(config.unet)
        func base(_ path: String) -> String { "lora_unet_" + path.replacingDots() }
        for transformer in topology.transformers {
            let c = transformer.channels
            let p = transformer.diffusers
            LowRankPair.kohya(
                &builder, base(p + ".proj_in"), input: c, output: c, rank: config.rank, alpha: config.alpha, kernel: 1)
            LowRankPair.kohya(
                &builder, base(p + ".proj_out"), input: c, output: c, rank: config.rank, alpha: config.alpha, kernel: 1)
            for depth in 0..<config.unet.transformerDepth {
                let t = p + ".transformer_blocks.\(depth)"
                for (attention, source) in [("attn1", c), ("attn2", config.unet.contextDimension)] {
                    for (projection, input) in [("to_q", c), ("to_k", source), ("to_v", source), ("to_out.0", c)] {
                        LowRankPair.kohya(
                            &builder, base("\(t).\(attention).\(projection)"), input: input, output: c,
                            rank: config.rank, alpha: config.alpha, kernel: nil)
                    }
                }
                LowRankPair.kohya(
                    &builder, base(t + ".ff.net.0.proj"), input: c, output: 8 * c, rank: config.rank,
                    alpha: config.alpha, kernel: nil)
                LowRankPair.kohya(
                    &builder, base(t + ".ff.net.2"), input: 4 * c, output: c, rank: config.rank, alpha: config.alpha,
                    kernel: nil)
            }
        }
        if let rank = config.convolutionRank {
            for block in topology.resBlocks {
                LowRankPair.kohya(
                    &builder, base(block.diffusers + ".conv1"), input: block.input, output: block.output, rank: rank,
                    alpha: config.alpha, kernel: 3)
                LowRankPair.kohya(
                    &builder, base(block.diffusers + ".conv2"), input: block.output, output: block.output, rank: rank,
                    alpha: config.alpha, kernel: 3)
            }
        }
        if let clip = config.textEncoder {
            for layer in 0..<clip.layers {
                let p = "lora_te_text_model_encoder_layers_\(layer)_"
                for projection in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                    LowRankPair.kohya(
                        &builder, p + "self_attn_" + projection, input: clip.width, output: clip.width,
                        rank: config.rank, alpha: config.alpha, kernel: nil)
                }
                LowRankPair.kohya(
                    &builder, p + "mlp_fc1", input: clip.width, output: clip.intermediateSize, rank: config.rank,
                    alpha: config.alpha, kernel: nil)
                LowRankPair.kohya(
                    &builder, p + "mlp_fc2", input: clip.intermediateSize, output: clip.width, rank: config.rank,
                    alpha: config.alpha, kernel: nil)
            }
        }
        return builder.recipes
    }

    /// The `__metadata__` kohya writes that A1111 reads (alias, base model, network shape).
    public static func metadata(_ config: KohyaLoRAConfig) -> [String: String] {
        var metadata = [
            "ss_network_module": "networks.lora",
            "ss_network_dim": String(config.rank),
            "ss_network_alpha": alphaText(config.alpha),
            "ss_base_model_version": "sd_v1",
            "ss_v2": "False",
            "ss_output_name": config.outputName,
        ]
        if let rank = config.convolutionRank {
            metadata["ss_network_args"] = "{\"conv_dim\": \"\(rank)\", \"conv_alpha\": \"\(alphaText(config.alpha))\"}"
        }
        return metadata
    }

    private static func alphaText(_ alpha: Float) -> String {
        alpha == alpha.rounded() ? String(Int(alpha)) : String(alpha)
    }
}

extension String {
    /// kohya's module-path spelling: dots become underscores.
    func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
