import ADiffTensor

/// Accumulates the recipes of PyTorch-style layers under their state-dict names, with
/// PyTorch's default initialisation scales.
struct RecipeBuilder {
    let dtype: DType
    private(set) var recipes: [TensorRecipe] = []

    init(dtype: DType) { self.dtype = dtype }

    private static func bound(fanIn: Int) -> Float { 1 / Float(max(1, fanIn)).squareRoot() }

    /// `nn.Linear(input, output)`: `weight [output, input]`, `bias [output]`.
    mutating func linear(_ prefix: String, input: Int, output: Int, bias: Bool = true) {
        let bound = Self.bound(fanIn: input)
        add(prefix + ".weight", [output, input], .uniform(bound: bound))
        if bias { add(prefix + ".bias", [output], .uniform(bound: bound)) }
    }

    /// `nn.Conv2d(input, output, kernel)`: `weight [output, input, k, k]`, `bias [output]`.
    mutating func conv(_ prefix: String, input: Int, output: Int, kernel: Int, bias: Bool = true) {
        let bound = Self.bound(fanIn: input * kernel * kernel)
        add(prefix + ".weight", [output, input, kernel, kernel], .uniform(bound: bound))
        if bias { add(prefix + ".bias", [output], .uniform(bound: bound)) }
    }

    /// GroupNorm / LayerNorm: weight 1, bias 0.
    mutating func norm(_ prefix: String, channels: Int) {
        add(prefix + ".weight", [channels], .constant(1))
        add(prefix + ".bias", [channels], .constant(0))
    }

    mutating func add(_ name: String, _ shape: [Int], _ fill: TensorRecipe.Fill, dtype: DType? = nil) {
        recipes.append(TensorRecipe(name: name, shape: shape, dtype: dtype ?? self.dtype, fill: fill))
    }

    mutating func append(contentsOf other: [TensorRecipe]) { recipes += other }
}
