#include "CADiffKernels.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

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

static inline long layout_offset(cadiff_sequence_layout l, long b) {
    return (b / l.inner_batch) * l.outer_stride + (b % l.inner_batch) * l.inner_stride;
}

long cadiff_attention_direct_scratch(long heads, long d, long lq, long lk) {
    long chunks = (lk + 15) / 16;
    return 2 * (lq + lk) * heads * d + chunks * d * 16 + chunks * 16 + d;
}

#define CADIFF_DIRECT_PARAMETERS \
    long first_batch, long end_batch, long heads, long d, long lq, long lk, float scale, bool causal, \
    const float *q, cadiff_sequence_layout ql, const float *k, cadiff_sequence_layout kl, \
    const float *v, cadiff_sequence_layout vl, float *o, cadiff_sequence_layout ol, float *scratch

/// Copies `tokens` rows of `width` floats from a strided operand into contiguous `dst`.
static void gather_rows(float *dst, const float *src, long tokens, long width, long stride) {
    for (long t = 0; t < tokens; t++) memcpy(dst + t * width, src + t * stride, (size_t)width * sizeof(float));
}

static void scatter_rows(float *dst, const float *src, long tokens, long width, long stride) {
    for (long t = 0; t < tokens; t++) memcpy(dst + t * stride, src + t * width, (size_t)width * sizeof(float));
}

void cadiff_attention_direct_portable(CADIFF_DIRECT_PARAMETERS) {
    long width = heads * d;
    float *qs = scratch, *ks = qs + lq * width, *vs = ks + lk * width, *os = vs + lk * width;
    float *scores = os + lq * width;
    float *acc = scores + lk;
    for (long b = first_batch; b < end_batch; b++) {
        gather_rows(qs, q + layout_offset(ql, b), lq, width, ql.token_stride);
        gather_rows(ks, k + layout_offset(kl, b), lk, width, kl.token_stride);
        gather_rows(vs, v + layout_offset(vl, b), lk, width, vl.token_stride);
        for (long h = 0; h < heads; h++) {
            for (long i = 0; i < lq; i++) {
                const float *qi = qs + i * width + h * d;
                long visible = causal && i + 1 < lk ? i + 1 : lk;
                for (long j = 0; j < visible; j++) {
                    const float *kj = ks + j * width + h * d;
                    float s = 0;
                    for (long c = 0; c < d; c++) s += qi[c] * kj[c];
                    scores[j] = s * scale;
                }
                float inverse = 1 / cadiff_softmax_exponentiate_portable(scores, visible);
                for (long c = 0; c < d; c++) acc[c] = 0;
                for (long j = 0; j < visible; j++) {
                    const float *vj = vs + j * width + h * d;
                    for (long c = 0; c < d; c++) acc[c] += scores[j] * vj[c];
                }
                float *oi = os + i * width + h * d;
                for (long c = 0; c < d; c++) oi[c] = acc[c] * inverse;
            }
        }
        scatter_rows(o + layout_offset(ol, b), os, lq, width, ol.token_stride);
    }
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
// Keys of one head are transposed into [chunk][c][16] so a query row's scores come out 16
// keys per FMA; the output row accumulates in registers 16 columns at a time.
__attribute__((target("avx512f"))) static void attention_direct_avx512(CADIFF_DIRECT_PARAMETERS) {
    long width = heads * d;
    long chunks = (lk + 15) / 16;
    float *qs = scratch, *ks = qs + lq * width, *vs = ks + lk * width, *os = vs + lk * width;
    float *keys = os + lq * width;
    float *scores = keys + chunks * d * 16;
    memset(keys, 0, (size_t)(chunks * d * 16) * sizeof(float));
    const __m512 minus_inf = _mm512_set1_ps(-INFINITY);
    const __m512 scale_ = _mm512_set1_ps(scale);
    for (long b = first_batch; b < end_batch; b++) {
        gather_rows(qs, q + layout_offset(ql, b), lq, width, ql.token_stride);
        gather_rows(ks, k + layout_offset(kl, b), lk, width, kl.token_stride);
        gather_rows(vs, v + layout_offset(vl, b), lk, width, vl.token_stride);
        for (long h = 0; h < heads; h++) {
            for (long j = 0; j < lk; j++) {
                const float *kj = ks + j * width + h * d;
                float *column = keys + (j / 16) * d * 16 + j % 16;
                // A 16-float-strided store: vectorised, it becomes a slow scatter.
#pragma clang loop vectorize(disable)
                for (long c = 0; c < d; c++) column[c * 16] = kj[c];
            }
            for (long i = 0; i < lq; i++) {
                const float *qi = qs + i * width + h * d;
                long visible = causal && i + 1 < lk ? i + 1 : lk;
                for (long chunk = 0; chunk < chunks; chunk++) {
                    const float *block = keys + chunk * d * 16;
                    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
                    long c = 0;
                    for (; c + 2 <= d; c += 2) {
                        a0 = _mm512_fmadd_ps(_mm512_set1_ps(qi[c]), _mm512_loadu_ps(block + c * 16), a0);
                        a1 = _mm512_fmadd_ps(_mm512_set1_ps(qi[c + 1]), _mm512_loadu_ps(block + (c + 1) * 16), a1);
                    }
                    if (c < d) a0 = _mm512_fmadd_ps(_mm512_set1_ps(qi[c]), _mm512_loadu_ps(block + c * 16), a0);
                    __m512 s = _mm512_mul_ps(_mm512_add_ps(a0, a1), scale_);
                    long valid = visible - chunk * 16;
                    if (valid < 16) {
                        __mmask16 keep = valid <= 0 ? 0 : (__mmask16)((1u << valid) - 1);
                        s = _mm512_mask_blend_ps(keep, minus_inf, s);
                    }
                    _mm512_storeu_ps(scores + chunk * 16, s);
                }
                __m512 inverse = _mm512_set1_ps(1 / exponentiate_avx512(scores, chunks * 16));
                float *oi = os + i * width + h * d;
                for (long c = 0; c < d; c += 16) {
                    __mmask16 lanes = d - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (d - c)) - 1);
                    __m512 acc = _mm512_setzero_ps();
                    for (long j = 0; j < visible; j++) {
                        __m512 vj = _mm512_maskz_loadu_ps(lanes, vs + j * width + h * d + c);
                        acc = _mm512_fmadd_ps(_mm512_set1_ps(scores[j]), vj, acc);
                    }
                    _mm512_mask_storeu_ps(oi + c, lanes, _mm512_mul_ps(acc, inverse));
                }
            }
        }
        scatter_rows(o + layout_offset(ol, b), os, lq, width, ol.token_stride);
    }
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

void cadiff_attention_direct(CADIFF_DIRECT_PARAMETERS) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        attention_direct_avx512(first_batch, end_batch, heads, d, lq, lk, scale, causal,
                                q, ql, k, kl, v, vl, o, ol, scratch);
        return;
    }
#endif
    cadiff_attention_direct_portable(first_batch, end_batch, heads, d, lq, lk, scale, causal,
                                     q, ql, k, kl, v, vl, o, ol, scratch);
}
