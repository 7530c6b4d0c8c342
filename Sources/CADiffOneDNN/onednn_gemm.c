#include "CADiffOneDNN.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
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

static uint16_t to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);  // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

// Copies a rows × cols block with row stride `stride` into contiguous bf16.
__attribute__((target_clones("arch=x86-64-v4", "default")))
static void pack_bf16(const float *source, long rows, long cols, long stride, uint16_t *destination) {
    for (long r = 0; r < rows; r++) {
        const float *from = source + r * stride;
        uint16_t *to = destination + r * cols;
        for (long i = 0; i < cols; i++) to[i] = to_bf16(from[i]);
    }
}

void cadiff_round_to_bf16(const float *source, float *destination, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t bits = (uint32_t)to_bf16(source[i]) << 16;
        memcpy(destination + i, &bits, sizeof bits);
    }
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

int cadiff_onednn_bf16_gemm(
    bool ta, bool tb, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    pthread_once(&once, initialise);
    if (!ready) return dnnl_runtime_error;
    if (m <= 0 || n <= 0) return 0;
    uint16_t *a16 = malloc(sizeof(uint16_t) * (size_t)(m * k > 0 ? m * k : 1));
    uint16_t *b16 = malloc(sizeof(uint16_t) * (size_t)(k * n > 0 ? k * n : 1));
    if (!a16 || !b16) {
        free(a16);
        free(b16);
        return -1;
    }
    if (ta) pack_bf16(a, k, m, lda, a16); else pack_bf16(a, m, k, lda, a16);
    if (tb) pack_bf16(b, n, k, ldb, b16); else pack_bf16(b, k, n, ldb, b16);

    // The cache lock is held through execution: the primitive may not be replaced while it
    // runs, and tensor work runs on one inference thread anyway.
    pthread_mutex_lock(&cache_lock);
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
        if (!s) s = dnnl_memory_create(&am, ad, engine, a16);
        if (!s) s = dnnl_memory_create(&bm, bd, engine, b16);
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
    free(a16);
    free(b16);
    return (int)s;
}

int cadiff_onednn_sgemm(
    bool ta, bool tb, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    return (int)dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
