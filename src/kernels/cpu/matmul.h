#pragma once
// The plain matrix product against stored weights (the "nt" form of every linear layer:
// y = x · wᵀ, with w laid out [out_features, in_features] as in PyTorch checkpoints).
// The engine computes with PackedLinear (linear.h); this is what its tests compare to.

#include <cstdint>

#include "kernels/cpu/dtype.h"

namespace remask {

// x: [m, w.cols] float32, w: [n = w.rows, k = w.cols] any dtype, y: [m, n] float32
// (written): the triple loop, weights widened to float32, double accumulation.
void matmul_nt_reference(const float* x, int64_t m, const Weight& w, float* y);

}  // namespace remask
