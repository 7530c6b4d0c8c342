// Hot loops of adiff's attention and convolution kernels that need AVX-512 to be fast. Swift
// compiles for baseline x86-64 (SSE2, no FMA), so these are written in C with a runtime CPU check.
#ifndef CADIFF_KERNELS_H
#define CADIFF_KERNELS_H

#include <stdbool.h>

/// Where the rows of one attention operand are: element (b, t, c) is at
/// (b / inner_batch)·outer_stride + (b % inner_batch)·inner_stride + t·token_stride + c.
typedef struct {
    long token_stride;
    long inner_batch;
    long inner_stride;
    long outer_stride;
} cadiff_sequence_layout;

/// Floats of scratch cadiff_attention_direct needs.
long cadiff_attention_direct_scratch(long heads, long d, long lq, long lk);

/// Short-sequence attention for batch entries first_batch ..< end_batch, all heads:
/// softmax(scale·q·kᵀ [causal: key j ≤ query i]) · v, row by row. Each entry's rows are
/// first copied into contiguous scratch: strided layouts (temporal attention's frames lie
/// megabytes apart, at multiples of the cache's set period) would otherwise thrash L1 and L2.
/// `scratch` holds cadiff_attention_direct_scratch(...) floats. AVX-512 when available.
void cadiff_attention_direct(
    long first_batch, long end_batch, long heads, long d, long lq, long lk, float scale, bool causal,
    const float *q, cadiff_sequence_layout q_layout, const float *k, cadiff_sequence_layout k_layout,
    const float *v, cadiff_sequence_layout v_layout, float *o, cadiff_sequence_layout o_layout,
    float *scratch);

/// The portable implementation of cadiff_attention_direct, exposed for tests.
void cadiff_attention_direct_portable(
    long first_batch, long end_batch, long heads, long d, long lq, long lk, float scale, bool causal,
    const float *q, cadiff_sequence_layout q_layout, const float *k, cadiff_sequence_layout k_layout,
    const float *v, cadiff_sequence_layout v_layout, float *o, cadiff_sequence_layout o_layout,
    float *scratch);

/// Replaces row[0..<count] with exp(row[i] - max(row)) and returns the sum of the results.
/// Entries of -inf become 0. Uses AVX-512 when the CPU has it, portable C otherwise.
float cadiff_softmax_exponentiate(float *row, long count);

/// The portable implementation, exposed so tests can check it on AVX-512 machines too.
float cadiff_softmax_exponentiate_portable(float *row, long count);

/// Whether cadiff_softmax_exponentiate takes the AVX-512 path on this CPU.
bool cadiff_kernels_have_avx512(void);

/// Where the 4×4 input tiles of a Winograd F(2×2, 3×3) stride-1 convolution lie. Tile
/// (image, ty, tx), numbered image-major then row-major, reads input rows
/// 2·ty − pad_top ..< +4 and columns 2·tx − pad_left ..< +4 (zeros outside the image) and
/// produces outputs 2·ty ..< +2, 2·tx ..< +2 (those past out_height/out_width are dropped).
typedef struct {
    long height, width;
    long out_height, out_width;
    long pad_top, pad_left;
    long tiles_y, tiles_x;
} cadiff_winograd_geometry;

/// Transforms the packed `[9·cin, cout]` weights (tap-major, see Conv2dWeights) of input
/// channels first_channel ..< end_channel into U = G·g·Gᵀ, stored as 16 matrices `[cin, cout]`
/// one after another in `transformed`.
void cadiff_winograd_f2_weights(
    const float *packed, long cin, long cout, long first_channel, long end_channel, float *transformed);

/// Transforms NHWC input tiles first_tile ..< end_tile into V = Bᵀ·d·B. The block holding
/// them starts at tile block_first and has room for block_tiles tiles: `v` is 16 matrices
/// `[block_tiles, cin]`, tile t in row t − block_first.
void cadiff_winograd_f2_input(
    cadiff_winograd_geometry g, const float *x, long cin, long first_tile, long end_tile,
    long block_first, long block_tiles, float *v);

/// Transforms the 16 product matrices `m` (`[block_tiles, cout]` each, laid out as `v` in
/// cadiff_winograd_f2_input) of tiles first_tile ..< end_tile into Y = Aᵀ·m·A, adds `bias`
/// (`cout` floats, or NULL) and writes the outputs that lie inside the NHWC output `y`.
void cadiff_winograd_f2_output(
    cadiff_winograd_geometry g, const float *m, long cout, const float *bias, long first_tile, long end_tile,
    long block_first, long block_tiles, float *y);

#endif
