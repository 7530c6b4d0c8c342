import ADiffModels
import ADiffTensor
import ADiffWeights
import Testing

@testable import ADiffPipeline

/// LoRA merging checked against the A1111 formula computed here in Double, on the tiny
/// model maker's checkpoint, kohya LoRA, v2 motion LoRA and v3 adapter.
@Suite struct LoRAMergeTests {
    private func kohya(dtype: DType, unet: UNetLayoutConfig? = nil) throws -> LoRANetwork {
        let checkpoint = SD15CheckpointConfig.tiny(dtype: dtype)
        let config = KohyaLoRAConfig(
            unet: unet ?? checkpoint.unet, textEncoder: checkpoint.textEncoder, rank: 4, alpha: 2, convolutionRank: 2,
            dtype: dtype, outputName: "tiny-lora")
        return try LoRANetwork(
            name: "tiny-lora", identity: "kohya-\(dtype)",
            tensors: TinyModelTensors.tensors(KohyaLoRALayout.recipes(config), seed: 11),
            metadata: KohyaLoRALayout.metadata(config))
    }

    /// kohya base → ldm parameter key of the tiny UNet / text encoder (spelt out by hand).
    private let mapped: [(base: String, key: String, component: LoRATarget.Component)] = [
        ("lora_unet_down_blocks_0_attentions_0_proj_in", "input_blocks.1.1.proj_in.weight", .unet),
        (
            "lora_unet_down_blocks_1_attentions_1_transformer_blocks_0_attn2_to_k",
            "input_blocks.5.1.transformer_blocks.0.attn2.to_k.weight", .unet
        ),
        (
            "lora_unet_mid_block_attentions_0_transformer_blocks_0_ff_net_2",
            "middle_block.1.transformer_blocks.0.ff.net.2.weight", .unet
        ),
        (
            "lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_attn1_to_out_0",
            "output_blocks.11.1.transformer_blocks.0.attn1.to_out.0.weight", .unet
        ),
        ("lora_unet_down_blocks_2_resnets_1_conv1", "input_blocks.8.0.in_layers.2.weight", .unet),
        ("lora_unet_mid_block_resnets_1_conv2", "middle_block.2.out_layers.3.weight", .unet),
        ("lora_unet_up_blocks_1_resnets_2_conv2", "output_blocks.5.0.out_layers.3.weight", .unet),
        (
            "lora_te_text_model_encoder_layers_1_self_attn_q_proj",
            "text_model.encoder.layers.1.self_attn.q_proj.weight", .textEncoder
        ),
        ("lora_te_text_model_encoder_layers_0_mlp_fc2", "text_model.encoder.layers.0.mlp.fc2.weight", .textEncoder),
    ]

