import ADiffTensor
import Testing

@testable import ADiffWeights

/// Shapes follow from non-standard configurations, and bad configurations are refused.
@Suite struct TestModelConfigTests {
    private let unet = UNetLayoutConfig(
        latentChannels: 8, modelChannels: 64, channelMultipliers: [1, 3], layersPerBlock: 1, attentionLevels: [1],
        heads: 4, transformerDepth: 2, contextDimension: 48
    )

    @Test func unetShapesFollowTheConfig() throws {
        let shapes = Dictionary(
            uniqueKeysWithValues: try UNetLDMLayout.recipes(unet, dtype: .float32, prefix: "").map {
                ($0.name, $0.shape)
            })
        // Hand-derived for levels (64, 192), one layer each, attention only at level 1, depth 2:
        // input_blocks 1 (res 64→64), 2 (down), 3 (res 64→192 + transformer); output blocks
        // 0 (res 384→192 + tf), 1 (res 256→192 + tf + upsample), 2 (res 256→64), 3 (res 128→64).
        #expect(shapes["input_blocks.0.0.weight"] == [64, 8, 3, 3])
        #expect(shapes["time_embed.0.weight"] == [256, 64])
        #expect(shapes["input_blocks.1.0.emb_layers.1.weight"] == [64, 256])
        #expect(shapes["input_blocks.1.0.skip_connection.weight"] == nil)
        #expect(shapes["input_blocks.1.1.proj_in.weight"] == nil)
        #expect(shapes["input_blocks.2.0.op.weight"] == [64, 64, 3, 3])
        #expect(shapes["input_blocks.3.0.skip_connection.weight"] == [192, 64, 1, 1])
        #expect(shapes["input_blocks.3.1.transformer_blocks.1.attn2.to_k.weight"] == [192, 48])
        #expect(shapes["input_blocks.3.1.transformer_blocks.2.attn1.to_q.weight"] == nil)
        #expect(shapes["middle_block.1.transformer_blocks.0.ff.net.0.proj.weight"] == [1536, 192])
        #expect(shapes["output_blocks.0.0.in_layers.2.weight"] == [192, 384, 3, 3])
        #expect(shapes["output_blocks.1.0.skip_connection.weight"] == [192, 256, 1, 1])
        #expect(shapes["output_blocks.1.2.conv.weight"] == [192, 192, 3, 3])
        #expect(shapes["output_blocks.2.0.in_layers.0.weight"] == [256])
        #expect(shapes["output_blocks.3.0.in_layers.2.weight"] == [64, 128, 3, 3])
        #expect(shapes["output_blocks.3.1.proj_in.weight"] == nil)
        #expect(shapes["output_blocks.4.0.in_layers.2.weight"] == nil)
        #expect(shapes["out.2.weight"] == [8, 64, 3, 3])
    }

    @Test func vaeShapesFollowTheConfig() throws {
        let config = VAELayoutConfig(
            baseChannels: 32, channelMultipliers: [1, 2], layersPerBlock: 1, latentChannels: 3, imageChannels: 1)
        let shapes = Dictionary(
            uniqueKeysWithValues: try VAELDMLayout.recipes(config, dtype: .float32, prefix: "").map {
                ($0.name, $0.shape)
            })
        #expect(shapes["encoder.conv_in.weight"] == [32, 1, 3, 3])
        #expect(shapes["encoder.down.1.block.0.nin_shortcut.weight"] == [64, 32, 1, 1])
        #expect(shapes["encoder.down.1.downsample.conv.weight"] == nil)
        #expect(shapes["encoder.conv_out.weight"] == [6, 64, 3, 3])
        #expect(shapes["quant_conv.weight"] == [6, 6, 1, 1])
        #expect(shapes["post_quant_conv.weight"] == [3, 3, 1, 1])
        #expect(shapes["decoder.conv_in.weight"] == [64, 3, 3, 3])
        #expect(shapes["decoder.mid.attn_1.proj_out.weight"] == [64, 64, 1, 1])
        #expect(shapes["decoder.up.1.block.1.conv2.weight"] == [64, 64, 3, 3])
        #expect(shapes["decoder.up.1.upsample.conv.weight"] == [64, 64, 3, 3])
        #expect(shapes["decoder.up.0.block.0.nin_shortcut.weight"] == [32, 64, 1, 1])
        #expect(shapes["decoder.up.0.block.2.conv1.weight"] == nil)
        #expect(shapes["decoder.conv_out.weight"] == [1, 32, 3, 3])
    }

    @Test func badConfigurationsAreRefusedWithTheirRule() throws {
        var odd = unet
        odd.modelChannels = 48
        #expect { try UNetLDMLayout.recipes(odd, dtype: .float16) } throws: { error in
            (error as? WeightsError)?.kind == .invalidArgument && "\(error)".contains("multiples of 32")
        }
        var mismatched = SD15CheckpointConfig.tiny()
        mismatched.unet.contextDimension = 64
        #expect { try SD15CheckpointLayout.recipes(mismatched) } throws: { "\($0)".contains("context dimension") }
        var integer = SD15CheckpointConfig.tiny()
        integer.dtype = .int8
        #expect(throws: WeightsError.self) { try SD15CheckpointLayout.recipes(integer) }
        let heads = MotionModuleConfig(
            version: .v1, blockChannels: [96], heads: 7, positionalEncodingLength: 24, dtype: .float16)
        #expect(throws: WeightsError.self) { try MotionModuleLayout.recipes(heads) }
        var badLevels = unet
        badLevels.attentionLevels = [2]
        #expect(throws: WeightsError.self) { try UNetLDMLayout.recipes(badLevels, dtype: .float16) }
        #expect(throws: WeightsError.self) {
            try TextualInversionLayout.recipes(.init(vectors: 0, width: 8, dtype: .float16))
        }
    }
}
