// adiff's bf16 compute path: matrix products through oneDNN's matmul primitive with bf16
// operands and f32 accumulation and output. Debian's OpenBLAS 0.3.21 exports no bf16 GEMM;
// oneDNN (libdnnl 2.6) JIT-compiles AVX512-BF16 (`vdpbf16ps`) brgemm kernels. The oneDNN
// headers stay inside this target: Swift sees only these functions.
#ifndef CADIFF_ONEDNN_H
#define CADIFF_ONEDNN_H

#include <stdbool.h>
#include <stdint.h>

/// Whether oneDNN runs bf16 matmul natively on this CPU (an AVX512-BF16 or AMX brgemm
/// implementation, not a reference or emulated one). Computed once; thread-safe.
bool cadiff_onednn_bf16_native(void);

/// The oneDNN implementation name chosen for a bf16 matmul on this CPU (e.g.
/// "brg:avx512_core_bf16"), for logs and benchmarks. Static storage; never NULL.
const char *cadiff_onednn_bf16_implementation(void);

/// C = alpha · op(A) · op(B) + beta · C in row-major layout, like cblas_sgemm, with A and B
/// rounded to bf16 (round to nearest even, subnormals to zero, as `vcvtneps2bf16`) and
/// products accumulated in f32.
/// `b_bf16`, when not NULL, is B already in bf16 (from `cadiff_onednn_convert_to_bf16`),
/// stored contiguously in B's orientation (`k×n`, or `n×k` when transposed); `b` is then not
/// read. Weights converted once this way skip the per-call conversion.
/// Returns 0 on success, a oneDNN status (> 0) or -1 (out of memory) on failure, in which
/// case C is unchanged.
int cadiff_onednn_bf16_gemm(
    bool transpose_a, bool transpose_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, const uint16_t *b_bf16,
    float beta, float *c, long ldc);

/// Rounds `count` floats to bf16 exactly as `cadiff_onednn_bf16_gemm` rounds its operands,
/// across the process's cores for large arrays.
void cadiff_onednn_convert_to_bf16(const float *source, uint16_t *destination, long count);

/// C = alpha · op(A) · op(B) + beta · C in fp32, row-major, through oneDNN's JIT sgemm, which
/// picks its instruction set from the CPU alone. Returns 0 on success or a oneDNN status.
int cadiff_onednn_sgemm(
    bool transpose_a, bool transpose_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc);

/// Rounds `count` floats to bf16 (round to nearest even; NaN stays NaN; subnormals become
/// zero) and widens them back,
/// so tests can predict the bf16 product exactly.
void cadiff_round_to_bf16(const float *source, float *destination, long count);

#endif
