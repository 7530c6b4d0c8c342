import ADiffTensor

/// A tensor as a model file stores it: element type, shape and little-endian bytes.
///
/// Models keep weights in this form (an fp16 checkpoint stays fp16 in memory) and widen them
/// to `Float32` per layer with ``widened()``.
public struct StoredTensor: Sendable, Equatable {
    /// Element type of ``bytes``.
    public let dtype: DType
    /// Extent of each dimension, outermost first.
    public let shape: [Int]
    /// The elements, row-major, little-endian.
    public let bytes: [UInt8]

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Wraps raw bytes, checking that their length is `dtype.byteSize × elementCount`.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) throws {
        var elements = 1
        for extent in shape {
            guard extent >= 0 else { throw WeightsError(.invalidArgument, "negative extent in shape \(shape)") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw WeightsError(.invalidArgument, "shape \(shape) overflows") }
            elements = product
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteCount == bytes.count else {
            throw WeightsError(
                .invalidArgument,
                "\(bytes.count) bytes do not hold shape \(shape) of \(dtype.rawValue)"
            )
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Stores a `Float32` tensor exactly.
    public init(_ tensor: Tensor) {
        dtype = .float32
        shape = tensor.shape
        bytes = tensor.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
    }

    /// The elements widened to a `Float32` tensor (exact for every floating dtype).
    ///
    /// - Throws: ``WeightsError`` `.invalidArgument` for integer dtypes.
    public func widened() throws -> Tensor {
        var tensor = Tensor(uninitialized: shape)
        do {
            try bytes.withUnsafeBytes { source in
                try tensor.withUnsafeMutableBufferPointer { try DTypeConversion.widen(source, dtype: dtype, into: $0) }
            }
        } catch let error as TensorError {
            throw WeightsError(.invalidArgument, error.message)
        }
        return tensor
    }
}
