// Winograd F(2×2, 3×3) transforms (Lavin & Gray 2016) for NHWC convolutions. Every loop runs
// over channels, which are contiguous in all three layouts, so the compiler vectorises them;
// each kernel is compiled twice, for baseline x86-64 and for AVX-512, and picked at run time.
//
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//   Aᵀ = [1 1 1 0; 0 1 -1 -1]
#include "CADiffKernels.h"

#include <stdlib.h>

// U[i][j] = (G·g·Gᵀ)[i][j] for input channels first_channel ..< end_channel, all outputs.
#define WEIGHTS_BODY                                                                           \
    long plane = cin * cout;                                                                   \
    for (long ci = first_channel; ci < end_channel; ci++) {                                    \
        const float *restrict g = packed + ci * cout;                                          \
        float *restrict u = transformed + ci * cout;                                           \
        for (long co = 0; co < cout; co++) {                                                   \
            float w[9], t[12];                                                                 \
            for (long k = 0; k < 9; k++) w[k] = g[k * plane + co];                             \
            for (long c = 0; c < 3; c++) {                                                     \
                t[c] = w[c];                                                                   \
                t[3 + c] = 0.5f * (w[c] + w[3 + c] + w[6 + c]);                                \
                t[6 + c] = 0.5f * (w[c] - w[3 + c] + w[6 + c]);                                \
                t[9 + c] = w[6 + c];                                                           \
            }                                                                                  \
            for (long r = 0; r < 4; r++) {                                                     \
                const float *row = t + 3 * r;                                                  \
                u[(4 * r + 0) * plane + co] = row[0];                                          \
                u[(4 * r + 1) * plane + co] = 0.5f * (row[0] + row[1] + row[2]);              \
                u[(4 * r + 2) * plane + co] = 0.5f * (row[0] - row[1] + row[2]);              \
                u[(4 * r + 3) * plane + co] = row[2];                                          \
            }                                                                                  \
        }                                                                                      \
    }

#define WEIGHTS_PARAMETERS \
    const float *restrict packed, long cin, long cout, long first_channel, long end_channel, float *restrict transformed

static void weights_portable(WEIGHTS_PARAMETERS) { WEIGHTS_BODY }

// V = Bᵀ·d·B of the 4×4 input tile whose rows start at d[0..<16] (pixel pointers, each `cin`
// floats), into the 16 matrices of v (matrix stride `plane`).
#define INPUT_TILE(d, v, plane)                                                                \
    _Pragma("clang loop vectorize(assume_safety)")                                            \
    for (long c = 0; c < cin; c++) {                                                           \
        float t[16];                                                                           \
        for (long j = 0; j < 4; j++) {                                                         \
            float d0 = d[j][c], d1 = d[4 + j][c], d2 = d[8 + j][c], d3 = d[12 + j][c];         \
            t[j] = d0 - d2;                                                                    \
            t[4 + j] = d1 + d2;                                                                \
            t[8 + j] = d2 - d1;                                                                \
            t[12 + j] = d1 - d3;                                                               \
        }                                                                                      \
        for (long i = 0; i < 4; i++) {                                                         \
            const float *r = t + 4 * i;                                                        \
            v[(4 * i + 0) * plane + c] = r[0] - r[2];                                          \
            v[(4 * i + 1) * plane + c] = r[1] + r[2];                                          \
            v[(4 * i + 2) * plane + c] = r[2] - r[1];                                          \
            v[(4 * i + 3) * plane + c] = r[1] - r[3];                                          \
        }                                                                                      \
    }

#define INPUT_BODY                                                                             \
    long tiles_per_image = g.tiles_y * g.tiles_x;                                              \
    long plane = block_tiles * cin;                                                            \
    for (long tile = first_tile; tile < end_tile; tile++) {                                    \
        long image = tile / tiles_per_image, rest = tile % tiles_per_image;                    \
        long y0 = 2 * (rest / g.tiles_x) - g.pad_top, x0 = 2 * (rest % g.tiles_x) - g.pad_left; \
        const float *source = x + image * g.height * g.width * cin;                            \
        const float *d[16];                                                                    \
        for (long i = 0; i < 4; i++) {                                                         \
            for (long j = 0; j < 4; j++) {                                                     \
                long y = y0 + i, xx = x0 + j;                                                  \
                bool inside = y >= 0 && y < g.height && xx >= 0 && xx < g.width;               \
                d[4 * i + j] = inside ? source + (y * g.width + xx) * cin : zeros;             \
            }                                                                                  \
        }                                                                                      \
        float *restrict v_tile = v + (tile - block_first) * cin;                               \
        INPUT_TILE(d, v_tile, plane)                                                           \
    }

