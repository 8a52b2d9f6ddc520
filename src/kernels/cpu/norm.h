#pragma once
// RMSNorm in float32 whatever the weights' type (as HF upcasts to fp32), rows spread over the
// OpenMP threads; reference_kernels().rms_norm_row is the double-precision version.

#include <cstdint>

namespace remask {

// x, y: [m, d] (may alias). y = x / sqrt(mean(x²) + eps) * weight + bias.
// weight, bias: [d] or nullptr (no scale / no shift).
void rms_norm(const float* x, int64_t m, int64_t d, const float* weight, const float* bias,
              float eps, float* y);

}  // namespace remask
