import CADiffKernels

/// Multi-head scaled-dot-product attention, `softmax(Q·Kᵀ / √d [+ causal mask]) · V`, for
/// self, cross and temporal layouts.
///
/// Operands are rows of `heads·d` floats; head `h` is columns `h·d ..< (h+1)·d`, addressed
/// through leading dimensions, so no head-split copies are made. Memory is bounded: long
/// sequences are processed in query blocks whose scores take a few MB, never the full
/// `Lq × Lk` matrix. Short sequences (temporal attention over frames, CLIP's 77 tokens)
/// use a direct kernel, because per-head BLAS calls would cost more than the arithmetic.
public enum Attention {
    /// Where the rows of one operand are in memory.
    ///
    /// Element `(b, t, c)` of a `[batch, tokens, heads·d]` operand is at
    /// `(b / innerBatch)·outerStride + (b % innerBatch)·innerStride + t·tokenStride + c`.
    /// A plain `[B, L, C]` tensor has `innerBatch = 1`; temporal attention over frames of a
    /// `[B, F, P, C]` tensor (P pixel positions) has `innerBatch = P`, `innerStride = C`,
    /// `tokenStride = P·C`, `outerStride = F·P·C`.
    public struct Layout: Sendable, Equatable {
        /// Elements between consecutive tokens.
        public var tokenStride: Int
        /// Batch entries that share an outer index.
        public var innerBatch: Int
        /// Elements between consecutive inner batch entries.
        public var innerStride: Int
        /// Elements between consecutive outer batch entries.
        public var outerStride: Int

        /// A general layout; see the type's documentation.
        public init(tokenStride: Int, innerBatch: Int = 1, innerStride: Int = 0, outerStride: Int) {
            self.tokenStride = tokenStride
            self.innerBatch = max(1, innerBatch)
            self.innerStride = innerStride
            self.outerStride = outerStride
        }

        /// A contiguous `[B, tokens, channels]` operand.
        public static func contiguous(tokens: Int, channels: Int) -> Layout {
            Layout(tokenStride: channels, outerStride: tokens * channels)
        }

        @inline(__always)
        func offset(batch b: Int) -> Int {
            (b / innerBatch) * outerStride + (b % innerBatch) * innerStride
        }

        var c: cadiff_sequence_layout {
            cadiff_sequence_layout(
                token_stride: tokenStride, inner_batch: innerBatch, inner_stride: innerStride, outer_stride: outerStride
            )
        }
    }

    /// Score-matrix bytes one query block may take (per thread). Larger blocks amortise
    /// OpenBLAS re-packing the head's K and V on every call; 256 rows of 4096 keys (4 MB, two
    /// threads' blocks still in L3) measured fastest on average over four runs, 32–128 behind.
    static let scoreBlockBytes = 4 << 20
    /// Sequences with at most this many query×key pairs use the direct kernel.
    static let directKernelPairs = 128 * 128

    /// Attention over contiguous `[B, L, heads·d]` tensors.
    ///
    /// - Parameters:
    ///   - query: `[B, Lq, heads·d]`.
    ///   - key: `[B, Lk, heads·d]`.
    ///   - value: `[B, Lk, heads·d]`.
    ///   - heads: Number of heads; must divide the channel count.
    ///   - causal: Query `i` sees keys `0...i` only (CLIP's text encoder).
    ///   - queryBlock: Query rows per block on the GEMM path; nil picks one that keeps the
    ///     score block near ``scoreBlockBytes``.
    /// - Returns: `[B, Lq, heads·d]`.
    /// - Throws: ``TensorError`` `.shapeMismatch` when ranks, batch sizes, key/value lengths or
    ///   channel counts disagree, or `heads` does not divide the channels.
    public static func scaledDotProduct(
        query: Tensor, key: Tensor, value: Tensor,
        heads: Int, causal: Bool = false, queryBlock: Int? = nil
    ) throws -> Tensor {
        guard query.rank == 3, key.rank == 3, value.rank == 3 else {
            throw TensorError(
                .shapeMismatch,
                "attention takes [B, L, C] operands, got q \(query.shape), k \(key.shape), v \(value.shape)"
            )
        }
        guard key.shape == value.shape, query.shape[0] == key.shape[0], query.shape[2] == key.shape[2] else {
            throw TensorError(
                .shapeMismatch,
                "attention operands disagree: q \(query.shape), k \(key.shape), v \(value.shape)"
            )
        }
        let (batch, queryTokens, channels, keyTokens) = (query.shape[0], query.shape[1], query.shape[2], key.shape[1])
        try validate(heads: heads, channels: channels, keyTokens: keyTokens, queryBlock: queryBlock)
        var output = Tensor(uninitialized: query.shape)
        output.withUnsafeMutableBufferPointer { o in
            query.withUnsafeBufferPointer { q in
                key.withUnsafeBufferPointer { k in
                    value.withUnsafeBufferPointer { v in
                        compute(
                            batch: batch, heads: heads, headDimension: channels / heads,
                            queryTokens: queryTokens, keyTokens: keyTokens,
                            query: q.baseAddress!, queryLayout: .contiguous(tokens: queryTokens, channels: channels),
                            key: k.baseAddress!, keyLayout: .contiguous(tokens: keyTokens, channels: channels),
                            value: v.baseAddress!, valueLayout: .contiguous(tokens: keyTokens, channels: channels),
                            output: o.baseAddress!, outputLayout: .contiguous(tokens: queryTokens, channels: channels),
                            causal: causal, queryBlock: queryBlock
                        )
                    }
                }
            }
        }
        return output
    }

