/// A textual-inversion embedding as kohya's sd-scripts save it: a safetensors file with one
/// tensor `emb_params [n, width]` (A1111's "dict with exactly one tensor" case).
public enum TextualInversionLayout {
    /// Recipes for the embedding file. Vectors are drawn like the token-embedding rows they
    /// stand in for.
    public static func recipes(_ config: TextualInversionConfig) throws -> [TensorRecipe] {
        try config.validate()
        return [TensorRecipe(name: "emb_params", shape: [config.vectors, config.width], dtype: config.dtype, fill: .normal(standardDeviation: 1))]
    }
}
