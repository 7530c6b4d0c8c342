/// Checks that the layers a UNet block reads have the shapes the inferred architecture needs,
/// so a mismatched checkpoint fails when it is loaded, naming the tensor, instead of deep
/// inside a forward pass.
enum UNetShapeCheck {
    /// A convolution `[output, input, kernel, kernel]`.
    static func conv(_ layer: Conv2dLayer, _ scope: ParameterScope, input: Int, output: Int, kernel: Int) throws {
        try expect(layer.weight.shape, [output, input, kernel, kernel], scope.key("weight"), scope)
    }

    /// A linear layer (or 1×1 convolution) from `input` to `output` features.
    static func linear(_ layer: LinearLayer, _ scope: ParameterScope, input: Int, output: Int) throws {
        try expect([layer.outputFeatures, layer.inputFeatures], [output, input], scope.key("weight"), scope)
    }

    /// A norm over `channels`, with a bias of the same length when present.
    static func norm(_ layer: NormLayer, _ scope: ParameterScope, channels: Int) throws {
        try expect([layer.channels], [channels], scope.key("weight"), scope)
        if let bias = layer.bias { try expect([bias.elementCount], [channels], scope.key("bias"), scope) }
    }

    private static func expect(_ actual: [Int], _ expected: [Int], _ name: String, _ scope: ParameterScope) throws {
        guard actual == expected else {
            throw ModelError(
                .weightShape, "\(scope.parameters.origin): '\(name)' has shape \(actual), expected \(expected)")
        }
    }
}
