/// A 64-byte aligned, fixed-size block of `Float`s that a ``Tensor`` shares copy-on-write.
///
/// Alignment to a cache line keeps vector loads in the kernels from splitting lines. Large
/// blocks come from and return to ``TensorBlockCache/shared``. The class
/// is `@unchecked Sendable` because it is only written through a ``Tensor`` that holds the
/// sole reference (copy-on-write), so no two threads ever see a write to a shared block.
public final class TensorStorage: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Allocates `count` elements, zero-filled when `zeroed` is true, uninitialised otherwise.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative element count")
        self.count = count
        let raw = TensorBlockCache.shared.allocate(bytes: Self.byteCount(count))
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    /// A new block holding a copy of this one.
    public func copy() -> TensorStorage {
        let other = TensorStorage(count: count, zeroed: false)
        other.pointer.update(from: pointer, count: count)
        return other
    }

    private static func byteCount(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }

    deinit {
        TensorBlockCache.shared.deallocate(UnsafeMutableRawPointer(pointer), bytes: Self.byteCount(count))
    }
}
