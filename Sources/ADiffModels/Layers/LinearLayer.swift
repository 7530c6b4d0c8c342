import ADiffTensor
import ADiffWeights

/// A linear layer whose weights stay stored (fp16 stays fp16) and are widened when it runs;
/// in bf16 mode their bf16 copy is kept instead of converted per call.
///
/// Also takes a 1×1 convolution's `[out, in, 1, 1]` weight, which SD1.5 uses for the
/// transformer's `proj_in` / `proj_out`: on channels-last activations it is the same GEMM.
public struct LinearLayer: Sendable {
    /// `[out, in]` (or `[out, in, 1, 1]`) as stored.
    public let weight: StoredTensor
    /// `[out]`, if the layer has a bias.
    public let bias: StoredTensor?
    /// Output features.
    public let outputFeatures: Int
    /// Input features.
    public let inputFeatures: Int
    /// The weight's bf16 copy, kept for the life of the layer (filled only in bf16 mode).
    public let bfloat16Weight = BFloat16Weights()

    /// The layer `scope` describes (`weight`, optional `bias`).
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` when the weight is neither
    ///   `[out, in]` nor `[out, in, 1, 1]` or the bias length differs.
    public init(_ scope: ParameterScope) throws {
        let weight = try scope.stored("weight")
        let shape = weight.shape
        guard shape.count == 2 || (shape.count == 4 && shape[2] == 1 && shape[3] == 1) else {
            throw ModelError(
                .weightShape, "\(scope.parameters.origin): '\(scope.key("weight"))' has shape \(shape), expected [out, in]")
        }
        let bias = scope.contains("bias") ? try scope.stored("bias") : nil
        if let bias, bias.elementCount != shape[0] {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key("bias"))' has \(bias.elementCount) elements for \(shape[0]) outputs")
        }
        self.weight = weight
        self.bias = bias
        outputFeatures = shape[0]
        inputFeatures = shape[1]
    }

    /// The widened kernel-level layer, for callers that apply it several times in a row.
    public func widened() throws -> Linear {
        try Linear(
            weight: try weight.widened().reshaped([outputFeatures, inputFeatures]),
            bias: try bias?.widened().reshaped([outputFeatures]), bfloat16Weight: bfloat16Weight)
    }

    /// Applies the layer to the last dimension of `input`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try widened()(input)
    }
}
