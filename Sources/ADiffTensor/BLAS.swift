import CADiffKernels
import CADiffOneDNN
import CBLAS

/// Matrix products through OpenBLAS (`cblas_sgemm`), row-major throughout.
///
/// All entry points take raw pointers with explicit leading dimensions and batch strides, so
/// callers address heads, frames and sub-blocks of a larger tensor without copying.
public enum BLAS {
    /// OpenBLAS's build description (version, kernel, threading), for logs and benchmarks.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    /// Where fp32 products run.
    public enum FP32Backend: String, Sendable {
        /// OpenBLAS's sgemm (the kernel OpenBLAS chose for this CPU).
        case openBLAS
        /// oneDNN's JIT sgemm, used when OpenBLAS was told to use a core without AVX-512 on a
        /// CPU that has it (`OPENBLAS_CORETYPE=Haswell` halves sgemm throughput on AVX-512
        /// CPUs): oneDNN picks its instruction set from the CPU alone, so the daemon stays fast
        /// whatever `OPENBLAS_*` variables it inherits.
        case oneDNN
    }

    /// OpenBLAS kernel families with AVX-512 sgemm.
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// The core OpenBLAS chose at load (from the CPU, or from `OPENBLAS_CORETYPE`).
    public static var openBLASCore: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The fp32 backend of this process, decided once from the CPU and OpenBLAS's core.
    public static let fp32Backend: FP32Backend =
        cadiff_kernels_have_avx512() && !avx512Cores.contains(openBLASCore.lowercased()) ? .oneDNN : .openBLAS

    /// Threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the threads OpenBLAS uses for one call (pthread build; see README for OpenMP).
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// C = alpha · op(A) · op(B) + beta · C, with op(X) = Xᵀ when the flag is set.
    ///
    /// - Parameters:
    ///   - m: Rows of op(A) and C.
    ///   - n: Columns of op(B) and C.
    ///   - k: Columns of op(A), rows of op(B).
    ///   - a: A, stored `m×k` (or `k×m` when transposed) with row stride `lda`.
    ///   - b: B, stored `k×n` (or `n×k` when transposed) with row stride `ldb`.
    ///   - bBFloat16: B already converted to bf16 (``withBFloat16(_:of:count:_:)``), stored
    ///     contiguously in B's orientation; bf16 products read it instead of converting `b`.
    ///   - c: C, `m×n` with row stride `ldc`.
    @inlinable
    public static func gemm(
        transposeA: Bool = false,
        transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        bBFloat16: UnsafePointer<UInt16>? = nil,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if ComputePrecision.current == .bfloat16,
            gemmBFloat16(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, bBFloat16, beta, c, ldc)
        {
            return
        }
        if fp32Backend == .oneDNN,
            cadiff_onednn_sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) == 0
        {
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc)
        )
    }

    /// Which products the bf16 mode sends to oneDNN.
    public struct BFloat16Routing: Sendable, Equatable {
        /// Smallest `m·n·k`: below it, descriptor lookup and operand conversion cost more than
        /// the faster arithmetic saves.
        public var minimumProduct: Int
        /// Smallest `n` and `k`: oneDNN's bf16 brgemm is slower than sgemm on thin products
        /// (attention's `PV` with 40-wide heads measured 0.4–0.5× sgemm).
        public var minimumWidth: Int

        /// The measured thresholds: products of at least 2²² multiply-adds, 64 wide.
        public static let measured = BFloat16Routing(minimumProduct: 1 << 22, minimumWidth: 64)
        /// Every product, so tests on tiny models exercise the bf16 path end to end.
        public static let everything = BFloat16Routing(minimumProduct: 1, minimumWidth: 1)

        /// Routing with the given thresholds.
        public init(minimumProduct: Int, minimumWidth: Int) {
            self.minimumProduct = minimumProduct
            self.minimumWidth = minimumWidth
        }
    }

    /// The routing in force for the current task or thread scope (``BFloat16Routing/measured``).
    @TaskLocal public static var bfloat16Routing = BFloat16Routing.measured

    /// Runs the product through oneDNN in bf16 when it is large enough to gain; false when the
    /// caller should use sgemm (too small, or oneDNN failed, which leaves C unchanged).
    @usableFromInline
    static func gemmBFloat16(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ bBFloat16: UnsafePointer<UInt16>?, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) -> Bool {
        let routing = bfloat16Routing
        guard min(n, k) >= routing.minimumWidth, m * n * k >= routing.minimumProduct else { return false }
        return cadiff_onednn_bf16_gemm(
            transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, bBFloat16, beta, c, ldc) == 0
    }

    /// Runs `body` with the bf16 copy `cache` keeps of the `count` contiguous weights at `b`
    /// when the current precision is bf16 (converting them on first use), else with nil: the
    /// `bBFloat16` argument of ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:bBFloat16:beta:c:ldc:)``.
    public static func withBFloat16<R>(
        _ cache: BFloat16Weights?, of b: UnsafePointer<Float>, count: Int, _ body: (UnsafePointer<UInt16>?) throws -> R
    ) rethrows -> R {
        guard ComputePrecision.current == .bfloat16, let cache else { return try body(nil) }
        return try cache.withValues(of: b, count: count, body)
    }

    /// `batch` independent products C[i] = alpha · op(A[i]) · op(B[i]) + beta · C[i], where
    /// operand i starts `i · stride` elements after the base pointer.
    @inlinable
    public static func gemmBatched(
        batch: Int,
        transposeA: Bool = false,
        transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, strideA: Int,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int
    ) {
        for i in 0..<batch {
            gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                beta: beta, c: c + i * strideC, ldc: ldc
            )
        }
    }
}
