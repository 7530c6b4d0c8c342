/// The down/up factor pairs LoRA files store, in their two key spellings.
enum LowRankPair {
    /// Diffusers attention-processor style: `<base>.down.weight [r, in]`, `<base>.up.weight [out, r]`.
    static func diffusersProcessor(_ builder: inout RecipeBuilder, _ base: String, input: Int, output: Int, rank: Int) {
        builder.linear(base + ".down", input: input, output: rank, bias: false)
        builder.linear(base + ".up", input: rank, output: output, bias: false)
    }

    /// kohya style: `<base>.lora_down.weight`, `<base>.lora_up.weight`, `<base>.alpha` (a
    /// scalar). Linear layers get `[r, in]` / `[out, r]`; convolutions get a `k×k` down
    /// `[r, in, k, k]` and a 1×1 up `[out, r, 1, 1]` (LoCon).
    static func kohya(
        _ builder: inout RecipeBuilder, _ base: String, input: Int, output: Int, rank: Int, alpha: Float, kernel: Int?
    ) {
        if let kernel {
            builder.conv(base + ".lora_down", input: input, output: rank, kernel: kernel, bias: false)
            builder.conv(base + ".lora_up", input: rank, output: output, kernel: 1, bias: false)
        } else {
            builder.linear(base + ".lora_down", input: input, output: rank, bias: false)
            builder.linear(base + ".lora_up", input: rank, output: output, bias: false)
        }
        builder.add(base + ".alpha", [], .constant(alpha))
    }
}
