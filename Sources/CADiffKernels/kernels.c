#include "CADiffKernels.h"

#include <immintrin.h>
#include <math.h>

float cadiff_softmax_exponentiate_portable(float *row, long count) {
    float maximum = -INFINITY;
    for (long i = 0; i < count; i++) {
        if (row[i] > maximum) maximum = row[i];
    }
    float sum = 0;
    for (long i = 0; i < count; i++) {
        float e = expf(row[i] - maximum);
        row[i] = e;
        sum += e;
    }
    return sum;
}

#if defined(__x86_64__)
// exp(x) for x <= 0: Cephes expf's range reduction and polynomial (relative error ~1e-7);
// results below 2^-126, including exp(-inf), flush to zero.
__attribute__((target("avx512f"))) static inline __m512 exp_nonpositive(__m512 x) {
    const __m512 floor_ = _mm512_set1_ps(-87.3f);
    __mmask16 underflow = _mm512_cmp_ps_mask(x, floor_, _CMP_LT_OQ);
    x = _mm512_max_ps(x, floor_);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    return _mm512_maskz_mov_ps((__mmask16)~underflow, _mm512_scalef_ps(y, n));
}

__attribute__((target("avx512f"))) static float exponentiate_avx512(float *row, long count) {
    const __m512 minus_inf = _mm512_set1_ps(-INFINITY);
    __m512 maxima = minus_inf;
    long i = 0;
    for (; i + 16 <= count; i += 16) maxima = _mm512_max_ps(maxima, _mm512_loadu_ps(row + i));
    __mmask16 tail = (__mmask16)((1u << (count - i)) - 1);
    if (tail) maxima = _mm512_max_ps(maxima, _mm512_mask_loadu_ps(minus_inf, tail, row + i));
    const __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(maxima));
    __m512 sums = _mm512_setzero_ps();
    for (i = 0; i + 16 <= count; i += 16) {
        __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_loadu_ps(row + i), shift));
        _mm512_storeu_ps(row + i, e);
        sums = _mm512_add_ps(sums, e);
    }
    if (tail) {
        __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_mask_loadu_ps(minus_inf, tail, row + i), shift));
        _mm512_mask_storeu_ps(row + i, tail, e);
        sums = _mm512_add_ps(sums, e);
    }
    return _mm512_reduce_add_ps(sums);
}
#endif

bool cadiff_kernels_have_avx512(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

float cadiff_softmax_exponentiate(float *row, long count) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) return exponentiate_avx512(row, count);
#endif
    return cadiff_softmax_exponentiate_portable(row, count);
}
