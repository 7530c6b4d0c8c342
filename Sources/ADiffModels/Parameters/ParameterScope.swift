import ADiffTensor
import ADiffWeights

/// The tensors of one sub-module, addressed by their names relative to a prefix, as a
/// PyTorch module addresses its own parameters (`scope["attn1"]["to_q"].tensor("weight")`).
public struct ParameterScope: Sendable {
    /// The whole model's weights.
    public let parameters: ModelParameters
    /// The prefix, empty or ending in ".".
    public let prefix: String

    /// A scope under `prefix` of `parameters`.
    public init(parameters: ModelParameters, prefix: String) {
        self.parameters = parameters
        self.prefix = prefix.isEmpty || prefix.hasSuffix(".") ? prefix : prefix + "."
    }

    /// The child scope `name` (a module attribute or a list index).
    public subscript(_ name: String) -> ParameterScope {
        ParameterScope(parameters: parameters, prefix: prefix + name)
    }

    /// The child scope at list index `index` (`nn.ModuleList` / `nn.Sequential`).
    public subscript(_ index: Int) -> ParameterScope { self[String(index)] }

    /// The full name of parameter `name` in this scope.
    public func key(_ name: String) -> String { prefix + name }

    /// Whether parameter `name` exists in this scope.
    public func contains(_ name: String) -> Bool { parameters.contains(key(name)) }

    /// Whether any tensor lives under this scope.
    public var exists: Bool { parameters.entries.keys.contains { $0.hasPrefix(prefix) } }

    /// The shape of parameter `name`, or nil when it is absent.
    public func shape(_ name: String) -> [Int]? { parameters.shape(key(name)) }

    /// Parameter `name`, stored.
    ///
    /// - Throws: ``ModelError`` `.missingWeight`.
    public func stored(_ name: String) throws -> StoredTensor { try parameters.stored(key(name)) }

    /// Parameter `name` widened to Float32.
    ///
    /// - Throws: ``ModelError`` `.missingWeight`.
    public func tensor(_ name: String) throws -> Tensor { try parameters.tensor(key(name)) }

    /// Parameter `name` widened, or nil when it is absent.
    public func optionalTensor(_ name: String) throws -> Tensor? {
        contains(name) ? try tensor(name) : nil
    }

    /// The shape of `name`, checked to have `rank` dimensions.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` or `.weightShape`.
    public func requireShape(_ name: String, rank: Int) throws -> [Int] {
        guard let shape = shape(name) else {
            throw ModelError(.missingWeight, "\(parameters.origin): no tensor '\(key(name))'")
        }
        guard shape.count == rank else {
            throw ModelError(
                .weightShape, "\(parameters.origin): '\(key(name))' has shape \(shape), expected rank \(rank)")
        }
        return shape
    }
}
