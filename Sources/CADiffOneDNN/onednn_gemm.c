// sched_getaffinity and CPU_COUNT.
#define _GNU_SOURCE

#include "CADiffOneDNN.h"

#include <oneapi/dnnl/dnnl.h>
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// One CPU engine and in-order stream for the process, created on first use. oneDNN keeps
// compiled kernels in its own primitive cache keyed by the descriptor, so the descriptor is
// rebuilt per call but the JIT code is generated once per shape.
static dnnl_engine_t engine;
static dnnl_stream_t stream;
static bool ready;
static bool native;
static char implementation[128] = "unavailable";
static pthread_once_t once = PTHREAD_ONCE_INIT;

// Creating a matmul primitive descriptor costs milliseconds (implementation search), so
// primitives are kept per shape. A UNet step uses a few hundred distinct shapes; when the
// table is full the oldest entry is replaced.
typedef struct {
    bool used, ta, tb;
    long m, n, k, ldc;
    float alpha, beta;
    dnnl_primitive_t primitive;
} cached_primitive;
enum { cache_slots = 512 };
static cached_primitive cache[cache_slots];
static long cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

// Operand conversions go into buffers kept between calls (guarded by cache_lock): a fresh
// allocation of tens of MB per product costs page faults on every call. They grow to the
// largest operand seen, which the callers' own bounded blocks limit.
static uint16_t *scratch_a, *scratch_b;
static long scratch_a_count, scratch_b_count;

static void initialise(void);

// Rounds to nearest even, as vcvtneps2bf16 does: NaN stays a quiet NaN and subnormal inputs
// become a zero of the same sign (the instruction always flushes them), so the scalar tail and
// the vector body give the same bits.
static uint16_t to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);
    if ((bits & 0x7f800000u) == 0) return (uint16_t)((bits >> 16) & 0x8000u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static void convert_scalar(const float *source, uint16_t *destination, long count) {
    for (long i = 0; i < count; i++) destination[i] = to_bf16(source[i]);
}

// 32 floats per vcvtne2ps2bf16. Only called when the CPU has AVX512-BF16 (bf16 mode requires
// it), so the target attribute needs no runtime dispatch of its own.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
static void convert_avx512bf16(const float *source, uint16_t *destination, long count) {
    long i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512 low = _mm512_loadu_ps(source + i), high = _mm512_loadu_ps(source + i + 16);
        _mm512_storeu_si512((void *)(destination + i), (__m512i)_mm512_cvtne2ps_pbh(high, low));
    }
    convert_scalar(source + i, destination + i, count - i);
}

static bool has_avx512bf16;

static void convert(const float *source, uint16_t *destination, long count) {
    if (has_avx512bf16) convert_avx512bf16(source, destination, count);
    else convert_scalar(source, destination, count);
}

// A rows × cols block with row stride `stride`, converted into contiguous bf16. Large blocks
// are split by rows across the process's cores: conversion is memory-bound, and one core
// alone takes as long as the product it feeds.
typedef struct {
    const float *source;
    long first, rows, cols, stride;
    uint16_t *destination;
} conversion;

static void *convert_rows(void *argument) {
    const conversion *job = argument;
    for (long r = job->first; r < job->first + job->rows; r++) {
        if (job->stride == job->cols) {
            convert(job->source + r * job->stride, job->destination + r * job->cols, (job->rows - (r - job->first)) * job->cols);
            break;
        }
        convert(job->source + r * job->stride, job->destination + r * job->cols, job->cols);
    }
    return NULL;
}

enum { max_conversion_threads = 16, elements_per_conversion_thread = 1 << 18 };
static long conversion_threads = 1;

