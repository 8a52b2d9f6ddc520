#pragma once
// Matrix products against stored weights (the "nt" form of every linear layer:
// y = x · wᵀ, with w laid out [out_features, in_features] as in PyTorch checkpoints).

#include <cstdint>

#include "kernels/cpu/dtype.h"

namespace remask {

// x: [m, w.cols] float32, w: [n = w.rows, k = w.cols] any dtype, y: [m, n] float32 (written).
// Parallel over n with ThreadPool::global(); weights are widened to float32 on the fly.
void matmul_nt(const float* x, int64_t m, const Weight& w, float* y);

// The plain triple loop (double accumulation) that matmul_nt is tested against.
void matmul_nt_reference(const float* x, int64_t m, const Weight& w, float* y);

// y: [m, n] += bias: [n] broadcast over rows.
void add_bias_rows(float* y, int64_t m, int64_t n, const float* bias);

}  // namespace remask
