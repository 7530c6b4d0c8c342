import ADiffTensor

/// The autoencoder's residual block (ldm `ResnetBlock` without a time embedding):
/// GroupNorm(32, eps 1e-6) + SiLU → 3×3 conv → GroupNorm + SiLU → 3×3 conv, added to the input,
/// which passes through a 1×1 `nin_shortcut` when the channel count changes.
struct VAEResnetBlock: Sendable {
    let norm1: NormLayer
    let conv1: Conv2dLayer
    let norm2: NormLayer
    let conv2: Conv2dLayer
    let shortcut: Conv2dLayer?

    /// Input channels.
    var inputChannels: Int { conv1.inputChannels }
    /// Output channels.
    var outputChannels: Int { conv2.outputChannels }

    /// The block under `scope` (`norm1`, `conv1`, `norm2`, `conv2`, optional `nin_shortcut`).
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` when the convolutions do not
    ///   chain or a channel change has no shortcut.
    init(_ scope: ParameterScope) throws {
        norm1 = try NormLayer(scope["norm1"], kind: .group(32), epsilon: 1e-6)
        conv1 = try Conv2dLayer(scope["conv1"], padding: 1)
        norm2 = try NormLayer(scope["norm2"], kind: .group(32), epsilon: 1e-6)
        conv2 = try Conv2dLayer(scope["conv2"], padding: 1)
        shortcut = scope["nin_shortcut"].contains("weight") ? try Conv2dLayer(scope["nin_shortcut"], padding: 0) : nil
        let origin = scope.parameters.origin
        guard norm1.channels == conv1.inputChannels, norm2.channels == conv1.outputChannels,
            conv2.inputChannels == conv1.outputChannels
        else {
            throw ModelError(.weightShape, "\(origin): the norms and convolutions of '\(scope.prefix)' do not chain")
        }
        if let shortcut {
            guard shortcut.inputChannels == inputChannels, shortcut.outputChannels == outputChannels else {
                throw ModelError(
                    .weightShape,
                    "\(origin): '\(scope.key("nin_shortcut"))' does not map \(inputChannels)→\(outputChannels)")
            }
        } else if inputChannels != outputChannels {
            throw ModelError(
                .weightShape,
                "\(origin): '\(scope.prefix)' maps \(inputChannels)→\(outputChannels) channels without a nin_shortcut")
        }
    }

    /// Applies the block to `input` (`[N, H, W, inputChannels]`).
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        var hidden = try conv1(try norm1(input, activation: .silu))
        hidden = try conv2(try norm2(hidden, activation: .silu))
        try Elementwise.addInPlace(try shortcut.map { try $0(input) } ?? input, to: &hidden)
        return hidden
    }
}
