import ADiffModels
import ADiffTensor
import ADiffWeights
import Foundation

/// The tiny test checkpoint regenerated in-process, and the golden files of
/// `Tests/Fixtures/Models` (made by scripts/fixtures/make_clip_fixtures.py and
/// make_vae_fixtures.py from the same checkpoint: `--preset tiny --dtype fp32 --seed 1`).
enum ModelFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Models")

    /// The seed the fixture scripts pass to `adiff-make-models`.
    static let seed: UInt64 = 1

    /// The maker's plan for the tiny F32 folder.
    private static func plannedFile(_ relativePath: String) throws -> ModelFolderMaker.PlannedFile {
        let plan = try ModelFolderMaker.plan(
            ModelFolderMaker.Options(preset: .tiny, dtype: .float32, seed: seed, components: [.checkpoint, .embedding]))
        guard let file = plan.first(where: { $0.relativePath == relativePath }) else {
            throw ModelError(.missingWeight, "the tiny plan has no \(relativePath)")
        }
        return file
    }

    /// The tiny checkpoint's tensors under `prefix`, with the prefix removed, generated exactly as
    /// the maker writes them.
    static func checkpointParameters(prefix: String) throws -> ModelParameters {
        let file = try plannedFile("Stable-diffusion/tiny-sd15.safetensors")
        var entries: [String: StoredTensor] = [:]
        for recipe in file.recipes where recipe.name.hasPrefix(prefix) {
            entries[String(recipe.name.dropFirst(prefix.count))] = try StoredTensor(
                dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: file.seed))
        }
        return ModelParameters(entries: entries, origin: "tiny-sd15 (generated)")
    }

    /// The tiny kohya-style embedding's vectors (`emb_params`).
    static func embeddingVectors() throws -> Tensor {
        let file = try plannedFile("embeddings/tiny-embedding.safetensors")
        let recipe = file.recipes[0]
        return try StoredTensor(dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: file.seed))
            .widened()
    }

    /// An opened golden file.
    static func open(_ relativePath: String) throws -> any WeightFile {
        try WeightFiles.open(directory.appendingPathComponent(relativePath).path)
    }

    /// Tensor `name` of a golden file, widened.
    static func tensor(_ file: any WeightFile, _ name: String) throws -> Tensor {
        try file.load(name).widened()
    }

    /// The `override.<name>` tensors of a golden file, keyed by `<name>`: the randomised norm
    /// affines the scripts put in place of the maker's 1 and 0.
    static func overrides(_ file: any WeightFile) throws -> [String: StoredTensor] {
        var result: [String: StoredTensor] = [:]
        for name in file.tensorNames where name.hasPrefix("override.") {
            result[String(name.dropFirst("override.".count))] = try file.load(name)
        }
        return result
    }

    /// max|a − b| / max|reference|.
    static func relativeError(_ value: Tensor, _ reference: Tensor) -> Float {
        guard value.shape == reference.shape else { return .infinity }
        let a = value.scalars
        let b = reference.scalars
        var difference: Float = 0
        var scale: Float = 0
        for index in a.indices {
            difference = max(difference, abs(a[index] - b[index]))
            scale = max(scale, abs(b[index]))
        }
        return scale > 0 ? difference / scale : difference
    }

    /// One case of the CLIP golden file's "cases" metadata.
    struct CLIPCase: Decodable {
        struct Network: Decodable {
            let name: String
            let te: Double
            let unet: Double
        }
        let name: String
        let texts: [String]
        let clipSkip: Int
        let emphasis: String
        let commaBackoff: Int
        let positionIDs: [Float]?
        let strippedFrom: String?
        let networks: [Network]?
    }

    static func clipCases(_ file: any WeightFile) throws -> [CLIPCase] {
        try JSONDecoder().decode([CLIPCase].self, from: Data((file.metadata["cases"] ?? "[]").utf8))
    }
}
