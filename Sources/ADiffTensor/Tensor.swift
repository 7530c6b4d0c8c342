/// A dense, contiguous, row-major `Float32` tensor.
///
/// Activations use channels-last layouts: images are `[N, H, W, C]`, token sequences are
/// `[B, T, C]` (each token a row of `C` floats), so linear layers, 1×1 convolutions and
/// attention are plain GEMMs without transposes. Storage is shared copy-on-write: copying a
/// tensor is O(1), and the first write through a shared copy duplicates the buffer.
public struct Tensor: Sendable {
    /// Extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var _storage: TensorStorage
    /// The shared buffer; read it through ``withUnsafeBufferPointer(_:)``.
    public var storage: TensorStorage { _storage }

    /// Number of elements (the product of ``shape``).
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self._storage = TensorStorage(count: Tensor.elementCount(shape), zeroed: true)
    }

    /// A tensor whose contents the caller will overwrite completely before reading.
    public init(uninitialized shape: [Int]) {
        self.shape = shape
        self._storage = TensorStorage(count: Tensor.elementCount(shape), zeroed: false)
    }

    /// A tensor filled with one value.
    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitialized: shape)
        storage.pointer.update(repeating: value, count: count)
    }

    /// A tensor holding `scalars` in row-major order. `scalars.count` must match `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(Tensor.elementCount(shape) == scalars.count, "shape \(shape) does not hold \(scalars.count) elements")
        self.init(uninitialized: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// A tensor over an existing buffer (no copy). The buffer's count must match `shape`.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(Tensor.elementCount(shape) == storage.count, "shape \(shape) does not match storage of \(storage.count)")
        self.shape = shape
        self._storage = storage
    }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The same elements under another shape with the same element count; shares storage.
    /// One dimension may be -1 and is inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot infer a dimension of \(newShape) from \(count) elements")
            resolved[inferred] = count / known
        }
        return Tensor(shape: resolved, storage: storage)
    }

    /// Calls `body` with the elements for reading.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Calls `body` with the elements for writing, first copying a shared buffer.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Ensures this tensor holds the only reference to its buffer.
    @inlinable
    public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&_storage) { _storage = _storage.copy() }
    }

    /// Element at a multi-dimensional index (bounds-checked; for tests and small lookups).
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            let flat = flatIndex(index)
            makeUnique()
            storage.pointer[flat] = newValue
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) for a rank-\(shape.count) tensor")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) out of range for shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }

    /// Product of the extents, with overflow and negative extents rejected.
    public static func elementCount(_ shape: [Int]) -> Int {
        var total = 1
        for extent in shape {
            precondition(extent >= 0, "negative extent in shape \(shape)")
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "shape \(shape) overflows")
            total = product
        }
        return total
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape and the first few elements.
    public var description: String {
        let head = withUnsafeBufferPointer { Array($0.prefix(6)) }
        return "Tensor(\(shape), \(head)\(count > 6 ? "…" : ""))"
    }
}
