import ADiffTensor

/// The UNet's timestep embedding: ldm's `timestep_embedding(t, model_channels)` (sinusoidal,
/// cosines first — diffusers' `flip_sin_to_cos=True`, shift 0), then `time_embed`:
/// Linear → SiLU → Linear.
///
/// Timesteps are Floats: k-diffusion samplers hand the UNet fractional timesteps
/// (a1111-compat.md §4.2), and the sinusoid takes them as they are.
public struct UNetTimeEmbedding: Sendable {
    /// `time_embed.0`.
    public let first: LinearLayer
    /// `time_embed.2`.
    public let second: LinearLayer

    /// The MLP under `scope` (`time_embed`) from `modelChannels` to `dimension` features.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` / `.weightShape`.
    public init(_ scope: ParameterScope, modelChannels: Int, dimension: Int) throws {
        first = try LinearLayer(scope["0"])
        second = try LinearLayer(scope["2"])
        try UNetShapeCheck.linear(first, scope["0"], input: modelChannels, output: dimension)
        try UNetShapeCheck.linear(second, scope["2"], input: dimension, output: dimension)
    }

    /// `[timesteps.count, dimension]` embeddings.
    public func callAsFunction(_ timesteps: [Float]) throws -> Tensor {
        var h = try first(try TimestepEmbedding.sinusoidal(timesteps, dimension: first.inputFeatures))
        Activation.silu.apply(inPlace: &h)
        return try second(h)
    }
}
