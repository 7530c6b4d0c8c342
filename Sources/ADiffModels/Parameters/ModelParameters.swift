import ADiffTensor
import ADiffWeights

/// The named weights of one model, kept in their stored precision.
///
/// An fp16 checkpoint stays fp16 in memory; layers widen one tensor at a time when they run
/// (``tensor(_:)``), so resident memory is the file's size, not twice it. The value is
/// immutable: merging a LoRA makes a new value with some entries replaced
/// (``replacing(_:)``), and the base weights are never written, so "restoring" them after a
/// job is dropping the merged value and is bit-exact by construction.
public struct ModelParameters: Sendable {
    /// Tensors by full name.
    public let entries: [String: StoredTensor]
    /// Where the weights came from, for error messages.
    public let origin: String

    /// Wraps already loaded tensors.
    public init(entries: [String: StoredTensor], origin: String) {
        self.entries = entries
        self.origin = origin
    }

    /// Loads every tensor of `file` whose name starts with `prefix`, with the prefix removed,
    /// after `rename` (applied to the name without the prefix; return nil to skip a tensor).
    ///
    /// - Throws: ``WeightsError`` from reading the file.
    public static func load(
        from file: any WeightFile,
        prefix: String = "",
        rename: (String) -> String? = { $0 }
    ) throws -> ModelParameters {
        var entries: [String: StoredTensor] = [:]
        for name in file.tensorNames where name.hasPrefix(prefix) {
            guard let key = rename(String(name.dropFirst(prefix.count))) else { continue }
            entries[key] = try file.load(name)
        }
        return ModelParameters(entries: entries, origin: file.path)
    }

    /// Bytes the stored tensors occupy.
    public var residentBytes: Int { entries.values.reduce(0) { $0 + $1.bytes.count } }

    /// Whether a tensor called `name` exists.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The stored tensor `name`.
    ///
    /// - Throws: ``ModelError`` `.missingWeight` naming the tensor and the origin.
    public func stored(_ name: String) throws -> StoredTensor {
        guard let tensor = entries[name] else {
            throw ModelError(.missingWeight, "\(origin): no tensor '\(name)'")
        }
        return tensor
    }

    /// The shape of `name`, or nil when it is absent.
    public func shape(_ name: String) -> [Int]? { entries[name]?.shape }

    /// Tensor `name` widened to Float32.
    ///
    /// - Throws: ``ModelError`` `.missingWeight`, or `.weightShape` for an integer tensor.
    public func tensor(_ name: String) throws -> Tensor {
        do {
            return try stored(name).widened()
        } catch let error as WeightsError {
            throw ModelError(.weightShape, "\(origin): tensor '\(name)': \(error.message)")
        }
    }

    /// Names that start with `prefix`, sorted.
    public func names(withPrefix prefix: String) -> [String] {
        entries.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// A view of the tensors under `prefix` (a trailing "." is added when missing).
    public func scope(_ prefix: String) -> ParameterScope {
        ParameterScope(parameters: self, prefix: prefix)
    }

    /// The same weights with `overrides` replacing (or adding) entries: how merged LoRA
    /// weights are applied without touching the base.
    public func replacing(_ overrides: [String: StoredTensor]) -> ModelParameters {
        ModelParameters(entries: entries.merging(overrides) { $1 }, origin: origin)
    }
}
