import ADiffTensor

/// The tensors a PyTorch checkpoint's `data.pkl` describes, as views into named storages.
///
/// Produced by ``parse(pickle:path:)``, which runs the restricted unpickler
/// (``PickleMachine``): only pure data, the allowlisted globals and the tensor rebuild calls
/// are accepted; nothing is ever executed. A top-level `{"state_dict": {...}, ...}` wrapper
/// (as PyTorch Lightning writes) is unwrapped and its scalar siblings become metadata;
/// non-tensor values inside the state dict are skipped.
public struct TorchStateDict: Sendable, Equatable {
    /// One `data/<key>` storage as the persistent id names it.
    public struct Storage: Sendable, Hashable {
        /// Member name under `data/`.
        public let key: String
        /// Element type of a typed storage (`torch.FloatStorage`…); `nil` for `UntypedStorage`.
        public let dtype: DType?
        /// Bytes the storage member must hold (numel × element size).
        public let byteCount: Int
    }

    /// A tensor: a strided view into a storage, in elements of ``dtype``.
    public struct TensorView: Sendable, Equatable {
        /// The storage it views.
        public let storage: Storage
        /// Element type.
        public let dtype: DType
        /// Offset of element [0, 0, …] in elements.
        public let storageOffset: Int
        /// Extents.
        public let shape: [Int]
        /// Element strides, one per dimension.
        public let strides: [Int]

        /// Number of elements.
        public var elementCount: Int { shape.reduce(1, *) }

        /// Whether the elements are one row-major run in the storage (extent-1 dims may have any stride).
        public var isContiguous: Bool {
            var expected = 1
            for (extent, stride) in zip(shape, strides).reversed() where extent != 1 {
                if stride != expected { return false }
                expected *= extent
            }
            return true
        }
    }

    /// Tensor names in pickle order.
    public let names: [String]
    /// Views by name.
    public let tensors: [String: TensorView]
    /// Scalar siblings of a `state_dict` wrapper (`global_step`, `epoch`…) as text.
    public let metadata: [String: String]

    /// Runs the restricted unpickler over `pickle` and extracts the state dict.
    ///
    /// - Throws: ``WeightsError`` `.unsafePickle`, `.corruptPickle`, `.pickleLimitExceeded`,
    ///   `.invalidStorageReference`, `.storageSizeMismatch`, `.invalidTensorArguments` or `.notAStateDict`.
    public static func parse(pickle: [UInt8], path: String = "<memory>") throws -> TorchStateDict {
        var machine = PickleMachine(bytes: pickle, path: path)
        defer { machine.releaseContainers() }
        let root = try machine.run()
        return try extract(root, path: path)
    }

    private static func extract(_ root: PickleValue, path: String) throws -> TorchStateDict {
        guard case .dict(let top) = root else {
            throw WeightsError(.notAStateDict, "\(path): the checkpoint's top-level object is not a dict")
        }
        var stateDict = top
        var metadata: [String: String] = [:]
        if let index = top.stringIndex["state_dict"], case .dict(let inner) = top.values[index] {
            stateDict = inner
            for (key, value) in zip(top.keys, top.values) {
                guard case .string(let name) = key else { continue }
                switch value {
                case .int(let v): metadata[name] = String(v)
                case .float(let v): metadata[name] = String(v)
                case .bool(let v): metadata[name] = String(v)
                case .string(let v): metadata[name] = v
                default: break
                }
            }
        }
        var names: [String] = []
        var tensors: [String: TensorView] = [:]
        for (key, value) in zip(stateDict.keys, stateDict.values) {
            guard case .tensor(let view) = value else { continue }
            guard case .string(let name) = key else {
                throw WeightsError(.notAStateDict, "\(path): a tensor in the state dict has a non-string key")
            }
            names.append(name)
            tensors[name] = view
        }
        guard !names.isEmpty else {
            let keys = top.keys.prefix(8).compactMap { if case .string(let s) = $0 { s } else { nil } }
            throw WeightsError(
                .notAStateDict,
                "\(path): no tensors found (top-level keys: \(keys.joined(separator: ", ")))"
            )
        }
        return TorchStateDict(names: names, tensors: tensors, metadata: metadata)
    }
}
