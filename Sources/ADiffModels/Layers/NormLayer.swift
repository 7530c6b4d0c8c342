import ADiffTensor
import ADiffWeights

/// A GroupNorm or LayerNorm with stored affine weights.
public struct NormLayer: Sendable {
    /// Which normalisation, with its group count.
    public enum Kind: Sendable, Equatable {
        /// `nn.GroupNorm(groups, C)`.
        case group(Int)
        /// `nn.LayerNorm(C)`.
        case layer
    }

    /// Which normalisation.
    public let kind: Kind
    /// Per-channel scale, if affine.
    public let weight: StoredTensor?
    /// Per-channel offset, if affine.
    public let bias: StoredTensor?
    /// Added to the variance.
    public let epsilon: Float
    /// Channels normalised.
    public let channels: Int

    /// The norm `scope` describes.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` when `weight` is absent.
    public init(_ scope: ParameterScope, kind: Kind, epsilon: Float) throws {
        let weight = try scope.stored("weight")
        self.kind = kind
        self.weight = weight
        self.bias = scope.contains("bias") ? try scope.stored("bias") : nil
        self.epsilon = epsilon
        channels = weight.elementCount
    }

    /// Normalises `input` (channels last), then applies `activation`.
    ///
    /// - Parameter framesPerGroup: GroupNorm only: consecutive samples that share statistics
    ///   (the v1 motion-module "GroupNorm hack").
    public func callAsFunction(
        _ input: Tensor, framesPerGroup: Int = 1, activation: Activation = .identity
    ) throws -> Tensor {
        let scale = try weight?.widened()
        let offset = try bias?.widened()
        switch kind {
        case .group(let groups):
            return try GroupNorm.apply(
                input, weight: scale, bias: offset, groups: groups, epsilon: epsilon,
                framesPerGroup: framesPerGroup, activation: activation)
        case .layer:
            var output = try LayerNorm.apply(input, weight: scale, bias: offset, epsilon: epsilon)
            if activation != .identity { activation.apply(inPlace: &output) }
            return output
        }
    }
}
