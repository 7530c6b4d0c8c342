import ADiffTensor

/// One pre-LayerNorm block of the CLIP text transformer (`encoder.layers.N`): causal
/// multi-head self-attention and a QuickGELU MLP, each added to the residual stream.
struct CLIPEncoderLayer: Sendable {
    let norm1: NormLayer
    let query: LinearLayer
    let key: LinearLayer
    let value: LinearLayer
    let output: LinearLayer
    let norm2: NormLayer
    let fc1: LinearLayer
    let fc2: LinearLayer
    let heads: Int

    /// The layer under `scope` (`self_attn.{q,k,v,out}_proj`, `layer_norm1/2`, `mlp.fc1/fc2`).
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` when a projection is not
    ///   `width` wide or the MLP's two halves disagree.
    init(_ scope: ParameterScope, width: Int, heads: Int) throws {
        let attention = scope["self_attn"]
        norm1 = try NormLayer(scope["layer_norm1"], kind: .layer, epsilon: 1e-5)
        query = try LinearLayer(attention["q_proj"])
        key = try LinearLayer(attention["k_proj"])
        value = try LinearLayer(attention["v_proj"])
        output = try LinearLayer(attention["out_proj"])
        norm2 = try NormLayer(scope["layer_norm2"], kind: .layer, epsilon: 1e-5)
        fc1 = try LinearLayer(scope["mlp"]["fc1"])
        fc2 = try LinearLayer(scope["mlp"]["fc2"])
        self.heads = heads
        for (name, layer) in [("q_proj", query), ("k_proj", key), ("v_proj", value), ("out_proj", output)]
        where layer.inputFeatures != width || layer.outputFeatures != width {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key("self_attn.\(name).weight"))' is not [\(width), \(width)]")
        }
        guard fc1.inputFeatures == width, fc2.outputFeatures == width, fc2.inputFeatures == fc1.outputFeatures else {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key("mlp"))' fc1 \(fc1.outputFeatures)×\(fc1.inputFeatures)"
                    + " and fc2 \(fc2.outputFeatures)×\(fc2.inputFeatures) do not fit width \(width)")
        }
        for (name, norm) in [("layer_norm1", norm1), ("layer_norm2", norm2)] where norm.channels != width {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key(name))' has \(norm.channels) channels, not \(width)")
        }
    }

    /// Applies the block to `hidden` (`[B, T, width]`).
    func callAsFunction(_ hidden: Tensor) throws -> Tensor {
        var x = hidden
        let normed = try norm1(x)
        let attended = try Attention.scaledDotProduct(
            query: try query(normed), key: try key(normed), value: try value(normed), heads: heads, causal: true)
        try Elementwise.addInPlace(try output(attended), to: &x)
        var inner = try fc1(try norm2(x))
        Activation.quickGELU.apply(inPlace: &inner)
        try Elementwise.addInPlace(try fc2(inner), to: &x)
        return x
    }
}