    @Test func kohyaLinearAndConvolutionPairsMatchTheFormula() throws {
        let (unet, text, _) = try TinyModelTensors.checkpoint(dtype: .float32)
        let network = try kohya(dtype: .float32)
        let targets = [LoRATarget.unet(unet), LoRATarget.textEncoder(text)]
        let application = LoRAApplication(network: network, textEncoderMultiplier: 0.7, unetMultiplier: -0.5)
        let result = try LoRAMerger.merge([application], into: targets)
        let report = try #require(result.report.networks.first)
        #expect(report.unmatchedKeys.isEmpty)
        #expect(report.appliedModuleCount == network.modules.count)
        #expect(
            (result.overlays[.unet]?.count ?? 0) + (result.overlays[.textEncoder]?.count ?? 0) == network.modules.count)
        var worst = 0.0
        for (base, key, component) in mapped {
            let parameters = component == .unet ? unet : text
            let merged = try #require(result.overlays[component]?[key], "\(base) → \(key)")
            let module = try #require(network.modules.values.first { $0.sourceKeys.contains(base + ".lora_up.weight") })
            let expected = try TinyModelTensors.expectedMerge(
                weight: parameters.stored(key), up: module.up, down: module.down, scale: 2.0 / Double(module.rank),
                multiplier: component == .unet ? -0.5 : 0.7)
            let error = TinyModelTensors.relativeError(try merged.widened().scalars, expected)
            #expect(error <= 1e-6, "\(key): \(error)")
            #expect(merged.dtype == .float32 && merged.shape == parameters.shape(key))
            worst = max(worst, error)
        }
        print("kohya merge max relative error (F32): \(worst)")
    }

    @Test func halfPrecisionWeightsStayHalfAndRoundOnce() throws {
        let (unet, text, _) = try TinyModelTensors.checkpoint(dtype: .float16)
        let network = try kohya(dtype: .float16)
        let result = try LoRAMerger.merge(
            [LoRAApplication(network: network, textEncoderMultiplier: 1, unetMultiplier: 0.8)],
            into: [.unet(unet), .textEncoder(text)])
        for (base, key, component) in mapped where component == .unet {
            let merged = try #require(result.overlays[.unet]?[key])
            #expect(merged.dtype == .float16)
            let module = try #require(network.modules.values.first { $0.sourceKeys.contains(base + ".lora_up.weight") })
            let expected = try TinyModelTensors.expectedMerge(
                weight: unet.stored(key), up: module.up, down: module.down, scale: 2.0 / Double(module.rank),
                multiplier: 0.8)
            // One rounding to fp16 of the exact sum: within one fp16 ulp of it.
            for (value, exact) in zip(try merged.widened().scalars, expected) {
                let ulp = Double(Float16(Float(exact)).ulp)
                #expect(abs(Double(value) - exact) <= ulp, "\(key)")
            }
        }
    }

    @Test func baseWeightsStayBitIdenticalAcrossMerges() throws {
        let (unet, text, _) = try TinyModelTensors.checkpoint(dtype: .float16)
        let before = unet.entries
        let network = try kohya(dtype: .float16)
        let targets = [LoRATarget.unet(unet), LoRATarget.textEncoder(text)]
        for multiplier: Float in [1, -2, 0.3] {
            let result = try LoRAMerger.merge(
                [LoRAApplication(network: network, textEncoderMultiplier: multiplier, unetMultiplier: multiplier)],
                into: targets)
            let merged = result.parameters(for: targets[0])
            #expect(merged.entries.count == unet.entries.count)
            let changed = merged.entries.filter { before[$0.key] != $0.value }.map(\.key)
            #expect(Set(changed) == Set(result.overlays[.unet]!.keys))
        }
        #expect(unet.entries == before)
        #expect(targets[0].parameters.entries == before)
    }

    @Test func cacheMergesTheSameSetOnce() throws {
        let (unet, text, _) = try TinyModelTensors.checkpoint(dtype: .float16)
        let network = try kohya(dtype: .float16)
        let targets = [LoRATarget.unet(unet), LoRATarget.textEncoder(text)]
        let cache = MergedWeightsCache(capacity: 1)
        let set = [LoRAApplication(network: network, textEncoderMultiplier: 1, unetMultiplier: 0.5)]
        let first = try cache.result(for: set, into: targets, baseIdentity: "ckpt")
        let second = try cache.result(for: set, into: targets, baseIdentity: "ckpt")
        #expect(cache.misses == 1 && cache.hits == 1)
        #expect(first.overlays == second.overlays)
        _ = try cache.result(
            for: [LoRAApplication(network: network, textEncoderMultiplier: 1, unetMultiplier: 0.6)], into: targets,
            baseIdentity: "ckpt")
        _ = try cache.result(for: set, into: targets, baseIdentity: "other-ckpt")
        #expect(cache.misses == 3 && cache.hits == 1)
    }

    @Test func motionLoRAMergesIntoTheV2ModuleInBothKeyStyles() throws {
        let (module, config) = try TinyModelTensors.motionModule(.v2, dtype: .float32)
        let files = try TinyModelTensors.tensors(
            MotionLoRALayout.recipes(MotionLoRAConfig(motionModule: config, rank: 4, dtype: .float32)), seed: 3)
        let official = try LoRANetwork(name: "pan", identity: "pan", tensors: files)
        // The extension's re-export: underscored module paths + .lora_up/.lora_down.weight.
        var reexported: [String: StoredTensor] = [:]
        for (key, tensor) in files {
            let (path, part) = try #require(LoRAKeyMapping.processorKey(key))
            reexported[path.underscored() + "." + part] = tensor
        }
        let renamed = try LoRANetwork(name: "pan-a1111", identity: "pan-a1111", tensors: reexported)
        let target = LoRATarget.motionModule(module)
        let a = try LoRAMerger.merge(
            [LoRAApplication(network: official, textEncoderMultiplier: 1, unetMultiplier: 0.8)], into: [target])
        let b = try LoRAMerger.merge(
            [LoRAApplication(network: renamed, textEncoderMultiplier: 1, unetMultiplier: 0.8)], into: [target])
        #expect(a.overlays == b.overlays)
        #expect(a.report.networks[0].unmatchedKeys.isEmpty)
        #expect(a.overlays[.motionModule]?.count == official.modules.count)
        let prefix = "mid_block.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.1."
        let key = prefix + "to_out.0.weight"
        let expected = try TinyModelTensors.expectedMerge(
            weight: module.stored(key), up: files[prefix + "processor.to_out_lora.up.weight"]!,
            down: files[prefix + "processor.to_out_lora.down.weight"]!, scale: 1, multiplier: 0.8)
        let error = TinyModelTensors.relativeError(try a.overlays[.motionModule]![key]!.widened().scalars, expected)
        print("motion LoRA merge relative error: \(error)")
        #expect(error <= 1e-6)
    }

    @Test func motionLoRAOnAModuleWithoutMidBlockSkipsAndCountsTheMidKeys() throws {
        let (v2, v2Config) = try TinyModelTensors.motionModule(.v2, dtype: .float32)
        let (v3, _) = try TinyModelTensors.motionModule(.v3, dtype: .float32)
        let files = try TinyModelTensors.tensors(
            MotionLoRALayout.recipes(MotionLoRAConfig(motionModule: v2Config, rank: 2, dtype: .float32)), seed: 3)
        let network = try LoRANetwork(name: "zoom", identity: "zoom", tensors: files)
        let result = try LoRAMerger.merge(
            [LoRAApplication(network: network, textEncoderMultiplier: 1, unetMultiplier: 1)], into: [.motionModule(v3)])
        let report = result.report.networks[0]
        #expect(report.unmatchedKeys.count == 16)
        #expect(report.unmatchedKeys.allSatisfy { $0.hasPrefix("mid_block.") })
        #expect(result.report.warnings.count == 1)
        #expect(v2.entries.count > v3.entries.count)
    }

    @Test func v3AdapterMergesIntoTheImageUNet() throws {
        let (unet, _, checkpoint) = try TinyModelTensors.checkpoint(dtype: .float32)
        let files = try TinyModelTensors.tensors(
            V3AdapterLayout.recipes(V3AdapterConfig(unet: checkpoint.unet, rank: 4, dtype: .float32)), seed: 5)
        let network = try LoRANetwork(name: "v3_adapter", identity: "v3", tensors: files)
        let result = try LoRAMerger.merge(
            [LoRAApplication(network: network, textEncoderMultiplier: 1, unetMultiplier: 1)], into: [.unet(unet)])
        #expect(result.report.networks[0].unmatchedKeys.isEmpty)
        #expect(result.overlays[.unet]?.count == network.modules.count)
        let source = "up_blocks.2.attentions.1.transformer_blocks.0.attn2.processor.to_out_lora."
        let key = "output_blocks.7.1.transformer_blocks.0.attn2.to_out.0.weight"
        let expected = try TinyModelTensors.expectedMerge(
            weight: unet.stored(key), up: files[source + "up.weight"]!, down: files[source + "down.weight"]!, scale: 1,
            multiplier: 1)
        let error = TinyModelTensors.relativeError(try result.overlays[.unet]![key]!.widened().scalars, expected)
        #expect(error <= 1e-6)
    }

    @Test func dynamicRankAndCPCoreFollowA1111() throws {
        let up = StoredTensor(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let down = StoredTensor(Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1]))
        let module = try LoRAModule(
            layerName: "x", up: up, down: down, mid: nil, alpha: 1.5, scale: nil, sourceKeys: [])
        // Two of three ranks: up[:, :2]·down[:2, :] = [[1, 2], [4, 5]], times alpha/rank = 0.5, times 2.
        #expect(try module.delta(weightShape: [2, 2], multiplier: 2, dynamicRank: 2).scalars == [1, 2, 4, 5])
        // CP: mid [2, 2, 1, 1] = identity·2 gives 2·up·down.
        let cp = try LoRAModule(
            layerName: "y", up: StoredTensor(Tensor(shape: [1, 2, 1, 1], scalars: [1, 3])),
            down: StoredTensor(Tensor(shape: [2, 2, 1, 1], scalars: [1, 2, 3, 4])),
            mid: StoredTensor(Tensor(shape: [2, 2, 1, 1], scalars: [2, 0, 0, 2])), alpha: nil, scale: nil,
            sourceKeys: [])
        #expect(try cp.delta(weightShape: [1, 2, 1, 1], multiplier: 1).scalars == [20, 28])
    }

    @Test func wrongArchitecturesAreClearErrors() throws {
        let (unet, text, _) = try TinyModelTensors.checkpoint(dtype: .float32)
        let targets = [LoRATarget.unet(unet), LoRATarget.textEncoder(text)]
        func kind(_ network: LoRANetwork) -> PipelineError.Kind? {
            do {
                _ = try LoRAMerger.merge(
                    [LoRAApplication(network: network, textEncoderMultiplier: 1, unetMultiplier: 1)], into: targets)
                return nil
            } catch let error as PipelineError {
                return error.kind
            } catch {
                return nil
            }
        }
        let tensors = try TinyModelTensors.tensors(
            KohyaLoRALayout.recipes(
                KohyaLoRAConfig(
                    unet: SD15CheckpointConfig.tiny(dtype: .float32).unet, textEncoder: nil, rank: 2, alpha: 1,
                    convolutionRank: nil,
                    dtype: .float32, outputName: "x")))
        let sdxl = try LoRANetwork(
            name: "xl", identity: "xl", tensors: tensors, metadata: ["ss_base_model_version": "sdxl_base_v1-0"])
        #expect(kind(sdxl) == .incompatibleNetwork)
        var wider = SD15CheckpointConfig.tiny(dtype: .float32).unet
        wider.modelChannels = 64
        #expect(kind(try kohya(dtype: .float32, unet: wider)) == .incompatibleNetwork)
        let (_, mmConfig) = try TinyModelTensors.motionModule(.v2, dtype: .float32)
        let motion = try LoRANetwork(
            name: "pan", identity: "pan",
            tensors: TinyModelTensors.tensors(
                MotionLoRALayout.recipes(MotionLoRAConfig(motionModule: mmConfig, rank: 2, dtype: .float32))))
        #expect(kind(motion) == .incompatibleNetwork)
        let one = StoredTensor(Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]))
        let loha = try LoRANetwork(
            name: "loha", identity: "loha",
            tensors: [
                "lora_unet_down_blocks_0_attentions_0_proj_in.hada_w1_a": one,
                "lora_unet_down_blocks_0_attentions_0_proj_in.hada_w1_b": one,
            ])
        #expect(kind(loha) == .unsupported)
        var withStray = tensors
        withStray["lora_unet_not_a_layer.lora_up.weight"] = one
        withStray["lora_unet_not_a_layer.lora_down.weight"] = one
        let stray = try LoRANetwork(name: "stray", identity: "stray", tensors: withStray)
        let result = try LoRAMerger.merge(
            [LoRAApplication(network: stray, textEncoderMultiplier: 1, unetMultiplier: 1)], into: targets)
        #expect(
            result.report.networks[0].unmatchedKeys == [
                "lora_unet_not_a_layer.lora_down.weight", "lora_unet_not_a_layer.lora_up.weight",
            ])
        #expect(throws: PipelineError.self) {
            _ = try LoRAModule(
                layerName: "z", up: one, down: StoredTensor(Tensor(shape: [3, 2], scalars: [0, 0, 0, 0, 0, 0])),
                mid: nil, alpha: nil, scale: nil, sourceKeys: [])
        }
    }

    @Test func kohyaNamesFollowTheA1111Table() {
        let cases = [
            "lora_unet_conv_in": "diffusion_model_input_blocks_0_0",
            "lora_unet_conv_out": "diffusion_model_out_2",
            "lora_unet_time_embedding_linear_2": "diffusion_model_time_embed_2",
            "lora_unet_down_blocks_2_downsamplers_0_conv": "diffusion_model_input_blocks_9_0_op",
            "lora_unet_up_blocks_0_upsamplers_0_conv": "diffusion_model_output_blocks_2_1_conv",
            "lora_unet_up_blocks_2_upsamplers_0_conv": "diffusion_model_output_blocks_8_2_conv",
            "lora_unet_down_blocks_1_resnets_0_conv_shortcut": "diffusion_model_input_blocks_4_0_skip_connection",
            "lora_unet_mid_block_resnets_0_time_emb_proj": "diffusion_model_middle_block_0_emb_layers_1",
            "lora_unet_input_blocks_4_1_proj_in": "lora_unet_input_blocks_4_1_proj_in",
        ]
        for (base, name) in cases { #expect(LoRAKeyMapping.a1111LayerName(kohyaBase: base) == name) }
        #expect(
            LoRAKeyMapping.fallbackLayerNames(kohyaBase: "lora_unet_input_blocks_4_1_proj_in") == [
                "diffusion_model_input_blocks_4_1_proj_in"
            ])
        #expect(
            LoRAApplication(
                network: try! LoRANetwork(name: "n", identity: "n", tensors: [:]), textEncoderMultiplier: 2,
                unetMultiplier: 3
            )
            .multiplier(forLayer: "transformer_text_model_encoder_layers_0_mlp_fc1") == 2)
    }
}