static void convert_block(const float *source, long rows, long cols, long stride, uint16_t *destination) {
    long threads = conversion_threads;
    long by_size = rows * cols / elements_per_conversion_thread;
    if (by_size < threads) threads = by_size;
    if (rows < threads) threads = rows;
    if (threads <= 1) {
        convert_rows(&(conversion){source, 0, rows, cols, stride, destination});
        return;
    }
    conversion jobs[max_conversion_threads];
    pthread_t helpers[max_conversion_threads];
    bool started[max_conversion_threads] = {false};
    for (long t = 0; t < threads; t++) {
        long first = rows * t / threads, last = rows * (t + 1) / threads;
        jobs[t] = (conversion){source, first, last - first, cols, stride, destination};
        if (t > 0) started[t] = pthread_create(&helpers[t], NULL, convert_rows, &jobs[t]) == 0;
    }
    convert_rows(&jobs[0]);
    for (long t = 1; t < threads; t++) {
        if (started[t]) pthread_join(helpers[t], NULL);
        else convert_rows(&jobs[t]);  // no thread to spare: do its share here
    }
}

void cadiff_round_to_bf16(const float *source, float *destination, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t bits = (uint32_t)to_bf16(source[i]) << 16;
        memcpy(destination + i, &bits, sizeof bits);
    }
}

void cadiff_onednn_convert_to_bf16(const float *source, uint16_t *destination, long count) {
    pthread_once(&once, initialise);
    enum { width = 4096 };
    long rows = count / width;
    convert_block(source, rows, width, width, destination);
    convert(source + rows * width, destination + rows * width, count - rows * width);
}

static dnnl_status_t make_primitive(
    bool ta, bool tb, long m, long n, long k, float alpha, float beta, long ldc,
    dnnl_primitive_t *primitive, const char **impl) {
    dnnl_memory_desc_t a_desc, b_desc, c_desc;
    dnnl_dims_t a_dims = {m, k}, b_dims = {k, n}, c_dims = {m, n};
    // Packed operands are contiguous in their stored orientation.
    dnnl_dims_t a_strides = {ta ? 1 : k, ta ? m : 1};
    dnnl_dims_t b_strides = {tb ? 1 : n, tb ? k : 1};
    dnnl_dims_t c_strides = {ldc, 1};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_strides(&a_desc, 2, a_dims, dnnl_bf16, a_strides))) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&b_desc, 2, b_dims, dnnl_bf16, b_strides))) return s;
    if ((s = dnnl_memory_desc_init_by_strides(&c_desc, 2, c_dims, dnnl_f32, c_strides))) return s;
    dnnl_matmul_desc_t op;
    if ((s = dnnl_matmul_desc_init(&op, &a_desc, &b_desc, NULL, &c_desc))) return s;
    dnnl_primitive_attr_t attr;
    if ((s = dnnl_primitive_attr_create(&attr))) return s;
    if (alpha != 1.0f) s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha);
    if (!s && beta != 0.0f) {
        dnnl_post_ops_t post;
        s = dnnl_post_ops_create(&post);
        if (!s) s = dnnl_post_ops_append_sum(post, beta);
        if (!s) s = dnnl_primitive_attr_set_post_ops(attr, post);
        dnnl_post_ops_destroy(post);
    }
    dnnl_primitive_desc_t pd = NULL;
    if (!s) s = dnnl_primitive_desc_create(&pd, &op, attr, engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (s) return s;
    if (impl) {
        const char *name = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
        *impl = name;
        if (name) {
            strncpy(implementation, name, sizeof implementation - 1);
        }
    }
    s = dnnl_primitive_create(primitive, pd);
    dnnl_primitive_desc_destroy(pd);
    return s;
}

static void initialise(void) {
    __builtin_cpu_init();
    has_avx512bf16 = __builtin_cpu_supports("avx512bf16");
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) conversion_threads = CPU_COUNT(&cpus);
    if (conversion_threads > max_conversion_threads) conversion_threads = max_conversion_threads;
    if (conversion_threads < 1) conversion_threads = 1;
    if (dnnl_engine_create(&engine, dnnl_cpu, 0)) return;
    if (dnnl_stream_create(&stream, engine, dnnl_stream_default_flags)) return;
    ready = true;
    dnnl_primitive_t probe;
    const char *name = NULL;
    if (make_primitive(false, false, 64, 64, 64, 1, 0, 64, &probe, &name) == dnnl_success) {
        dnnl_primitive_destroy(probe);
        // Reference ("ref:any") and emulated paths run bf16 far slower than f32.
        native = name && strstr(name, "bf16") && !strstr(name, "ref");
    }
}

