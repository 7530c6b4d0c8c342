import ADiffTensor
import ADiffWeights

/// A 2-D convolution on channels-last activations whose weights stay stored and are widened
/// and packed when it runs.
///
/// The Winograd transform of the weights (when the automatic choice takes Winograd) is kept for
/// the life of the layer: it costs more than widening, and at 1280 channels it is redone per
/// call otherwise. Widened fp32 weights are not kept, so a resident fp16 model stays fp16.
public struct Conv2dLayer: Sendable {
    /// `[out, in, kh, kw]` as stored.
    public let weight: StoredTensor
    /// `[out]`, if the layer has a bias.
    public let bias: StoredTensor?
    /// Step between output pixels.
    public let stride: Int
    /// Zero padding on every side.
    public let padding: Int
    /// The Winograd-domain weights, shared by every ``Conv2d`` this layer builds.
    public let winogradWeights = Conv2dWinogradWeights()
    /// The packed weights' bf16 copy, kept for the life of the layer (filled only in bf16 mode).
    public let bfloat16Weights = BFloat16Weights()

    /// Output channels.
    public var outputChannels: Int { weight.shape[0] }
    /// Input channels.
    public var inputChannels: Int { weight.shape[1] }

    /// The convolution `scope` describes, with PyTorch's `stride` and symmetric `padding`.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` or `.weightShape`.
    public init(_ scope: ParameterScope, stride: Int = 1, padding: Int) throws {
        let shape = try scope.requireShape("weight", rank: 4)
        let bias = scope.contains("bias") ? try scope.stored("bias") : nil
        if let bias, bias.elementCount != shape[0] {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key("bias"))' has \(bias.elementCount) elements for \(shape[0]) outputs")
        }
        weight = try scope.stored("weight")
        self.bias = bias
        self.stride = stride
        self.padding = padding
    }

    /// The widened, packed kernel-level convolution.
    public func widened() throws -> Conv2d {
        let weights = try Conv2dWeights(oihw: try weight.widened(), bias: try bias?.widened().reshaped([outputChannels]))
        return try Conv2d(
            weights: weights, stride: stride, padding: Conv2d.Padding(padding), winogradWeights: winogradWeights,
            bfloat16Weights: bfloat16Weights)
    }

    /// Convolves `input` (`[N, H, W, C]`).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try widened()(input)
    }
}
