// Compares, in one process, the GEMM paths adiff can take on SD-shaped products: OpenBLAS
// cblas_sgemm, oneDNN's dnnl_sgemm, and adiff's bf16 path (CADiffOneDNN: operands rounded to
// bf16, oneDNN matmul, fp32 output), once converting both operands per call ("bf16") and once
// with B converted beforehand, as a layer's kept weights are ("bf16, B kept"; A's conversion
// still included in the time).
// Build and run from the package root (see Benchmarks/README.md, "GEMM backends"):
//   gcc -O2 -ISources/CADiffOneDNN/include Benchmarks/gemm/gemm_backends.c \
//       Sources/CADiffOneDNN/onednn_gemm.c -o /tmp/gemm_backends -lopenblas -ldnnl -lpthread
//   /tmp/gemm_backends                                   # as the environment sets OPENBLAS_*
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/gemm_backends
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "CADiffOneDNN.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    static const struct { long m, n, k; const char *what; } shapes[] = {
        {2048, 2048, 2048, "square reference"},
        {4096, 320, 2880, "3x3 conv 320 ch @64x64 (im2col)"},
        {32768, 320, 320, "motion-module linear, 16 frames @32x32"},
        {4096, 2560, 320, "GEGLU in-projection"},
        {512, 1280, 1280, "Winograd GEMM, 1280 ch, 512-tile block"},
        {65536, 128, 1152, "VAE 3x3 conv 128 ch @256x256 (im2col)"},
        {4096, 4096, 40, "attention QK^T, one head"},
        {4096, 40, 4096, "attention PV, one head"},
    };
    printf("OpenBLAS core %s; bf16 path: %s\n", openblas_get_corename(), cadiff_onednn_bf16_implementation());
    printf("%-40s %18s %9s %9s %9s %12s  GFLOP/s, best of 5\n", "shape", "MxNxK", "OpenBLAS", "dnnl_sgemm", "bf16",
           "bf16, B kept");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        long m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
        for (long i = 0; i < m * k; i++) a[i] = (float)(rand() % 200 - 100) / 100.f;
        for (long i = 0; i < k * n; i++) b[i] = (float)(rand() % 200 - 100) / 100.f;
        uint16_t *b16 = malloc(sizeof(uint16_t) * k * n);
        cadiff_onednn_convert_to_bf16(b, b16, k * n);
        double best[4] = {1e9, 1e9, 1e9, 1e9};
        for (int r = 0; r < 5; r++) {
            double t = now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
            if ((t = now() - t) < best[0]) best[0] = t;
            t = now();
            dnnl_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c, n);
            if ((t = now() - t) < best[1]) best[1] = t;
            t = now();
            cadiff_onednn_bf16_gemm(0, 0, m, n, k, 1, a, k, b, n, NULL, 0, c, n);
            if ((t = now() - t) < best[2]) best[2] = t;
            t = now();
            cadiff_onednn_bf16_gemm(0, 0, m, n, k, 1, a, k, b, n, b16, 0, c, n);
            if ((t = now() - t) < best[3]) best[3] = t;
        }
        double flop = 2.0 * m * n * k;
        char dims[40];
        snprintf(dims, sizeof dims, "%ldx%ldx%ld", m, n, k);
        printf("%-40s %18s %9.1f %9.1f %9.1f %12.1f\n", shapes[s].what, dims, flop / best[0] / 1e9,
               flop / best[1] / 1e9, flop / best[2] / 1e9, flop / best[3] / 1e9);
        free(a);
        free(b);
        free(c);
        free(b16);
    }
    return 0;
}
