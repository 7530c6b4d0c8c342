import CBLAS
import Dispatch

/// Splits element-wise and reduction kernels across the cores this process may use.
///
/// Why this does not fight OpenBLAS: all tensor work runs on one inference thread (see
/// ARCHITECTURE.md), which either sits inside a BLAS call or runs one of our kernels, never
/// both. OpenBLAS's pthread pool works only inside `cblas_sgemm` and parks (it yields, then
/// sleeps) between calls, as does oneDNN's OpenMP pool (bf16 mode; spinning briefly first);
/// our chunks run only between calls. So at any moment one pool owns
/// the cores, and each uses at most ``availableCores`` threads, the same figure OpenBLAS sizes
/// itself from, so the cores are never oversubscribed. Work is cut into at most one contiguous
/// chunk per thread (no per-element dispatch, no work stealing): on this 2-core machine the
/// calling thread runs one chunk and one libdispatch worker the other, so both cores stream
/// memory. Problems smaller than two chunks' worth stay on the calling thread, where the
/// fork/join cost (a few microseconds) would outweigh the gain.
public enum Parallel {
    /// Cores in this process's affinity mask (what systemd's `AllowedCPUs=` or `taskset` allow).
    /// OpenBLAS counts them with `sched_getaffinity` at start-up, which Glibc's Swift overlay
    /// cannot import (it needs `_GNU_SOURCE`), so the same figure is taken from there.
    public static let availableCores: Int = max(1, Int(openblas_get_num_procs()))

    /// How many chunks ``forEachChunk(count:minimumChunk:threads:_:)`` cuts `count` items into.
    ///
    /// Callers that keep one partial result per chunk size their scratch space with this.
    public static func chunkCount(count: Int, minimumChunk: Int = 1, threads: Int = availableCores) -> Int {
        guard count > 0 else { return 0 }
        return min(max(1, threads), max(1, count / max(1, minimumChunk)))
    }

    /// Bounds of chunk `chunk` of `chunks` over `0..<count`: contiguous, disjoint, in order,
    /// sizes differing by at most one.
    @inlinable
    public static func chunkRange(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
    }

    /// Runs `body` over disjoint sub-ranges that together cover `0..<count`.
    ///
    /// - Parameters:
    ///   - count: Number of work items.
    ///   - minimumChunk: Fewest items worth a thread of their own; below twice this the work
    ///     runs inline.
    ///   - threads: Upper bound on the threads used.
    ///   - body: Called once per non-empty chunk, possibly concurrently; must only write
    ///     disjoint memory.
    public static func forEachChunk(
        count: Int,
        minimumChunk: Int = 1,
        threads: Int = availableCores,
        _ body: (Range<Int>) -> Void
    ) {
        forEachIndexedChunk(count: count, minimumChunk: minimumChunk, threads: threads) { _, range in body(range) }
    }

    /// Like ``forEachChunk(count:minimumChunk:threads:_:)``, also passing the chunk's index in
    /// `0..<chunkCount(count:minimumChunk:threads:)`, so a chunk can write a partial result
    /// (a sum, a maximum) into a slot of its own for the caller to combine afterwards.
    public static func forEachIndexedChunk(
        count: Int,
        minimumChunk: Int = 1,
        threads: Int = availableCores,
        _ body: (_ chunk: Int, _ range: Range<Int>) -> Void
    ) {
        let chunks = chunkCount(count: count, minimumChunk: minimumChunk, threads: threads)
        if chunks == 0 { return }
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = chunkRange(chunk, of: chunks, count: count)
                if !range.isEmpty { box.value(chunk, range) }
            }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; callers promise disjoint writes.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
