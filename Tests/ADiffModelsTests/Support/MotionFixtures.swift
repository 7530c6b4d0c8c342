import ADiffModels
import ADiffTensor
import ADiffWeights
import Foundation

/// The tiny motion-module files regenerated in-process, and the golden outputs written by
/// scripts/fixtures/make_motion_fixtures.py (Tests/Fixtures/Models/Motion/).
enum MotionFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Models/Motion")

    /// The seed the fixture script passes to `adiff-make-models`.
    static let seed: UInt64 = 0

    /// The maker's `AnimateDiff/tiny-mm-<family>.safetensors` (family: v1, v2, v3, lcm,
    /// hotshot) as parameters, exactly the bytes `adiff-make-models --preset tiny` writes.
    static func tinyFile(_ family: String, dtype: DType = .float32) throws -> ModelParameters {
        let options = ModelFolderMaker.Options(preset: .tiny, dtype: dtype, seed: seed, components: [.motion])
        let path = "AnimateDiff/tiny-mm-\(family).safetensors"
        guard let file = try ModelFolderMaker.plan(options).first(where: { $0.relativePath == path }) else {
            throw ModelError(.missingWeight, "the maker plans no \(path)")
        }
        return try parameters(file.recipes, seed: file.seed, origin: path)
    }

    /// Parameters holding `recipes` drawn with `seed`.
    static func parameters(_ recipes: [TensorRecipe], seed: UInt64, origin: String) throws -> ModelParameters {
        var entries: [String: StoredTensor] = [:]
        for recipe in recipes {
            entries[recipe.name] = try StoredTensor(
                dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: seed))
        }
        return ModelParameters(entries: entries, origin: origin)
    }

    /// The same tensors widened to F32 (exactly: every stored float is a Float32 value).
    static func widened(_ parameters: ModelParameters) throws -> ModelParameters {
        ModelParameters(
            entries: try parameters.entries.mapValues { StoredTensor(try $0.widened()) }, origin: parameters.origin)
    }

    /// Every norm's affine parameters replaced as the fixture script does: weight
    /// `1 + ((37c mod 17) − 8)/32`, bias `((11c mod 13) − 6)/64`, in the norm's dtype.
    static func withNormAffine(_ parameters: ModelParameters) throws -> ModelParameters {
        var overrides: [String: StoredTensor] = [:]
        for (name, tensor) in parameters.entries
        where name.hasSuffix("norm.weight") || (name.contains(".norms.") && name.hasSuffix(".weight")) {
            let count = tensor.elementCount
            let weight = (0..<count).map { Float(1 + Double((($0 * 37) % 17) - 8) / 32) }
            let bias = (0..<count).map { Float(Double((($0 * 11) % 13) - 6) / 64) }
            overrides[name] = try narrowed(Tensor(shape: [count], scalars: weight), like: tensor)
            overrides[String(name.dropLast("weight".count)) + "bias"] = try narrowed(
                Tensor(shape: [count], scalars: bias), like: tensor)
        }
        return parameters.replacing(overrides)
    }

    private static func narrowed(_ tensor: Tensor, like stored: StoredTensor) throws -> StoredTensor {
        try StoredTensor(
            dtype: stored.dtype, shape: tensor.shape, bytes: Narrowing.bytes(of: tensor.scalars, as: stored.dtype))
    }

    /// The fixture script's input: `((i + salt)·2654435761 mod 2³² mod 2²²)/2²¹ − 1 + (c mod 5)/2
    /// − 1 + (row mod 3)/2`, every term exact in Float32.
    static func input(shape: [Int], salt: Int) -> Tensor {
        let count = shape.reduce(1, *)
        let channels = shape[shape.count - 1]
        let perRow = count / shape[0]
        let values = (0..<count).map { index -> Float in
            let hash = (UInt64(index + salt) &* 2_654_435_761) & 0xFFFF_FFFF
            let uniform = Double(hash % (1 << 22)) / Double(1 << 21) - 1
            let channelOffset = Double(index % channels % 5) / 2 - 1
            let frameOffset = Double(index / perRow % 3) / 2
            return Float(uniform + channelOffset + frameOffset)
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// The golden-output file.
    static func goldenFile() throws -> any WeightFile {
        try WeightFiles.open(directory.appendingPathComponent("motion_modules.safetensors").path)
    }

    /// A JSON object of the golden file's metadata.
    static func metadataObject(_ file: any WeightFile, _ key: String) throws -> [String: Any] {
        guard let text = file.metadata[key], let data = text.data(using: .utf8),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ModelError(.missingWeight, "fixture metadata '\(key)' missing or not a JSON object") }
        return object
    }

    /// max|a − b| / max|reference|.
    static func relativeError(_ value: Tensor, _ reference: Tensor) -> Float {
        let a = value.scalars
        let b = reference.scalars
        guard a.count == b.count, !b.isEmpty else { return .infinity }
        var difference: Float = 0
        var scale: Float = 0
        for index in 0..<a.count {
            difference = max(difference, abs(a[index] - b[index]))
            scale = max(scale, abs(b[index]))
        }
        return difference / scale
    }

    /// Rows `range` of a `[N, …]` tensor.
    static func rows(_ tensor: Tensor, _ range: Range<Int>) throws -> Tensor {
        try tensor.batchSlice(range)
    }
}
