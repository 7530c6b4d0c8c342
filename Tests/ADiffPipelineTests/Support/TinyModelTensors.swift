import ADiffModels
import ADiffTensor
import ADiffWeights

/// Deterministic tiny-model weights made from the maker's recipes in memory (no files), for
/// LoRA tests.
enum TinyModelTensors {
    static let seed: UInt64 = 7

    /// Every tensor of `recipes`, materialised.
    static func tensors(_ recipes: [TensorRecipe], seed: UInt64 = seed) throws -> [String: StoredTensor] {
        var result: [String: StoredTensor] = [:]
        for recipe in recipes {
            result[recipe.name] = try StoredTensor(
                dtype: recipe.dtype, shape: recipe.shape, bytes: recipe.bytes(seed: seed))
        }
        return result
    }

    /// The tiny SD1.5 checkpoint's UNet (keys from the UNet root) and text encoder (keys from
    /// the `CLIPTextModel` root, `text_model.…`).
    static func checkpoint(dtype: DType) throws -> (
        unet: ModelParameters, text: ModelParameters, config: SD15CheckpointConfig
    ) {
        let config = SD15CheckpointConfig.tiny(dtype: dtype)
        let all = try tensors(SD15CheckpointLayout.recipes(config))
        func strip(_ prefix: String) -> [String: StoredTensor] {
            Dictionary(
                uniqueKeysWithValues: all.filter { $0.key.hasPrefix(prefix) }.map {
                    (String($0.key.dropFirst(prefix.count)), $0.value)
                })
        }
        return (
            ModelParameters(entries: strip("model.diffusion_model."), origin: "tiny-unet"),
            ModelParameters(entries: strip("cond_stage_model.transformer."), origin: "tiny-clip"),
            config
        )
    }

    /// A motion module of `version` matching the tiny UNet.
    static func motionModule(_ version: ADiffWeights.MotionModuleVersion, dtype: DType) throws -> (
        ModelParameters, MotionModuleConfig
    ) {
        let config = MotionModuleConfig.matching(
            SD15CheckpointConfig.tiny(dtype: dtype).unet, version: version, dtype: dtype)
        return (
            ModelParameters(entries: try tensors(MotionModuleLayout.recipes(config)), origin: "tiny-mm-\(version)"),
            config
        )
    }

    /// `W + multiplier · scale · up·down` in Double, from the stored tensors.
    static func expectedMerge(
        weight: StoredTensor, up: StoredTensor, down: StoredTensor, scale: Double, multiplier: Double
    ) throws -> [Double] {
        let w = try weight.widened().scalars.map(Double.init)
        let u = try up.widened().scalars.map(Double.init)
        let d = try down.widened().scalars.map(Double.init)
        let outputs = up.shape[0]
        let rank = down.shape[0]
        let columns = d.count / rank
        var result = w
        for o in 0..<outputs {
            for j in 0..<columns {
                var sum = 0.0
                for r in 0..<rank { sum += u[o * rank + r] * d[r * columns + j] }
                result[o * columns + j] += multiplier * scale * sum
            }
        }
        return result
    }

    /// max |a − b| / max |b|.
    static func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs(Double($0) - $1) }.max()! / scale
    }
}
