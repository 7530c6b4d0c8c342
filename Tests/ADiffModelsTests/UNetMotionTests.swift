import ADiffTensor
import ADiffWeights
import Testing

@testable import ADiffModels

/// The UNet with AnimateDiff motion modules against diffusers' `UNetMotionModel`, patched to
/// the extension's behaviour (per-frame motion-module norms; v1's ResBlock GroupNorms pooled
/// over each video), and the insertion points of animatediff-behaviour.md §1.3.
@Suite struct UNetMotionTests {
    static func model(_ family: String) throws -> UNetModel {
        let motion = try MotionModuleSet(parameters: try UNetFixtures.motionParameters(family))
        return try UNetModel(parameters: try UNetFixtures.unetParameters(), motion: motion)
    }

    /// Batched: two videos (cond, uncond) of F frames, N = 2F, framesPerVideo = F. Unbatched:
    /// the cond video alone, which must equal the reference's first half (the fixture script
    /// checks the reference itself agrees to 1e-5).
    @Test(arguments: ["v1", "v2", "v3"], [8, 16])
    func matchesPatchedDiffusers(family: String, frames: Int) throws {
        let unet = try Self.model(family)
        let inputs = try UNetFixtures.load("motion_inputs.safetensors")
        let reference = try #require(try UNetFixtures.load("motion_\(family).safetensors")["output_f\(frames)"])
        let latents = try #require(inputs["latents_f\(frames)"])
        let context = try UNetFixtures.repeatRows(try #require(inputs["context"]), times: frames)
        let timesteps = try #require(inputs["timesteps_f\(frames)"]).scalars.flatMap {
            Array(repeating: $0, count: frames)
        }

        let batched = try unet.predictNoise(
            latents: latents, timesteps: timesteps, context: context, framesPerVideo: frames)
        let batchedError = UNetFixtures.relativeError(batched, reference)
        let cond = try unet.predictNoise(
            latents: try latents.batchSlice(0..<frames), timesteps: Array(timesteps[0..<frames]),
            context: try context.batchSlice(0..<frames), framesPerVideo: frames)
        let condError = UNetFixtures.relativeError(cond, try reference.batchSlice(0..<frames))
        print(
            "UNet + \(family) motion, \(frames) frames vs patched diffusers: batched cond/uncond (N = \(2 * frames)) "
                + "max rel err \(batchedError); cond alone (N = \(frames)) \(condError)")
        #expect(batchedError <= 1e-4)
        #expect(condError <= 1e-4)
    }

    @Test func modulesSitWhereTheExtensionSplicesThem() throws {
        let unet = try Self.model("v2")
        func kinds(_ layers: [UNetLayer]) -> String {
            layers.map { layer -> String in
                switch layer {
                case .res: "res"
                case .transformer: "st"
                case .downsample: "down"
                case .upsample: "up"
                case .motion: "mm"
                }
            }.joined(separator: " ")
        }
        // input_blocks.1…11 (level 0–3: two blocks each, downsamplers between).
        #expect(
            unet.inputBlocks.map(kinds) == [
                "res st mm", "res st mm", "down", "res st mm", "res st mm", "down", "res st mm", "res st mm", "down",
                "res mm", "res mm",
            ])
        #expect(kinds(unet.middleBlock) == "res st mm res")
        #expect(
            unet.outputBlocks.map(kinds) == [
                "res mm", "res mm", "res mm up", "res st mm", "res st mm", "res st mm up", "res st mm", "res st mm",
                "res st mm up", "res st mm", "res st mm", "res st mm",
            ])
        // The modules are the file's, in its numbering.
        guard case .motion(let module) = unet.outputBlocks[5][2], case .motion(let first) = unet.inputBlocks[0][2]
        else {
            Issue.record("no motion module in output block 5 or input block 1")
            return
        }
        #expect(module.name == "up_blocks.1.motion_modules.2.temporal_transformer")
        #expect(first.name == "down_blocks.0.motion_modules.0.temporal_transformer")
    }

    @Test func attachingReplacesOrRemovesTheModules() throws {
        let v2 = try Self.model("v2")
        let image = try v2.attaching(nil)
        #expect(image.motion == nil)
        #expect(image.middleBlock.count == 3)
        #expect(image.outputBlocks.allSatisfy { $0.allSatisfy { if case .motion = $0 { false } else { true } } })
        let v1 = try v2.attaching(try MotionModuleSet(parameters: try UNetFixtures.motionParameters("v1")))
        #expect(v1.middleBlock.count == 3)
        #expect(v1.motion?.usesGroupNormHack == true)
        let motionLayers = (v1.inputBlocks + v1.outputBlocks).joined().filter {
            if case .motion = $0 { true } else { false }
        }
        #expect(motionLayers.count == 8 + 12)
    }

    @Test func frameCountAboveTheModulesMaximumNamesBothNumbers() throws {
        let unet = try Self.model("v1")
        let maximum = try #require(unet.motion?.maximumFrames)
        #expect(maximum == 24)
        let frames = maximum + 1
        #expect {
            _ = try unet.predictNoise(
                latents: Tensor(zeros: [frames, 8, 8, 4]), timesteps: Array(repeating: 1, count: frames),
                context: Tensor(zeros: [frames, 4, 32]), framesPerVideo: frames)
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.kind == .invalidInput && error.message.contains("\(maximum)")
                && error.message.contains("\(frames)")
        }
    }

    @Test func refusesAnSDXLModuleOnAnSD15UNet() throws {
        let hotshot = try MotionModuleSet(parameters: try UNetFixtures.motionParameters("hotshot"))
        #expect {
            _ = try UNetModel(parameters: try UNetFixtures.unetParameters(), motion: hotshot)
        } throws: { ($0 as? ModelError)?.kind == .incompatibleModel }
    }
}
