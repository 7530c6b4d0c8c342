// Hot loops of adiff's attention kernels that need AVX-512 to be fast. Swift compiles for
// baseline x86-64 (SSE2, no FMA), so these are written in C with a runtime CPU check.
#ifndef CADIFF_KERNELS_H
#define CADIFF_KERNELS_H

#include <stdbool.h>

/// Replaces row[0..<count] with exp(row[i] - max(row)) and returns the sum of the results.
/// Entries of -inf become 0. Uses AVX-512 when the CPU has it, portable C otherwise.
float cadiff_softmax_exponentiate(float *row, long count);

/// The portable implementation, exposed so tests can check it on AVX-512 machines too.
float cadiff_softmax_exponentiate_portable(float *row, long count);

/// Whether cadiff_softmax_exponentiate takes the AVX-512 path on this CPU.
bool cadiff_kernels_have_avx512(void);

#endif
