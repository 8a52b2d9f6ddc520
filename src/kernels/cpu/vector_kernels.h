#pragma once
// The engine's own row kernels (norms, bf16 conversion, softmax, SwiGLU, int8 activation
// quantization), compiled once for AVX2 and once for AVX-512 and chosen at run time.
//
//   const VectorKernels& k = vector_kernels();      // for active_isa()
//   k.softmax_row(scores, visible, n, scale);
//
// Every entry works on one row on the calling thread; callers spread rows over threads.
// `reference_kernels()` holds the plain scalar versions the tests compare against.

#include <cstdint>

#include "kernels/cpu/cpu_features.h"

namespace remask {

struct VectorKernels {
    Isa isa;
    // y[0, d) = x / sqrt(mean(x²) + eps) * weight + bias (weight, bias may be null; y may be x).
    void (*rms_norm_row)(const float* x, int64_t d, const float* weight, const float* bias,
                         float eps, float* y);
    // y[0, n) = x rounded to bf16 (nearest even, NaN stays NaN).
    void (*to_bf16)(const float* x, int64_t n, uint16_t* y);
    // s[0, visible) = softmax(scale · s[0, visible)); s[visible, n) = 0.
    void (*softmax_row)(float* s, int64_t visible, int64_t n, float scale);
    // out[0, n) = silu(gate) * up (out may alias gate or up).
    void (*silu_mul)(const float* gate, const float* up, int64_t n, float* out);
    // q[0, k) = round(x / s) + 128 with s = max|x| / 127 (s = 1 for a zero row); returns s.
    float (*quantize_row_u8)(const float* x, int64_t k, uint8_t* q);
    // Undoes quantize_row_u8 on a u8·s8 product row acc[0, n):
    //   y[j] (+)= (acc[j] - 128 · colsum[j]) · row_scale · col_scale[j] + bias[j]
    // (bias may be null; accumulate adds to y instead of overwriting it).
    void (*dequantize_row)(const int32_t* acc, int64_t n, float row_scale, const float* col_scale,
                           const int32_t* colsum, const float* bias, bool accumulate, float* y);
};

const VectorKernels& vector_kernels();
// The kernels compiled for `isa`, or nullptr when this CPU cannot run them.
const VectorKernels* vector_kernels_for(Isa isa);
const VectorKernels& reference_kernels();

}  // namespace remask
