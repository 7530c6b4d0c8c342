/// A textual-inversion embedding as kohya's sd-scripts save it: a safetensors file with one
/// tensor `emb_params [n, width]` (A1111's "dict with exactly one tensor" case); or as A1111
/// itself saves it, a `.pt` dict with `string_to_param`.
public enum TextualInversionLayout {
    /// Recipes for the embedding file. Vectors are drawn like the token-embedding rows they
    /// stand in for.
    public static func recipes(_ config: TextualInversionConfig) throws -> [TensorRecipe] {
        try config.validate()
        return [
            TensorRecipe(
                name: "emb_params", shape: [config.vectors, config.width], dtype: config.dtype,
                fill: .normal(standardDeviation: 1))
        ]
    }

    /// A1111's own `.pt` payload (`textual_inversion.py` `Embedding.save`) around `vectors`
    /// `[n, width]`: `{"string_to_token": {"*": 265}, "string_to_param": {"*": vectors},
    /// "name": …, "step": 0, "sd_checkpoint": None, "sd_checkpoint_name": None}`, for
    /// ``TorchZipWriter``.
    public static func a1111Payload(vectors: StoredTensor, name: String) -> TorchPickleValue {
        .dict([
            ("string_to_token", .dict([("*", .int(265))])),
            ("string_to_param", .dict([("*", .tensor(vectors))])),
            ("name", .string(name)),
            ("step", .int(0)),
            ("sd_checkpoint", .none),
            ("sd_checkpoint_name", .none),
        ])
    }
}
