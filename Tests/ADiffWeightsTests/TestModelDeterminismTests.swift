import ADiffTensor
import Foundation
import Testing

@testable import ADiffWeights

@Suite struct TestModelDeterminismTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adiff-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func sameSeedGivesIdenticalFilesAndAnotherSeedDifferentOnes() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ModelFolderMaker.make(in: root.path + "/a", .init(preset: .tiny, seed: 3))
        let second = try ModelFolderMaker.make(in: root.path + "/b", .init(preset: .tiny, seed: 3))
        let other = try ModelFolderMaker.make(in: root.path + "/c", .init(preset: .tiny, seed: 4))
        let names = first.map { String($0.dropFirst(root.path.count + 3)) }
        #expect(
            names == [
                "Stable-diffusion/tiny-sd15.safetensors",
                "AnimateDiff/tiny-mm-v1.safetensors", "AnimateDiff/tiny-mm-v2.safetensors",
                "AnimateDiff/tiny-mm-v3.safetensors",
                "AnimateDiff/tiny-mm-lcm.safetensors", "AnimateDiff/tiny-mm-hotshot.safetensors",
                "Lora/tiny-lora.safetensors", "Lora/tiny-v2-motion-lora.safetensors",
                "Lora/tiny-v3-adapter.safetensors",
                "embeddings/tiny-embedding.safetensors", "embeddings/tiny-embedding-a1111.pt",
            ])
        for index in first.indices {
            let a = try contents(first[index])
            #expect(a == (try contents(second[index])), "\(names[index])")
            let c = try contents(other[index])
            #expect(a.count == c.count, "\(names[index])")
            #expect(a != c, "\(names[index])")
        }
        // Same tensor names in different files still get different weights.
        let v1 = try ParsedSafeTensors(contents(first[1]))
        let v3 = try ParsedSafeTensors(contents(first[3]))
        let shared = "down_blocks.0.motion_modules.0.temporal_transformer.proj_in.weight"
        #expect(v1.bytes(of: shared) != v3.bytes(of: shared))
    }

    @Test func onlyRandomTensorsDependOnTheSeed() throws {
        let recipes = try MotionModuleLayout.recipes(
            .matching(SD15CheckpointConfig.tiny().unet, version: .v1, dtype: .float16))
        for recipe in recipes {
            let a = try recipe.bytes(seed: 1)
            let b = try recipe.bytes(seed: 2)
            switch recipe.fill {
            case .uniform, .normal: #expect(a != b, "\(recipe.name)")
            default: #expect(a == b, "\(recipe.name)")
            }
        }
    }

    @Test func streamedFileEqualsInMemorySerialization() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let config = KohyaLoRAConfig(
            unet: SD15CheckpointConfig.tiny().unet, textEncoder: SD15CheckpointConfig.tiny().textEncoder, rank: 2,
            alpha: 1, convolutionRank: 2, dtype: .bfloat16, outputName: "t")
        let recipes = try KohyaLoRALayout.recipes(config)
        let path = root.path + "/t.safetensors"
        try TestModelWriter.write(recipes, metadata: KohyaLoRALayout.metadata(config), seed: 9, to: path)
        #expect(
            try contents(path)
                == (try TestModelWriter.serialize(recipes, metadata: KohyaLoRALayout.metadata(config), seed: 9)))
        let parsed = try ParsedSafeTensors(contents(path))
        #expect(parsed.metadata["ss_network_args"] == #"{"conv_dim": "2", "conv_alpha": "1"}"#)
        #expect(parsed.tensors.values.allSatisfy { $0.dtype == "BF16" })
    }
}
