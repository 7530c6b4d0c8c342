import ADiffTensor

/// The autoencoder's middle at the lowest resolution (`mid.block_1`, `mid.attn_1`,
/// `mid.block_2`), shared by the encoder and the decoder.
struct VAEMidBlock: Sendable {
    let first: VAEResnetBlock
    let attention: VAEAttentionBlock
    let second: VAEResnetBlock

    /// Channels in and out.
    var channels: Int { first.inputChannels }

    /// The block under `scope` (the `mid` scope).
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` when the parts' channels differ.
    init(_ scope: ParameterScope) throws {
        first = try VAEResnetBlock(scope["block_1"])
        attention = try VAEAttentionBlock(scope["attn_1"])
        second = try VAEResnetBlock(scope["block_2"])
        let channels = first.inputChannels
        guard first.outputChannels == channels, attention.norm.channels == channels, second.inputChannels == channels,
            second.outputChannels == channels
        else {
            throw ModelError(
                .weightShape, "\(scope.parameters.origin): the parts of '\(scope.prefix)' differ in channels")
        }
    }

    /// Applies the three parts to `input` (`[N, H, W, channels]`).
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try second(try attention(try first(input)))
    }
}
