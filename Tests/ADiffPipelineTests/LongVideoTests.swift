import ADiffModels
import ADiffTensor
import Testing

@testable import ADiffPipeline

/// A 64-frame 256×256 video with context 16: every UNet call sees one window of one or two
/// branches, every frame is decoded, and the extension's LoRA-tag rule is widened to every
/// keyframe.
@Suite struct LongVideoTests {
    @Test func longVideosRunOneWindowPerCall() throws {
        let fixture = PipelineFixture.shared
        var request = GenerationRequest()
        request.prompt = "a cat <lora:style:0.6>\n0: walking\n32: running <lora:motion:0.8>\nsunny"
        request.negativePrompt = "ugly"
        request.steps = 2
        request.width = 256
        request.height = 256
        request.seed = 9
        request.animatediff.videoLength = 64
        request.animatediff.batchSize = 16
        var table = fixture.encoder.table
        let travel = try PromptTravel(prompt: request.prompt, frameCount: 64)
        for keyframe in travel.keyframes {
            table[ExtraNetworkTag.extract(from: keyframe.prompt).prompt] = table["a boat"]
        }
        table["ugly"] = table["ugly"] ?? table["fog"]
        let predictor = AnalyticPredictor()
        let models = GenerationModels(
            unet: predictor, text: TableEncoder(table: table), vae: AnalyticCodec(), noiseSchedule: .animateDiffLinear,
            maximumContext: 32, identity: ModelIdentity(checkpointName: "tiny", motionModuleName: "mm"))
        let output = try Pipeline.generate(request, models: models)
        #expect(predictor.calls.allSatisfy { $0.rows == 32 && $0.framesPerVideo == 16 })
        #expect(predictor.calls.count >= 2 * 5)
        #expect(output.videos[0].frames.count == 64)
        #expect(
            output.videos[0].frames.allSatisfy {
                $0.width == 256 && $0.height == 256 && $0.pixels.count == 256 * 256 * 3
            })
        #expect(output.videos[0].frameInfotexts.count == 64)
        #expect(output.videos[0].frameInfotexts[63].contains("Seed: 72,"))
        let networks = try Pipeline.extraNetworks(in: request)
        #expect(networks.map(\.name) == ["style", "motion"])
        #expect(networks.map(\.unetMultiplier) == [0.6, 0.8])
    }
}
