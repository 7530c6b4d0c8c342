import ADiffTensor
import Testing

@testable import ADiffWeights

/// LoRA-family layouts: key spellings from the specs and shapes that fit the target layers of
/// the (diffusers-verified) checkpoint and motion-module layouts.
@Suite struct LoRALayoutTests {
    private func shapes(_ recipes: [TensorRecipe]) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: recipes.map { ($0.name, $0.shape) })
    }

    @Test func kohyaNamesMapToCheckpointLayersWithA1111Rules() throws {
        // a1111-compat.md §3.3, written out for the names this test touches.
        let checkpoint = shapes(try SD15CheckpointLayout.recipes(.sd15()))
        let config = KohyaLoRAConfig(
            unet: .sd15, textEncoder: .sd15, rank: 8, alpha: 4, convolutionRank: 4, dtype: .float16, outputName: "x")
        let lora = shapes(try KohyaLoRALayout.recipes(config))
        let cases: [(String, String, Bool)] = [
            (
                "lora_unet_down_blocks_0_attentions_0_proj_in", "model.diffusion_model.input_blocks.1.1.proj_in.weight",
                true
            ),
            (
                "lora_unet_down_blocks_1_attentions_1_transformer_blocks_0_attn2_to_k",
                "model.diffusion_model.input_blocks.5.1.transformer_blocks.0.attn2.to_k.weight", false
            ),
            (
                "lora_unet_mid_block_attentions_0_transformer_blocks_0_ff_net_0_proj",
                "model.diffusion_model.middle_block.1.transformer_blocks.0.ff.net.0.proj.weight", false
            ),
            (
                "lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_attn1_to_out_0",
                "model.diffusion_model.output_blocks.11.1.transformer_blocks.0.attn1.to_out.0.weight", false
            ),
            (
                "lora_unet_up_blocks_1_resnets_2_conv1", "model.diffusion_model.output_blocks.5.0.in_layers.2.weight",
                true
            ),
            ("lora_unet_mid_block_resnets_1_conv2", "model.diffusion_model.middle_block.2.out_layers.3.weight", true),
            (
                "lora_te_text_model_encoder_layers_11_mlp_fc2",
                "cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc2.weight", false
            ),
        ]
        for (base, layer, isConvolution) in cases {
            let down = try #require(lora[base + ".lora_down.weight"], "\(base)")
            let up = try #require(lora[base + ".lora_up.weight"], "\(base)")
            let weight = try #require(checkpoint[layer], "\(layer)")
            #expect(lora[base + ".alpha"] == [])
            let fits: Bool = up[0] == weight[0] && down[1] == weight[1] && up[1] == down[0]
            #expect(fits, "\(base): up \(up) down \(down) weight \(weight)")
            let kernels: Bool =
                isConvolution
                ? Array(down[2...]) == Array(weight[2...]) && Array(up[2...]) == [1, 1]
                : down.count == 2 && up.count == 2
            #expect(kernels, "\(base): up \(up) down \(down)")
        }
        // 16 transformers × 12 targets (proj_in/out, 2 × 4 attention, 2 feed-forward),
        // 22 ResBlocks × 2 convolutions, 12 CLIP layers × 6.
        let bases: Set<Substring> = Set(lora.keys.map { $0.split(separator: ".")[0] })
        #expect(bases.count == 16 * 12 + 22 * 2 + 12 * 6)
        let metadata = KohyaLoRALayout.metadata(config)
        #expect(metadata["ss_network_dim"] == "8")
        #expect(metadata["ss_network_alpha"] == "4")
        #expect(metadata["ss_output_name"] == "x")
    }

    @Test func motionLoRATargetsEveryV2AttentionProjection() throws {
        let module = MotionModuleConfig.matching(.sd15, version: .v2, dtype: .float16)
        let weights = shapes(try MotionModuleLayout.recipes(module))
        let lora = shapes(
            try MotionLoRALayout.recipes(MotionLoRAConfig(motionModule: module, rank: 4, dtype: .float16)))
        #expect(lora.count == 21 * 2 * 4 * 2)
        for (name, shape) in lora where name.hasSuffix(".down.weight") {
            // Spec §7.1 mapping: drop `processor.` and `_lora`, `to_out` → `to_out.0`.
            var target = name.replacingOccurrences(of: "processor.", with: "").replacingOccurrences(
                of: "_lora.down.weight", with: ".weight")
            target = target.replacingOccurrences(of: ".to_out.weight", with: ".to_out.0.weight")
            let weight = try #require(weights[target], "\(target)")
            let up = try #require(lora[name.replacingOccurrences(of: ".down.weight", with: ".up.weight")])
            #expect(shape == [4, weight[1]])
            #expect(up == [weight[0], 4])
        }
        #expect(throws: WeightsError.self) {
            try MotionLoRALayout.recipes(
                MotionLoRAConfig(
                    motionModule: .matching(.sd15, version: .hotshotXL, dtype: .float16), rank: 4, dtype: .float16))
        }
    }

    @Test func v3AdapterTargetsSpatialAttentionInDiffusersNames() throws {
        let lora = shapes(try V3AdapterLayout.recipes(V3AdapterConfig(unet: .sd15, rank: 4, dtype: .float16)))
        #expect(lora.count == 16 * 2 * 4 * 2)
        #expect(
            lora["down_blocks.0.attentions.0.transformer_blocks.0.attn2.processor.to_k_lora.down.weight"] == [4, 768])
        #expect(
            lora["up_blocks.3.attentions.2.transformer_blocks.0.attn1.processor.to_out_lora.up.weight"] == [320, 4])
        #expect(lora["mid_block.attentions.0.transformer_blocks.0.attn1.processor.to_q_lora.up.weight"] == [1280, 4])
        let misplaced = lora.keys.filter {
            $0.contains("up_blocks.0.attentions") || $0.contains("down_blocks.3.attentions")
        }
        #expect(misplaced.isEmpty)
    }

    @Test func embeddingIsOneEmbParamsTensor() throws {
        let recipes = try TextualInversionLayout.recipes(
            TextualInversionConfig(vectors: 3, width: 768, dtype: .float32))
        #expect(recipes.map(\.name) == ["emb_params"])
        #expect(recipes.first?.shape == [3, 768])
    }
}
