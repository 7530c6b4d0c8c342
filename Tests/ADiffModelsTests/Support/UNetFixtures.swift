import ADiffModels
import ADiffTensor
import ADiffWeights
import Foundation

/// The tiny random UNet the fixtures of Tests/Fixtures/Models/UNet were made with, and
/// readers for those fixtures (written by scripts/fixtures/make_unet_fixtures.py).
enum UNetFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Models/UNet")

    /// The seed `adiff-make-models --seed` got in the fixture script.
    static let makerSeed: UInt64 = 7
    static let checkpointPrefix = "model.diffusion_model."

    /// The maker's plan for the tiny checkpoint and motion modules, F32.
    static func plan() throws -> [ModelFolderMaker.PlannedFile] {
        try ModelFolderMaker.plan(
            ModelFolderMaker.Options(
                preset: .tiny, dtype: .float32, seed: makerSeed, components: [.checkpoint, .motion]))
    }

    /// The tensors of one planned file whose names start with `prefix`, prefix removed.
    static func tensors(of file: ModelFolderMaker.PlannedFile, prefix: String = "") throws -> [String: StoredTensor] {
        var entries: [String: StoredTensor] = [:]
        for recipe in file.recipes where recipe.name.hasPrefix(prefix) {
            entries[String(recipe.name.dropFirst(prefix.count))] = try StoredTensor(
                dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: file.seed))
        }
        return entries
    }

    /// The regenerated tiny UNet, built once for all tests (8.5 M parameters).
    private static let unetWeights = Result { () throws -> ModelParameters in
        guard let checkpoint = try plan().first(where: { $0.relativePath.hasPrefix("Stable-diffusion/") }) else {
            throw ModelError(.missingWeight, "the maker planned no checkpoint")
        }
        let base = ModelParameters(
            entries: try tensors(of: checkpoint, prefix: checkpointPrefix), origin: checkpoint.relativePath)
        return base.replacing(try storedTensors("unet_norms.safetensors"))
    }

    /// The tiny UNet's weights with the fixture's perturbed norms.
    static func unetParameters() throws -> ModelParameters { try unetWeights.get() }

    /// The regenerated motion module file `tiny-mm-<family>.safetensors`.
    static func motionParameters(_ family: String) throws -> ModelParameters {
        let path = "AnimateDiff/tiny-mm-\(family).safetensors"
        guard let file = try plan().first(where: { $0.relativePath == path }) else {
            throw ModelError(.missingWeight, "the maker planned no \(path)")
        }
        return ModelParameters(entries: try tensors(of: file), origin: path)
    }

    /// Every tensor of a fixture file, stored.
    static func storedTensors(_ name: String) throws -> [String: StoredTensor] {
        let file = try WeightFiles.open(directory.appendingPathComponent(name).path)
        var tensors: [String: StoredTensor] = [:]
        for tensorName in file.tensorNames { tensors[tensorName] = try file.load(tensorName) }
        return tensors
    }

    /// Every tensor of a fixture file, widened.
    static func load(_ name: String) throws -> [String: Tensor] {
        try storedTensors(name).mapValues { try $0.widened() }
    }

    /// max|a − b| / max|reference|.
    static func relativeError(_ a: Tensor, _ reference: Tensor) -> Float {
        guard a.shape == reference.shape else { return .infinity }
        var difference: Float = 0
        var scale: Float = 0
        for (x, y) in zip(a.scalars, reference.scalars) {
            difference = max(difference, abs(x - y))
            scale = max(scale, abs(y))
        }
        return scale > 0 ? difference / scale : difference
    }

    /// `rows` copies of each of the `[videos, T, C]` context's rows, video by video.
    static func repeatRows(_ context: Tensor, times: Int) throws -> Tensor {
        try Concat.batch(
            (0..<context.shape[0]).flatMap { video in
                Array(repeating: try context.batchSlice(video..<video + 1), count: times)
            })
    }
}
