import ADiffWeights

/// Shape-checked loading of a temporal module's layers, recording which tensors were used so
/// the module can reject tensors it does not know (the extension loads motion modules
/// strictly, so a stray tensor means a file of another architecture).
struct MotionModuleShapes {
    /// Full names of the tensors loaded so far.
    private(set) var used: Set<String> = []

    /// A Linear layer `[output, input]`, with a bias exactly when `bias` is true.
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` naming the tensor, its
    ///   shape and the expected one.
    mutating func linear(_ scope: ParameterScope, input: Int, output: Int, bias: Bool) throws -> LinearLayer {
        let shape = try scope.requireShape("weight", rank: 2)
        guard shape == [output, input] else {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key("weight"))' has shape \(shape), "
                    + "expected [\(output), \(input)]")
        }
        if bias {
            try vector(scope, "bias", count: output)
        } else if scope.contains("bias") {
            throw ModelError(
                .unsupportedArchitecture,
                "\(scope.parameters.origin): unexpected tensor '\(scope.key("bias"))' (this projection has no bias)")
        }
        used.insert(scope.key("weight"))
        return try LinearLayer(scope)
    }

    /// A GroupNorm or LayerNorm with `channels` affine weights and biases.
    mutating func norm(_ scope: ParameterScope, kind: NormLayer.Kind, epsilon: Float, channels: Int) throws -> NormLayer
    {
        try vector(scope, "weight", count: channels)
        try vector(scope, "bias", count: channels)
        return try NormLayer(scope, kind: kind, epsilon: epsilon)
    }

    /// Records an optional positional table `[1, L, channels]` and returns L.
    mutating func positionalTable(_ scope: ParameterScope, channels: Int) throws -> Int? {
        guard let shape = scope.shape("pe") else { return nil }
        guard shape.count == 3, shape[0] == 1, shape[2] == channels else {
            throw ModelError(
                .weightShape,
                "\(scope.parameters.origin): '\(scope.key("pe"))' has shape \(shape), expected [1, L, \(channels)]")
        }
        used.insert(scope.key("pe"))
        return shape[1]
    }

    private mutating func vector(_ scope: ParameterScope, _ name: String, count: Int) throws {
        let shape = try scope.requireShape(name, rank: 1)
        guard shape == [count] else {
            throw ModelError(
                .weightShape, "\(scope.parameters.origin): '\(scope.key(name))' has shape \(shape), expected [\(count)]"
            )
        }
        used.insert(scope.key(name))
    }

    /// The list indices present under `scope` (`attention_blocks.0`, `.1`, … → [0, 1]).
    static func indices(under scope: ParameterScope) -> [Int] {
        var found: Set<Int> = []
        for name in scope.parameters.names(withPrefix: scope.prefix) {
            let rest = name.dropFirst(scope.prefix.count)
            if let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) { found.insert(index) }
        }
        return found.sorted()
    }
}