bool cadiff_onednn_bf16_native(void) {
    pthread_once(&once, initialise);
    return native;
}

const char *cadiff_onednn_bf16_implementation(void) {
    pthread_once(&once, initialise);
    return implementation;
}

// Grows `*buffer` to hold `count` values; false when memory runs out (the buffer is kept).
static bool reserve(uint16_t **buffer, long *capacity, long count) {
    if (count <= *capacity) return true;
    uint16_t *grown = malloc(sizeof(uint16_t) * (size_t)count);
    if (!grown) return false;
    free(*buffer);
    *buffer = grown;
    *capacity = count;
    return true;
}

int cadiff_onednn_bf16_gemm(
    bool ta, bool tb, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, const uint16_t *b16, float beta, float *c, long ldc) {
    pthread_once(&once, initialise);
    if (!ready) return dnnl_runtime_error;
    if (m <= 0 || n <= 0) return 0;
    long a_count = m * k > 0 ? m * k : 1, b_count = k * n > 0 ? k * n : 1;

    // The lock is held from conversion through execution: the scratch buffers and the cached
    // primitive may not change while this product uses them. Tensor work runs on one inference
    // thread anyway.
    pthread_mutex_lock(&cache_lock);
    if (!reserve(&scratch_a, &scratch_a_count, a_count) || (!b16 && !reserve(&scratch_b, &scratch_b_count, b_count))) {
        pthread_mutex_unlock(&cache_lock);
        return -1;
    }
    if (ta) convert_block(a, k, m, lda, scratch_a); else convert_block(a, m, k, lda, scratch_a);
    if (!b16) {
        if (tb) convert_block(b, n, k, ldb, scratch_b); else convert_block(b, k, n, ldb, scratch_b);
        b16 = scratch_b;
    }

    dnnl_primitive_t primitive = NULL;
    dnnl_status_t s = dnnl_success;
    for (long i = 0; i < cache_slots && cache[i].used; i++) {
        cached_primitive *e = &cache[i];
        if (e->ta == ta && e->tb == tb && e->m == m && e->n == n && e->k == k && e->ldc == ldc
            && e->alpha == alpha && e->beta == beta) {
            primitive = e->primitive;
            break;
        }
    }
    if (!primitive) {
        s = make_primitive(ta, tb, m, n, k, alpha, beta, ldc, &primitive, NULL);
        if (!s) {
            cached_primitive *e = &cache[cache_next];
            if (e->used) dnnl_primitive_destroy(e->primitive);
            *e = (cached_primitive){true, ta, tb, m, n, k, ldc, alpha, beta, primitive};
            cache_next = (cache_next + 1) % cache_slots;
        }
    }
    dnnl_memory_t am = NULL, bm = NULL, cm = NULL;
    if (!s) {
        const_dnnl_primitive_desc_t pd;
        s = dnnl_primitive_get_primitive_desc(primitive, &pd);
        const dnnl_memory_desc_t *ad = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
        const dnnl_memory_desc_t *bd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        const dnnl_memory_desc_t *cd = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
        if (!s) s = dnnl_memory_create(&am, ad, engine, scratch_a);
        if (!s) s = dnnl_memory_create(&bm, bd, engine, (void *)b16);
        if (!s) s = dnnl_memory_create(&cm, cd, engine, c);
    }
    if (!s) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
        s = dnnl_primitive_execute(primitive, stream, 3, args);
        if (!s) s = dnnl_stream_wait(stream);
    }
    if (am) dnnl_memory_destroy(am);
    if (bm) dnnl_memory_destroy(bm);
    if (cm) dnnl_memory_destroy(cm);
    pthread_mutex_unlock(&cache_lock);
    return (int)s;
}

int cadiff_onednn_sgemm(
    bool ta, bool tb, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    return (int)dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
