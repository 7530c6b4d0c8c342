import ADiffTensor
import ADiffWeights

/// Reads the vectors of a textual-inversion embedding file in the two layouts the WebUI loads
/// (a1111-compat.md §1.8): kohya / safetensors `emb_params`, and the A1111 `.pt` dictionary
/// whose `string_to_param` holds one tensor (stored as `string_to_param.*`).
public enum TextualInversionFile {
    /// The embedding's vectors, `[n, width]` Float32 (a 1-D tensor is one vector).
    ///
    /// - Throws: ``ModelError`` `.unsupportedArchitecture` for a file with neither layout
    ///   (e.g. an SDXL `clip_l`/`clip_g` pair), `.weightShape` for a tensor of rank > 2.
    public static func vectors(from file: any WeightFile) throws -> Tensor {
        let name =
            file.tensorNames.first { $0 == "emb_params" }
            ?? file.tensorNames.first { $0.hasPrefix("string_to_param.") }
        guard let name else {
            throw ModelError(
                .unsupportedArchitecture,
                "\(file.path): not an SD1 textual-inversion embedding (no 'emb_params' or 'string_to_param' tensor)")
        }
        let tensor = try ModelParameters(entries: [name: try file.load(name)], origin: file.path).tensor(name)
        switch tensor.rank {
        case 1: return tensor.reshaped([1, tensor.count])
        case 2: return tensor
        default:
            throw ModelError(.weightShape, "\(file.path): '\(name)' has shape \(tensor.shape), expected [vectors, width]")
        }
    }
}
