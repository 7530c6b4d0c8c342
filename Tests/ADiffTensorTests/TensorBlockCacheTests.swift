import Testing
@testable import ADiffTensor

/// Large tensor blocks are kept for reuse within a bounded budget.
@Suite struct TensorBlockCacheTests {
    static let large = TensorBlockCache.minimumBytes

    @Test func reusesAFreedBlockOfTheSameSize() {
        let cache = TensorBlockCache(budgetBytes: 4 * Self.large)
        let first = cache.allocate(bytes: Self.large)
        cache.deallocate(first, bytes: Self.large)
        #expect(cache.heldBytes == Self.large)
        let other = cache.allocate(bytes: Self.large + 64)
        let again = cache.allocate(bytes: Self.large)
        #expect(again == first)
        #expect(cache.heldBytes == 0)
        #expect(cache.statistics.hits == 1)
        #expect(cache.statistics.misses == 2)
        cache.deallocate(other, bytes: Self.large + 64)
        cache.deallocate(again, bytes: Self.large)
        cache.releaseAll()
        #expect(cache.heldBytes == 0)
    }

    /// The budget bounds what is held: the oldest blocks go first, and blocks below the
    /// minimum or above the budget are never kept.
    @Test func staysWithinItsBudget() {
        let cache = TensorBlockCache(budgetBytes: 2 * Self.large)
        let blocks = (0..<3).map { _ in cache.allocate(bytes: Self.large) }
        for block in blocks { cache.deallocate(block, bytes: Self.large) }
        #expect(cache.heldBytes == 2 * Self.large)
        #expect(cache.statistics.evictions == 1)
        let reused = [cache.allocate(bytes: Self.large), cache.allocate(bytes: Self.large)]
        #expect(Set(reused) == Set(blocks[1...]))  // blocks[0], the oldest, was dropped

        let small = cache.allocate(bytes: Self.large / 2)
        cache.deallocate(small, bytes: Self.large / 2)
        let huge = cache.allocate(bytes: 3 * Self.large)
        cache.deallocate(huge, bytes: 3 * Self.large)
        #expect(cache.heldBytes == 0)
        for block in reused { cache.deallocate(block, bytes: Self.large) }
        cache.releaseAll()
    }

    /// Tensors use the shared cache, and a reused block still honours `zeros`.
    @Test func tensorsReuseBlocksAndStillZeroThem() {
        let count = TensorBlockCache.minimumBytes / 4 + 17
        var address: UnsafeMutablePointer<Float>?
        do {
            let filled = Tensor(repeating: 3, shape: [count])
            address = filled.storage.pointer
        }
        let zeros = Tensor(zeros: [count])
        // Another test may take the block in between; when this one got it, it must be zeroed.
        if zeros.storage.pointer == address { #expect(zeros.scalars.allSatisfy { $0 == 0 }) }
        #expect(zeros.scalars.allSatisfy { $0 == 0 })
    }
}
