import CBLAS
import Dispatch

/// Splits element-wise and reduction kernels across the cores this process may use.
///
/// OpenBLAS keeps its own worker threads; they run only inside a BLAS call, and our kernels run
/// only between BLAS calls, both from the single inference thread, so the two pools take turns
/// on the same cores instead of oversubscribing them. Work is cut into at most one contiguous
/// chunk per thread (no per-element dispatch), and small problems stay on the calling thread.
public enum Parallel {
    /// Cores in this process's affinity mask (what systemd's `AllowedCPUs=` or `taskset` allow).
    /// OpenBLAS counts them with `sched_getaffinity` at start-up, which Glibc's Swift overlay
    /// cannot import (it needs `_GNU_SOURCE`), so the same figure is taken from there.
    public static let availableCores: Int = max(1, Int(openblas_get_num_procs()))

    /// Runs `body` over disjoint sub-ranges that together cover `0..<count`.
    ///
    /// - Parameters:
    ///   - count: Number of work items.
    ///   - minimumChunk: Fewest items worth a thread of their own; below twice this the work
    ///     runs inline.
    ///   - threads: Upper bound on the threads used.
    ///   - body: Called once per chunk, possibly concurrently; must only write disjoint memory.
    public static func forEachChunk(
        count: Int,
        minimumChunk: Int = 1,
        threads: Int = availableCores,
        _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = min(max(1, threads), max(1, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lower = count * chunk / chunks
                let upper = count * (chunk + 1) / chunks
                if lower < upper { box.value(lower..<upper) }
            }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; callers promise disjoint writes.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
