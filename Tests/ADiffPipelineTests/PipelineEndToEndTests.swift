import ADiffModels
import ADiffTensor
import ADiffWeights
import Foundation
import Testing

@testable import ADiffPipeline

/// Whole txt2vid / img2vid generations on the real tiny networks (fp32, seed 0, v3 motion
/// module, regenerated in memory) against scripts/fixtures/make_pipeline_e2e_fixtures.py
/// (diffusers UNetMotionModel, transformers CLIP, diffusers VAE).
@Suite struct PipelineEndToEndTests {
    struct Frames: Decodable {
        let name: String
        let firstFrame: String
        let lastFrame: String
    }

    struct Fixture: Decodable {
        let cases: [PipelineFixture.Case]
    }

    struct FrameFixture: Decodable {
        let cases: [Frames]
    }

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Pipeline/e2e.json")

    /// The tiny fp32 checkpoint and v3 motion module of `adiff-make-models --seed 0`.
    static func models() throws -> GenerationModels {
        let files = try ModelFolderMaker.plan(
            .init(preset: .tiny, dtype: .float32, seed: 0, components: [.checkpoint, .motion]))
        func parameters(_ path: String, prefix: String) throws -> ModelParameters {
            let file = try #require(files.first { $0.relativePath == path })
            var entries: [String: StoredTensor] = [:]
            for recipe in file.recipes where recipe.name.hasPrefix(prefix) {
                entries[String(recipe.name.dropFirst(prefix.count))] = try StoredTensor(
                    dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: file.seed))
            }
            return ModelParameters(entries: entries, origin: path)
        }
        let checkpoint = "Stable-diffusion/tiny-sd15.safetensors"
        let motion = try MotionModuleSet(
            parameters: try parameters("AnimateDiff/tiny-mm-v3.safetensors", prefix: ""))
        let unet = try UNetModel(
            parameters: try parameters(checkpoint, prefix: StableDiffusionCheckpoint.unetPrefix), motion: motion)
        let clip = try CLIPTextModel(
            parameters: try parameters(checkpoint, prefix: StableDiffusionCheckpoint.textEncoderPrefix), heads: 2)
        let vae = try VAEModel(parameters: try parameters(checkpoint, prefix: StableDiffusionCheckpoint.vaePrefix))
        return GenerationModels(
            unet: unet, text: try CLIPPromptEncoder(model: clip), vae: vae, noiseSchedule: .animateDiffLinear,
            maximumContext: 32,
            identity: ModelIdentity(
                checkpointName: "tiny-sd15", checkpointHash: "0123456789", motionModuleName: "tiny-mm-v3.safetensors",
                motionModuleHash: "abcdef01"))
    }

    /// make_pipeline_fixtures.py's `test_image(64, 64, phase)`, channels last, in [−1, 1].
    static func testImage(_ size: Int, phase: Float) -> Tensor {
        var scalars: [Float] = []
        scalars.reserveCapacity(size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let (fx, fy) = (Float(x), Float(y))
                scalars.append(sinf(0.3 * fx + 0.2 * fy + phase))
                scalars.append(cosf(0.25 * fx - 0.1 * fy + phase))
                scalars.append(sinf(0.05 * fx * fy + phase))
            }
        }
        return Tensor(shape: [1, size, size, 3], scalars: scalars)
    }

    @Test func wholeGenerationsMatchTheReference() throws {
        let data = try Data(contentsOf: Self.url)
        let cases = try JSONDecoder().decode(Fixture.self, from: data).cases
        let frames = try JSONDecoder().decode(FrameFixture.self, from: data).cases
        let models = try Self.models()
        for (c, expected) in zip(cases, frames) {
            let start = Date()
            var request = PipelineFixture.shared.request(c)
            var images = GenerationImages()
            if c.strength != nil {
                request.initImages = ["init"]
                images = GenerationImages(
                    initImage: Self.testImage(c.width, phase: 0),
                    lastFrame: c.last == true ? Self.testImage(c.width, phase: 1.3) : nil)
            }
            var reported: [Int] = []
            let output = try Pipeline.generate(
                request, models: models, images: images, options: GenerationOptions(returnLatents: true),
                progress: { report in
                    guard report.phase == .sampling, report.windows > 0, report.window == report.windows else { return }
                    reported.append(report.windows)
                })
            // The windows the run reports per model call (Euler / Euler a: one per step; img2vid
            // runs only the steps its strength keeps) are the pipeline's own planner's, and the
            // txt2vid case spans several at every step, or it no longer proves the windowed path.
            let ad = request.animatediff
            let planner = try ContextWindowScheduler(
                frameCount: ad.resolvedVideoLength, contextSize: ad.batchSize, overlap: ad.overlap, stride: ad.stride,
                closedLoop: ad.closedLoop)
            let planned = (0..<reported.count).map { planner.windows(step: $0).count }
            #expect(!reported.isEmpty && reported == planned, "\(c.name): windows reported \(reported), planned \(planned)")
            if c.strength == nil {
                #expect(c.L == 16, "\(c.name): the txt2vid case renders 16 frames")
                #expect(reported.count == c.steps, "\(c.name): \(reported.count) model calls")
                #expect(reported.allSatisfy { $0 > 2 }, "\(c.name): windows per call \(reported)")
            }
            let latents = try #require(output.videos.first?.latents)
            let error = PipelineFixture.relativeError(latents.scalars, c.latents)
            let video = output.videos[0].frames
            try #require(video.count == c.L)
            var pixelReport: [String] = []
            for (index, encoded) in [(0, expected.firstFrame), (c.L - 1, expected.lastFrame)] {
                let reference = try #require(Data(base64Encoded: encoded)).map { Int($0) }
                let produced = video[index].pixels.map { Int($0) }
                #expect(produced.count == reference.count)
                let differences = zip(produced, reference).map { abs($0 - $1) }
                let within = Double(differences.filter { $0 <= 1 }.count) / Double(differences.count)
                let percent = String(format: "%.2f", 100 * within)
                pixelReport.append("frame \(index): \(percent)% within 1/255, max diff \(differences.max()!)")
                #expect(within >= 0.99, "\(c.name) frame \(index)")
            }
            print(
                "\(c.name): \(c.L) frames, windows per call \(reported); latents max relative error \(error); "
                    + "\(pixelReport.joined(separator: "; ")); "
                    + "\(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            #expect(error <= 1e-3, "\(c.name)")
        }
    }
}
