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
    ///   - c: C, `m×n` with row stride `ldc`.
    @inlinable
    public static func gemm(
        transposeA: Bool = false,
        transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc)
        )
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
