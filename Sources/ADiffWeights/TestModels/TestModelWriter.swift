/// Writes generated models: materialises each recipe's values from the seed one tensor at a
/// time and streams them into an atomic safetensors file.
public enum TestModelWriter {
    /// Writes `recipes` to `path`.
    ///
    /// - Throws: ``WeightsError`` from the writer (names, I/O) or from a recipe (dtype).
    public static func write(_ recipes: [TensorRecipe], metadata: [String: String] = [:], seed: UInt64, to path: String)
        throws
    {
        var byName: [String: TensorRecipe] = [:]
        for recipe in recipes { byName[recipe.name] = recipe }
        let entries = recipes.map { SafeTensorsWriter.Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
        try SafeTensorsWriter.write(entries: entries, metadata: metadata, to: path) { entry in
            // The writer rejects duplicate names before asking for data, so every entry resolves.
            guard let recipe = byName[entry.name] else {
                throw WeightsError(.tensorNotFound, "\(path): no recipe for '\(entry.name)'")
            }
            return try recipe.bytes(seed: seed)
        }
    }

    /// The complete file for `recipes` in memory (for small models and tests).
    public static func serialize(_ recipes: [TensorRecipe], metadata: [String: String] = [:], seed: UInt64) throws
        -> [UInt8]
    {
        try SafeTensorsWriter.serialize(
            recipes.map {
                (name: $0.name, tensor: try StoredTensor(dtype: $0.dtype, shape: $0.shape, bytes: $0.bytes(seed: seed)))
            },
            metadata: metadata
        )
    }
}