    /// Temporal attention: along the frame axis of `[B, F, P, heads·d]` tensors (P pixel
    /// positions per frame), independently for every batch entry and position, without
    /// transposing frames and positions.
    ///
    /// - Returns: `[B, F, P, heads·d]`.
    /// - Throws: ``TensorError`` `.shapeMismatch` when the three shapes differ, are not rank 4,
    ///   or `heads` does not divide the channels.
    public static func temporal(query: Tensor, key: Tensor, value: Tensor, heads: Int) throws -> Tensor {
        guard query.rank == 4, query.shape == key.shape, query.shape == value.shape else {
            throw TensorError(
                .shapeMismatch,
                "temporal attention takes equal [B, F, P, C] operands, got q \(query.shape), k \(key.shape), v \(value.shape)"
            )
        }
        let (batch, frames, positions, channels) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        try validate(heads: heads, channels: channels, keyTokens: frames, queryBlock: nil)
        let layout = Layout(
            tokenStride: positions * channels, innerBatch: positions, innerStride: channels,
            outerStride: frames * positions * channels
        )
        var output = Tensor(uninitialized: query.shape)
        output.withUnsafeMutableBufferPointer { o in
            query.withUnsafeBufferPointer { q in
                key.withUnsafeBufferPointer { k in
                    value.withUnsafeBufferPointer { v in
                        compute(
                            batch: batch * positions, heads: heads, headDimension: channels / heads,
                            queryTokens: frames, keyTokens: frames,
                            query: q.baseAddress!, queryLayout: layout,
                            key: k.baseAddress!, keyLayout: layout,
                            value: v.baseAddress!, valueLayout: layout,
                            output: o.baseAddress!, outputLayout: layout,
                            causal: false, queryBlock: nil
                        )
                    }
                }
            }
        }
        return output
    }

    private static func validate(heads: Int, channels: Int, keyTokens: Int, queryBlock: Int?) throws {
        guard heads >= 1, channels >= heads, channels % heads == 0 else {
            throw TensorError(.shapeMismatch, "\(heads) heads do not divide \(channels) channels")
        }
        guard keyTokens >= 1 else {
            throw TensorError(.shapeMismatch, "attention needs at least one key")
        }
        if let queryBlock, queryBlock < 1 {
            throw TensorError(.shapeMismatch, "attention query block must be at least 1, got \(queryBlock)")
        }
    }

    /// Attention over operands at raw pointers with explicit layouts (see ``Layout``); the
    /// output must not overlap the inputs. Parameters as in
    /// ``scaledDotProduct(query:key:value:heads:causal:queryBlock:)``.
    public static func compute(
        batch: Int, heads: Int, headDimension: Int,
        queryTokens: Int, keyTokens: Int,
        query: UnsafePointer<Float>, queryLayout: Layout,
        key: UnsafePointer<Float>, keyLayout: Layout,
        value: UnsafePointer<Float>, valueLayout: Layout,
        output: UnsafeMutablePointer<Float>, outputLayout: Layout,
        causal: Bool, queryBlock: Int? = nil
    ) {
        guard batch > 0, heads > 0, queryTokens > 0, keyTokens > 0, headDimension > 0 else { return }
        let problem = Problem(
            batch: batch, heads: heads, d: headDimension, lq: queryTokens, lk: keyTokens,
            scale: 1 / Float(headDimension).squareRoot(), causal: causal,
            q: query, qLayout: queryLayout, k: key, kLayout: keyLayout,
            v: value, vLayout: valueLayout, o: output, oLayout: outputLayout
        )
        if queryBlock == nil && queryTokens * keyTokens <= directKernelPairs {
            direct(problem)
        } else {
            let block = queryBlock ?? max(16, scoreBlockBytes / (4 * keyTokens))
            blocked(problem, queryBlock: min(block, queryTokens))
        }
    }

    // MARK: - Kernels

