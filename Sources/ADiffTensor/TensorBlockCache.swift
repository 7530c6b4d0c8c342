import Glibc
import Synchronization

/// Freed large tensor blocks kept for reuse by the next tensor of the same size.
///
/// A UNet step allocates and frees the same activation sizes over and over (tens to hundreds
/// of MB each at SD1.5 sizes). glibc serves blocks above 32 MB with a fresh `mmap` every
/// time, so each one is zero-filled by the kernel page by page on first touch: in a bf16
/// step256 profile, page faults and `clear_page` took over a quarter of the time
/// (Benchmarks/README.md, "Reusing large tensor blocks"). Keeping freed blocks avoids that.
///
/// Bounded: blocks below ``minimumBytes`` are left to malloc, and the cache holds at most
/// ``budgetBytes``, dropping its oldest blocks to make room, so a process's peak memory grows by
/// at most the budget. ``releaseAll()`` returns everything (the daemon calls it between jobs).
public final class TensorBlockCache: Sendable {
    /// The cache every ``TensorStorage`` uses: 2 GiB, or an eighth of physical memory on a
    /// smaller machine.
    public static let shared = TensorBlockCache(
        budgetBytes: min(2 << 30, sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE)) / 8))

    /// Smallest block kept: smaller ones come from malloc's own free lists without page faults.
    public static let minimumBytes = 4 << 20

    /// Most bytes the cache holds at once.
    public let budgetBytes: Int

    /// Blocks are held by address (an `Int`, which may cross the lock) and owned by the cache
    /// until handed out again.
    private struct State {
        /// Free blocks by byte count, oldest first within each size.
        var free: [Int: [Int]] = [:]
        /// Every free block's size in the order it was returned, for evicting the oldest.
        var order: [(bytes: Int, block: Int)] = []
        var heldBytes = 0
        var hits = 0
        var misses = 0
        var evictions = 0
    }

    private let state = Mutex(State())

    /// A cache holding at most `budgetBytes` of free blocks.
    public init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    /// A 64-byte aligned block of `bytes`: a kept one of exactly that size if there is one.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= Self.minimumBytes, let block = take(bytes: bytes) { return block }
        return .allocate(byteCount: bytes, alignment: 64)
    }

    /// Keeps `block` (from ``allocate(bytes:)``) for reuse, or frees it when it is small or
    /// larger than the budget.
    func deallocate(_ block: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.minimumBytes, bytes <= budgetBytes else { return block.deallocate() }
        let address = Int(bitPattern: block)
        let evicted = state.withLock { state -> [Int] in
            var evicted: [Int] = []
            while state.heldBytes + bytes > budgetBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.free[oldest.bytes]?.removeAll { $0 == oldest.block }
                state.heldBytes -= oldest.bytes
                state.evictions += 1
                evicted.append(oldest.block)
            }
            state.free[bytes, default: []].append(address)
            state.order.append((bytes, address))
            state.heldBytes += bytes
            return evicted
        }
        Self.free(evicted)
    }

    private static func free(_ addresses: [Int]) {
        for address in addresses { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    /// Runs `body` with an uninitialised scratch buffer of `count` floats, a kept block when the
    /// cache has one of that size, and keeps the block again afterwards.
    func withScratch<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let block = allocate(bytes: bytes)
        defer { deallocate(block, bytes: bytes) }
        return try body(block.bindMemory(to: Float.self, capacity: max(count, 1)))
    }

    private func take(bytes: Int) -> UnsafeMutableRawPointer? {
        let address = state.withLock { state -> Int? in
            guard let block = state.free[bytes]?.popLast() else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            if let index = state.order.lastIndex(where: { $0.block == block }) { state.order.remove(at: index) }
            state.heldBytes -= bytes
            return block
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Bytes of free blocks held now.
    public var heldBytes: Int { state.withLock { $0.heldBytes } }

    /// Large allocations served from the cache (hits) and from malloc (misses), and blocks
    /// dropped to stay within the budget, since the process started (for benchmarks and tests).
    public var statistics: (hits: Int, misses: Int, evictions: Int) {
        state.withLock { ($0.hits, $0.misses, $0.evictions) }
    }

    /// Frees every kept block.
    public func releaseAll() {
        let blocks = state.withLock { state -> [Int] in
            let blocks = state.order.map(\.block)
            state.free = [:]
            state.order = []
            state.heldBytes = 0
            return blocks
        }
        Self.free(blocks)
    }
}
