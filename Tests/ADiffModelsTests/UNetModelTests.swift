import ADiffTensor
import ADiffWeights
import Foundation
import Testing

@testable import ADiffModels

/// The SD UNet against diffusers' `UNet2DConditionModel` on the tiny random checkpoint, its
/// configuration inference, and its errors.
@Suite struct UNetModelTests {
    static let tinyConfig = UNetConfig(
        inputChannels: 4, outputChannels: 4, modelChannels: 32, channelMultipliers: [1, 2, 4, 4],
        resBlocksPerLevel: [2, 2, 2, 2], transformerDepth: [1, 1, 1, 0], middleTransformerDepth: 1,
        contextDimension: 32, attentionHeads: .count(8), linearProjection: false, timeEmbeddingDimension: 128)

    @Test func tinyUNetMatchesDiffusers() throws {
        let unet = try UNetModel(parameters: try UNetFixtures.unetParameters())
        let fixture = try UNetFixtures.load("unet_tiny.safetensors")
        let output = try unet.predictNoise(
            latents: try #require(fixture["latents"]), timesteps: try #require(fixture["timesteps"]).scalars,
            context: try #require(fixture["context"]), framesPerVideo: 1)
        let error = UNetFixtures.relativeError(output, try #require(fixture["output"]))
        print("UNet tiny (2 samples, t = 981 and 437.25) vs diffusers: max rel err \(error)")
        #expect(error <= 1e-4)
    }

    @Test func eachSampleIsIndependentOfTheBatch() throws {
        let unet = try UNetModel(parameters: try UNetFixtures.unetParameters())
        let fixture = try UNetFixtures.load("unet_tiny.safetensors")
        let latents = try #require(fixture["latents"])
        let context = try #require(fixture["context"])
        let timesteps = try #require(fixture["timesteps"]).scalars
        let alone = try unet.predictNoise(
            latents: try latents.batchSlice(1..<2), timesteps: [timesteps[1]],
            context: try context.batchSlice(1..<2), framesPerVideo: 1)
        let error = UNetFixtures.relativeError(alone, try #require(fixture["output"]).batchSlice(1..<2))
        print("UNet tiny, second sample alone vs diffusers batched: max rel err \(error)")
        #expect(error <= 1e-4)
    }

    @Test func configOfTheTinyCheckpoint() throws {
        let config = try UNetConfig(inferringFrom: try UNetFixtures.unetParameters())
        #expect(config == Self.tinyConfig)
        #expect(config.spatialFactor == 8)
    }

    @Test func configOfSD15FromDiffusersKeyList() throws {
        // Tests/Fixtures/Layouts/sd15-checkpoint.txt: SD1.5's checkpoint names and shapes as
        // check_layouts.py derived them from diffusers' UNet2DConditionModel.
        let url = UNetFixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Layouts/sd15-checkpoint.txt")
        var shapes: [String: [Int]] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields[0].hasPrefix(UNetFixtures.checkpointPrefix) else { continue }
            shapes[String(fields[0].dropFirst(UNetFixtures.checkpointPrefix.count))] =
                fields[2].split(separator: ",").compactMap { Int($0) }
        }
        let config = try UNetConfig(inferringFromShapes: shapes, origin: "sd15-checkpoint.txt")
        let expected = UNetConfig(
            inputChannels: 4, outputChannels: 4, modelChannels: 320, channelMultipliers: [1, 2, 4, 4],
            resBlocksPerLevel: [2, 2, 2, 2], transformerDepth: [1, 1, 1, 0], middleTransformerDepth: 1,
            contextDimension: 768, attentionHeads: .count(8), linearProjection: false, timeEmbeddingDimension: 1280)
        #expect(config == expected)
        #expect(config.attentionHeads.heads(forChannels: 1280) == 8)
    }

    @Test func configOfAnSDXLShapedUNet() throws {
        let shapes = LDMUNetShapes.make(
            .init(
                modelChannels: 320, multipliers: [1, 2, 4], resBlocks: 2, depths: [0, 2, 10], middleDepth: 10,
                context: 2048, linearProjection: true, labelInputs: 2816))
        let config = try UNetConfig(inferringFromShapes: shapes, origin: "sdxl-shapes")
        #expect(config.channelMultipliers == [1, 2, 4])
        #expect(config.transformerDepth == [0, 2, 10])
        #expect(config.middleTransformerDepth == 10)
        #expect(config.linearProjection)
        #expect(config.labelEmbeddingInputs == 2816)
        #expect(config.attentionHeads == .dimension(64))
        #expect(config.attentionHeads.heads(forChannels: 1280) == 20)
        #expect(config.spatialFactor == 4)
    }

    @Test func labelEmbeddingIsRefusedUntilVectorConditioningExists() throws {
        let parameters = try Self.synthetic(
            .init(
                modelChannels: 32, multipliers: [1, 2], resBlocks: 1, depths: [0, 1], middleDepth: 1, context: 16,
                linearProjection: true, labelInputs: 8))
        #expect {
            _ = try UNetModel(parameters: parameters)
        } throws: { error in
            (error as? ModelError)?.kind == .unsupportedArchitecture
                && (error as? ModelError)?.message.contains("label_emb") == true
        }
    }

    /// An SD2-style UNet (linear `proj_in`, 64 channels per head at a 1024-wide context) builds
    /// and runs; its numbers are checked only for shape and finiteness (no reference here).
    @Test func linearProjectionLayoutRuns() throws {
        let spec = LDMUNetShapes.Spec(
            modelChannels: 64, multipliers: [1, 2], resBlocks: 1, depths: [1, 2], middleDepth: 1, context: 1024,
            linearProjection: true, labelInputs: nil)
        let unet = try UNetModel(parameters: try Self.synthetic(spec))
        #expect(unet.config.attentionHeads == .dimension(64))
        #expect(unet.config.transformerDepth == [1, 2])
        let latentValues = SeededRandom(seed: 3, stream: "latents")
        let latents = Tensor(shape: [2, 4, 4, 4], scalars: (0..<128).map { latentValues.unit(at: $0) * 2 - 1 })
        let contextValues = SeededRandom(seed: 3, stream: "context")
        let context = Tensor(shape: [2, 3, 1024], scalars: (0..<6144).map { contextValues.unit(at: $0) * 2 - 1 })
        let output = try unet.predictNoise(
            latents: latents, timesteps: [10, 500.5], context: context, framesPerVideo: 1)
        #expect(output.shape == [2, 4, 4, 4])
        #expect(output.scalars.allSatisfy { $0.isFinite })
        #expect(output.scalars.contains { $0 != 0 })
    }

    // MARK: - Errors

    @Test func refusesWeightsThatAreNotAnLDMUNet() throws {
        let vae = try Self.synthetic(["encoder.conv_in.weight": [32, 3, 3, 3]])
        #expect {
            _ = try UNetModel(parameters: vae)
        } throws: { ($0 as? ModelError)?.kind == .unsupportedArchitecture }
        let diffusers = try Self.synthetic([
            "conv_in.weight": [32, 4, 3, 3], "down_blocks.0.resnets.0.conv1.weight": [32, 32, 3, 3],
        ])
        #expect {
            _ = try UNetModel(parameters: diffusers)
        } throws: { error in
            (error as? ModelError)?.kind == .unsupportedArchitecture
                && (error as? ModelError)?.message.contains("diffusers") == true
        }
    }

    @Test func namesAWrongShapedTensor() throws {
        let tiny = try UNetFixtures.unetParameters()
        let name = "output_blocks.4.1.transformer_blocks.0.attn2.to_k.weight"
        let wrong = tiny.replacing([name: StoredTensor(Tensor(zeros: [64, 48]))])
        #expect {
            _ = try UNetModel(parameters: wrong)
        } throws: { error in
            (error as? ModelError)?.kind == .weightShape && (error as? ModelError)?.message.contains(name) == true
        }
    }

    @Test func namesAMissingTensor() throws {
        let tiny = try UNetFixtures.unetParameters()
        let name = "output_blocks.8.2.conv.weight"
        let missing = ModelParameters(entries: tiny.entries.filter { $0.key != name }, origin: tiny.origin)
        #expect {
            _ = try UNetModel(parameters: missing)
        } throws: { error in
            (error as? ModelError)?.kind == .missingWeight && (error as? ModelError)?.message.contains(name) == true
        }
    }

    @Test func rejectsInconsistentInputs() throws {
        let unet = try UNetModel(parameters: try UNetFixtures.unetParameters())
        let latents = Tensor(zeros: [4, 8, 8, 4])
        let context = Tensor(zeros: [4, 77, 32])
        let cases: [(String, () throws -> Tensor)] = [
            (
                "frames",
                {
                    try unet.predictNoise(
                        latents: latents, timesteps: [1, 1, 1, 1], context: context, framesPerVideo: 3)
                }
            ),
            (
                "size",
                {
                    try unet.predictNoise(
                        latents: Tensor(zeros: [4, 12, 8, 4]), timesteps: [1, 1, 1, 1], context: context,
                        framesPerVideo: 1)
                }
            ),
            (
                "channels",
                {
                    try unet.predictNoise(
                        latents: Tensor(zeros: [4, 8, 8, 3]), timesteps: [1, 1, 1, 1], context: context,
                        framesPerVideo: 1)
                }
            ),
            (
                "timesteps",
                { try unet.predictNoise(latents: latents, timesteps: [1, 1], context: context, framesPerVideo: 1) }
            ),
            (
                "nan",
                {
                    try unet.predictNoise(
                        latents: latents, timesteps: [1, .nan, 1, 1], context: context, framesPerVideo: 1)
                }
            ),
            (
                "context",
                {
                    try unet.predictNoise(
                        latents: latents, timesteps: [1, 1, 1, 1], context: Tensor(zeros: [4, 77, 16]),
                        framesPerVideo: 1)
                }
            ),
        ]
        for (label, call) in cases {
            #expect("\(label)") {
                _ = try call()
            } throws: { ($0 as? ModelError)?.kind == .invalidInput }
        }
    }

    // MARK: - Helpers

    /// Parameters with the given shapes and small deterministic values.
    static func synthetic(_ spec: LDMUNetShapes.Spec) throws -> ModelParameters {
        try synthetic(LDMUNetShapes.make(spec))
    }

    static func synthetic(_ shapes: [String: [Int]]) throws -> ModelParameters {
        var entries: [String: StoredTensor] = [:]
        for (name, shape) in shapes {
            let random = SeededRandom(seed: 11, stream: name)
            let count = shape.reduce(1, *)
            let fanIn = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
            let bound = 1 / Float(fanIn).squareRoot()
            // Rank-1 weights are norm scales: 1, as PyTorch initialises them.
            let values: [Float] =
                shape.count == 1 && name.hasSuffix(".weight")
                ? Array(repeating: 1, count: count)
                : (0..<count).map { (random.unit(at: $0) * 2 - 1) * bound }
            entries[name] = StoredTensor(Tensor(shape: shape, scalars: values))
        }
        return ModelParameters(entries: entries, origin: "synthetic")
    }
}