    private struct Problem: @unchecked Sendable {
        let batch, heads, d, lq, lk: Int
        let scale: Float
        let causal: Bool
        let q: UnsafePointer<Float>, qLayout: Layout
        let k: UnsafePointer<Float>, kLayout: Layout
        let v: UnsafePointer<Float>, vLayout: Layout
        let o: UnsafeMutablePointer<Float>, oLayout: Layout

        /// Keys query `i` may see.
        @inline(__always)
        func visibleKeys(_ i: Int) -> Int { causal ? min(lk, i + 1) : lk }
    }

    /// Long sequences: per (batch, head), query blocks of `S = Q·Kᵀ` and `O = P·V` through
    /// single-threaded GEMMs, with the (batch, head) pairs spread over the cores. With one
    /// thread set, OpenBLAS runs a call in the caller's thread without its pool, so the two
    /// callers do not serialise; this beat two-thread GEMMs one head at a time on these
    /// K = d and N = d shapes (Benchmarks/README.md), and the tests cover the concurrent use.
    private static func blocked(_ p: Problem, queryBlock: Int) {
        let tasks = p.batch * p.heads
        let previousThreads = BLAS.threadCount
        let parallel = tasks >= 2 && Parallel.availableCores > 1
        if parallel { BLAS.setThreadCount(1) }
        defer { if parallel { BLAS.setThreadCount(previousThreads) } }
        Parallel.forEachChunk(count: tasks, threads: parallel ? Parallel.availableCores : 1) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * p.lk)
            defer { scores.deallocate() }
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock)
            defer { sums.deallocate() }
            for task in range {
                let b = task / p.heads, h = task % p.heads
                let q = p.q + p.qLayout.offset(batch: b) + h * p.d
                let k = p.k + p.kLayout.offset(batch: b) + h * p.d
                let v = p.v + p.vLayout.offset(batch: b) + h * p.d
                let o = p.o + p.oLayout.offset(batch: b) + h * p.d
                var first = 0
                while first < p.lq {
                    let rows = min(queryBlock, p.lq - first)
                    // Causal blocks only need the keys their last row can see.
                    let keys = p.visibleKeys(first + rows - 1)
                    BLAS.gemm(
                        transposeB: true, m: rows, n: keys, k: p.d, alpha: p.scale,
                        a: q + first * p.qLayout.tokenStride, lda: p.qLayout.tokenStride,
                        b: k, ldb: p.kLayout.tokenStride,
                        c: scores, ldc: keys
                    )
                    for r in 0..<rows {
                        let row = scores + r * keys
                        let visible = p.visibleKeys(first + r)
                        sums[r] = exponentiateRow(row, count: visible)
                        (row + visible).update(repeating: 0, count: keys - visible)
                    }
                    let out = o + first * p.oLayout.tokenStride
                    BLAS.gemm(
                        m: rows, n: p.d, k: keys,
                        a: scores, lda: keys,
                        b: v, ldb: p.vLayout.tokenStride,
                        c: out, ldc: p.oLayout.tokenStride
                    )
                    // Normalising the d-wide output rows is cheaper than the Lk-wide score rows.
                    for r in 0..<rows {
                        let row = out + r * p.oLayout.tokenStride
                        let inverse = 1 / sums[r]
                        for c in 0..<p.d { row[c] *= inverse }
                    }
                    first += rows
                }
            }
        }
    }

    /// Short sequences: one query row at a time, with the batch entries spread over the
    /// cores. The loop is C with AVX-512 (``CADiffKernels``): in Swift's baseline-x86-64 SSE
    /// it ran at a third of the speed. Each entry's rows are first copied together, since
    /// temporal attention's frames lie at multiples of the caches' set period apart.
    private static func direct(_ p: Problem) {
        let entryWork = p.heads * p.lq * p.lk * p.d
        let scratchCount = cadiff_attention_direct_scratch(p.heads, p.d, p.lq, p.lk)
        Parallel.forEachChunk(count: p.batch, minimumChunk: max(1, 65_536 / entryWork)) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
            defer { scratch.deallocate() }
            cadiff_attention_direct(
                range.lowerBound, range.upperBound, p.heads, p.d, p.lq, p.lk, p.scale, p.causal,
                p.q, p.qLayout.c, p.k, p.kLayout.c, p.v, p.vLayout.c, p.o, p.oLayout.c, scratch
            )
        }
    }

    /// Replaces `row[0..<count]` by `exp(row − max(row))` and returns the sum of the results.
    ///
    /// In C with AVX-512 (``CADiffKernels``): Swift compiles for baseline x86-64, where this
    /// loop took a quarter of self-attention's time; with 512-bit FMA it is about 4× cheaper.
    @inline(__always)
    static func exponentiateRow(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
        cadiff_softmax_exponentiate(row, count)
    }
}