#define INPUT_PARAMETERS                                                                       \
    cadiff_winograd_geometry g, const float *restrict x, long cin, long first_tile, long end_tile, \
    long block_first, long block_tiles, const float *restrict zeros, float *restrict v

static void input_portable(INPUT_PARAMETERS) { INPUT_BODY }

// Y = Aᵀ·m·A (+ bias) of each tile, written where the 2×2 outputs fall inside the image.
#define OUTPUT_BODY                                                                            \
    long tiles_per_image = g.tiles_y * g.tiles_x;                                              \
    long plane = block_tiles * cout;                                                           \
    for (long tile = first_tile; tile < end_tile; tile++) {                                    \
        long image = tile / tiles_per_image, rest = tile % tiles_per_image;                    \
        long oy = 2 * (rest / g.tiles_x), ox = 2 * (rest % g.tiles_x);                         \
        float *target = y + image * g.out_height * g.out_width * cout;                         \
        /* Outputs past the image edge go to their own scratch row and are dropped. */         \
        float *restrict o[4];                                                                  \
        for (long i = 0; i < 2; i++) {                                                         \
            for (long j = 0; j < 2; j++) {                                                     \
                bool inside = oy + i < g.out_height && ox + j < g.out_width;                   \
                o[2 * i + j] = inside ? target + ((oy + i) * g.out_width + ox + j) * cout : junk + (2 * i + j) * cout; \
            }                                                                                  \
        }                                                                                      \
        const float *restrict mt = m + (tile - block_first) * cout;                            \
        float *restrict o0 = o[0], *restrict o1 = o[1], *restrict o2 = o[2], *restrict o3 = o[3]; \
    _Pragma("clang loop vectorize(assume_safety)")                                            \
        for (long c = 0; c < cout; c++) {                                                      \
            float s[8];                                                                        \
            for (long j = 0; j < 4; j++) {                                                     \
                float m0 = mt[j * plane + c], m1 = mt[(4 + j) * plane + c];                    \
                float m2 = mt[(8 + j) * plane + c], m3 = mt[(12 + j) * plane + c];             \
                s[j] = m0 + m1 + m2;                                                           \
                s[4 + j] = m1 - m2 - m3;                                                       \
            }                                                                                  \
            float b = bias[c];                                                                 \
            o0[c] = s[0] + s[1] + s[2] + b;                                                    \
            o1[c] = s[1] - s[2] - s[3] + b;                                                    \
            o2[c] = s[4] + s[5] + s[6] + b;                                                    \
            o3[c] = s[5] - s[6] - s[7] + b;                                                    \
        }                                                                                      \
    }

#define OUTPUT_PARAMETERS                                                                      \
    cadiff_winograd_geometry g, const float *restrict m, long cout, const float *restrict bias, \
    long first_tile, long end_tile, long block_first, long block_tiles, float *restrict junk, float *restrict y

static void output_portable(OUTPUT_PARAMETERS) { OUTPUT_BODY }

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static void weights_avx512(WEIGHTS_PARAMETERS) { WEIGHTS_BODY }
__attribute__((target("avx512f"))) static void input_avx512(INPUT_PARAMETERS) { INPUT_BODY }
__attribute__((target("avx512f"))) static void output_avx512(OUTPUT_PARAMETERS) { OUTPUT_BODY }
#endif

void cadiff_winograd_f2_weights(
    const float *packed, long cin, long cout, long first_channel, long end_channel, float *transformed
) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        weights_avx512(packed, cin, cout, first_channel, end_channel, transformed);
        return;
    }
#endif
    weights_portable(packed, cin, cout, first_channel, end_channel, transformed);
}

void cadiff_winograd_f2_input(
    cadiff_winograd_geometry g, const float *x, long cin, long first_tile, long end_tile,
    long block_first, long block_tiles, float *v
) {
    float *zeros = calloc((size_t)cin, sizeof(float));
    if (!zeros) abort();
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        input_avx512(g, x, cin, first_tile, end_tile, block_first, block_tiles, zeros, v);
        free(zeros);
        return;
    }
#endif
    input_portable(g, x, cin, first_tile, end_tile, block_first, block_tiles, zeros, v);
    free(zeros);
}

void cadiff_winograd_f2_output(
    cadiff_winograd_geometry g, const float *m, long cout, const float *bias, long first_tile, long end_tile,
    long block_first, long block_tiles, float *y
) {
    // Four dropped-output rows, then a zero bias when there is none.
    float *scratch = calloc((size_t)(5 * cout), sizeof(float));
    if (!scratch) abort();
    const float *b = bias ? bias : scratch + 4 * cout;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        output_avx512(g, m, cout, b, first_tile, end_tile, block_first, block_tiles, scratch, y);
        free(scratch);
        return;
    }
#endif
    output_portable(g, m, cout, b, first_tile, end_tile, block_first, block_tiles, scratch, y);
    free(scratch);
}
