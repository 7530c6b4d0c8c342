import ADiffTensor
import Foundation
import Testing

@testable import ADiffPipeline

/// Request decoding, validation, infotext writing and replay, img2vid ramps.
@Suite struct GenerationRequestTests {
    private func decode(_ json: String) throws -> GenerationRequest {
        try JSONDecoder().decode(GenerationRequest.self, from: Data(json.utf8))
    }

    @Test func decodesWebUINamesWithDefaults() throws {
        let request = try decode(
            #"{"prompt": "a cat", "cfg_scale": 7, "sampler_name": "DPM++ 2M Karras", "animatediff": {"video_length": 24, "closed_loop": "R+P"}}"#
        )
        #expect(request.prompt == "a cat" && request.steps == 20 && request.cfgScale == 7)
        #expect(request.animatediff.videoLength == 24 && request.animatediff.closedLoop == .reducedWithPrompt)
        #expect(request.animatediff.batchSize == 16 && request.animatediff.resolvedOverlap == 4)
        try request.validate(maximumContext: 32)
        let again = try JSONDecoder().decode(GenerationRequest.self, from: JSONEncoder().encode(request))
        #expect(again == request)
    }

    @Test func unknownKeysAndBadValuesNameTheField() throws {
        func field(_ json: String) -> String? {
            do {
                try decode(json).validate(maximumContext: 32)
                return nil
            } catch let error as PipelineError {
                return error.field
            } catch {
                return "decoding"
            }
        }
        #expect(field(#"{"promt": "x"}"#) == "promt")
        #expect(field(#"{"animatediff": {"batchsize": 8}}"#) == "animatediff.batchsize")
        #expect(field(#"{"animatediff": {"closed_loop": "B"}}"#) == "animatediff.closed_loop")
        #expect(field(#"{"width": 500}"#) == "width")
        #expect(field(#"{"steps": 0}"#) == "steps")
        #expect(field(#"{"sampler_name": "Nope"}"#) == "sampler_name")
        #expect(field(#"{"scheduler": "Nope"}"#) == "scheduler")
        #expect(field(#"{"animatediff": {"overlap": 16}}"#) == "animatediff.overlap")
        #expect(field(#"{"animatediff": {"batch_size": 33}}"#) == "animatediff.batch_size")
        #expect(field(#"{"animatediff": {"interp": "FILM"}}"#) == "animatediff.interp")
        #expect(field(#"{"animatediff": {"last_frame": "x"}}"#) == "animatediff.last_frame")
        #expect(field(#"{"randn_source": "TPU"}"#) == "randn_source")
        #expect(field(#"{"animatediff": {"is_i2i_batch": false}}"#) == nil)
    }

    @Test func infotextRoundTrips() throws {
        var request = GenerationRequest()
        request.prompt = "masterpiece\n0: a cat <lora:tiny:0.7>\n8: a dog\nbest quality"
        request.negativePrompt = "blurry, lowres"
        request.steps = 25
        request.samplerName = "DPM++ 2M"
        request.cfgScale = 6.5
        request.seed = 1234
        request.subseed = 99
        request.subseedStrength = 0.25
        request.width = 256
        request.height = 384
        request.clipSkip = 2
        request.randnSource = .nv
        request.initImages = ["img"]
        request.denoisingStrength = 0.6
        request.animatediff.videoLength = 32
        request.animatediff.closedLoop = .aggressive
        request.animatediff.latentPower = 1.5
        request.animatediff.requestId = "job7"
        let models = ModelIdentity(
            checkpointName: "tiny", checkpointHash: "0123456789", motionModuleName: "mm_sd15_v3.safetensors",
            motionModuleHash: "1a2b3c4d5e", loraHashes: [("tiny", "aabbccddeeff")], version: "adiff-test")
        let text = try request.infotext(seed: 1234, subseed: 99, models: models).text
        #expect(text.contains("Schedule type: Karras"))
        #expect(
            text.contains(
                #"AnimateDiff: "model: mm_sd15_v3.safetensors, video_length: 32, fps: 8, loop_number: 0, closed_loop: A, batch_size: 16, stride: 1, overlap: 4, interp: Off, interp_x: 10, freeinit_enable: False, request_id: job7, mm_hash: 1a2b3c4d, latent_power: 1.5, latent_scale: 32, latent_power_last: 1, latent_scale_last: 32""#
            ))
        #expect(text.contains(#"Lora hashes: "tiny: aabbccddeeff""#))
        var replay = try GenerationRequest(infotext: Infotext(parsing: text))
        #expect(replay.sdModelCheckpoint == "tiny")
        replay.initImages = request.initImages
        replay.scheduler = request.scheduler
        replay.sdModelCheckpoint = nil
        replay.animatediff.overlap = request.animatediff.overlap
        replay.animatediff.model = request.animatediff.model
        #expect(replay == request)
    }

    @Test func img2vidRampsFollowTheSpec() throws {
        let plain = Img2VidRamp(frameCount: 16, rows: 16, latentPower: 1, latentScale: 32)
        #expect(plain.alpha.prefix(3) == [1, 0.96875, 0.9375] && plain.alpha[15] == 0.53125)
        let both = Img2VidRamp(frameCount: 16, rows: 16, latentPower: 1, latentScale: 32, last: (1, 32))
        #expect(both.alpha[0] == 1 && both.beta[0] == 0 && both.alpha[15] == 0 && both.beta[15] == 1)
        #expect(abs(both.alpha[1] - 0.6327) < 1e-4 && abs(both.alpha[14] - 0.3673) < 1e-4)
        #expect(zip(both.alpha, both.beta).dropFirst().dropLast().allSatisfy { abs($0 + $1 - 1) < 1e-6 })
        // A video shorter than the context: the extra rows hold the last frame (no shape error).
        let short = Img2VidRamp(frameCount: 5, rows: 8, latentPower: 1, latentScale: 32, last: (1, 32))
        #expect(short.alpha.count == 8 && short.beta[4] == 1 && short.beta[7] == 1 && short.alpha[7] == 0)
        let blended = try short.blend(
            initLatent: Tensor(repeating: 1, shape: [1, 1, 1, 1]),
            lastLatent: Tensor(repeating: 2, shape: [1, 1, 1, 1]),
            noise: Tensor(repeating: 5, shape: [8, 1, 1, 1]))
        #expect(blended.scalars[0] == 1 && blended.scalars[7] == 2)
    }

    @Test func seedResizePastesTheOldSizeNoiseCentred() throws {
        let seeds = FrameNoise.Seeds(seed: 3, frameCount: 1)
        var resized = FrameNoise(
            seeds: seeds, source: .cpu, latentHeight: 6, latentWidth: 6, seedResize: (width: 32, height: 32))
        let noise = try resized.first()
        var small = FrameNoise(seeds: seeds, source: .cpu, latentHeight: 4, latentWidth: 4)
        let reference = try small.first()
        for y in 0..<4 {
            for x in 0..<4 {
                for c in 0..<4 { #expect(noise[0, y + 1, x + 1, c] == reference[0, y, x, c]) }
            }
        }
    }
}
