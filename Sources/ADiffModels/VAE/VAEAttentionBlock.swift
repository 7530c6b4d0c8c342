import ADiffTensor

/// The autoencoder's mid-block self-attention (ldm `AttnBlock`): GroupNorm(32, eps 1e-6),
/// single-head attention over all pixels with `q`, `k`, `v`, `proj_out`, added to the input.
///
/// The projections are 1×1 convolutions `[C, C, 1, 1]` in ldm files; files converted from
/// diffusers store them as linear `[C, C]`. Both are the same GEMM on channels-last pixels.
struct VAEAttentionBlock: Sendable {
    let norm: NormLayer
    let query: LinearLayer
    let key: LinearLayer
    let value: LinearLayer
    let output: LinearLayer

    /// The block under `scope` (`norm`, `q`, `k`, `v`, `proj_out`).
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` when a projection is not
    ///   `[C, C]` for the norm's C.
    init(_ scope: ParameterScope) throws {
        norm = try NormLayer(scope["norm"], kind: .group(32), epsilon: 1e-6)
        query = try LinearLayer(scope["q"])
        key = try LinearLayer(scope["k"])
        value = try LinearLayer(scope["v"])
        output = try LinearLayer(scope["proj_out"])
        let channels = norm.channels
        for (name, layer) in [("q", query), ("k", key), ("v", value), ("proj_out", output)]
        where layer.inputFeatures != channels || layer.outputFeatures != channels {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key(name)).weight' is not [\(channels), \(channels)]")
        }
    }

    /// Applies the block to `input` (`[N, H, W, C]`).
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let tokens = try norm(input).reshaped([n, h * w, c])
        let attended = try Attention.scaledDotProduct(
            query: try query(tokens), key: try key(tokens), value: try value(tokens), heads: 1)
        var result = try output(attended).reshaped(input.shape)
        try Elementwise.addInPlace(input, to: &result)
        return result
    }
}
