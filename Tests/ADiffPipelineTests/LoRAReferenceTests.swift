import ADiffModels
import ADiffTensor
import ADiffWeights
import Foundation
import Testing

@testable import ADiffPipeline

/// Merges of the maker's tiny fp32 files (seed 0) against scripts/fixtures/make_lora_fixtures.py,
/// which maps names and applies the A1111 formula on its own.
@Suite struct LoRAReferenceTests {
    private struct Fixture: Decodable {
        struct Entry: Decodable {
            let shape: [Int]
            let prefix: [Float]
            let sum: Double
            let sumAbs: Double
        }

        let multipliers: [String: Float]
        let tensors: [String: Entry]
    }

    private func load() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Pipeline/lora_merge.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// The maker's files for `tiny --dtype fp32 --seed 0`, materialised in memory.
    private func files() throws -> [String: [String: StoredTensor]] {
        let plan = try ModelFolderMaker.plan(
            .init(preset: .tiny, dtype: .float32, seed: 0, components: [.checkpoint, .lora, .motion]))
        var result: [String: [String: StoredTensor]] = [:]
        for file in plan where !file.relativePath.contains("mm-") || file.relativePath.hasSuffix("mm-v2.safetensors") {
            result[file.relativePath] = try TinyModelTensors.tensors(file.recipes, seed: file.seed)
        }
        return result
    }

    @Test func mergedTensorsMatchThePythonReference() throws {
        let fixture = try load()
        let files = try files()
        let checkpoint = ModelParameters(entries: files["Stable-diffusion/tiny-sd15.safetensors"]!, origin: "ckpt")
        let motion = ModelParameters(entries: files["AnimateDiff/tiny-mm-v2.safetensors"]!, origin: "mm")
        let targets = [
            LoRATarget.unet(checkpoint, keyPrefix: "model.diffusion_model."),
            LoRATarget.textEncoder(checkpoint, keyPrefix: "cond_stage_model.transformer."),
            LoRATarget.motionModule(motion),
        ]
        func network(_ path: String) throws -> LoRANetwork {
            try LoRANetwork(name: path, identity: path, tensors: files[path]!)
        }
        let m = fixture.multipliers
        let image = try LoRAMerger.merge(
            [
                LoRAApplication(
                    network: try network("Lora/tiny-lora.safetensors"), textEncoderMultiplier: m["te"]!,
                    unetMultiplier: m["unet"]!)
            ],
            into: targets)
        let motionResult = try LoRAMerger.merge(
            [
                LoRAApplication(
                    network: try network("Lora/tiny-v2-motion-lora.safetensors"), textEncoderMultiplier: 1,
                    unetMultiplier: m["motion"]!)
            ],
            into: targets)
        let adapter = try LoRAMerger.merge(
            [
                LoRAApplication(
                    network: try network("Lora/tiny-v3-adapter.safetensors"), textEncoderMultiplier: 1,
                    unetMultiplier: m["adapter"]!)
            ],
            into: targets)
        #expect(image.report.networks[0].unmatchedKeys.isEmpty)
        var worst: Float = 0
        for (name, expected) in fixture.tensors {
            let merged: StoredTensor?
            if name.hasPrefix("motion:") {
                merged = motionResult.overlays[.motionModule]?[String(name.dropFirst("motion:".count))]
            } else if name.hasSuffix("#adapter") {
                merged = adapter.overlays[.unet]?[String(name.dropLast("#adapter".count))]
            } else {
                merged = image.overlays[.unet]?[name] ?? image.overlays[.textEncoder]?[name]
            }
            let values = try #require(merged, "\(name) was not merged").widened().scalars
            #expect(merged?.shape == expected.shape)
            let error = PipelineFixture.relativeError(Array(values.prefix(expected.prefix.count)), expected.prefix)
            let sum = values.reduce(0.0) { $0 + Double($1) }
            let sumAbs = values.reduce(0.0) { $0 + abs(Double($1)) }
            #expect(error <= 1e-6, "\(name)")
            #expect(abs(sum - expected.sum) <= 1e-5 * expected.sumAbs, "\(name)")
            #expect(abs(sumAbs - expected.sumAbs) <= 1e-5 * expected.sumAbs, "\(name)")
            worst = max(worst, error)
        }
        print("LoRA merge vs Python reference: max relative error \(worst) over \(fixture.tensors.count) tensors")
    }
}
