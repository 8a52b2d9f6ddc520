#include "kernels/cpu/norm.h"

#include "kernels/cpu/vector_kernels.h"

namespace remask {

void rms_norm(const float* x, int64_t m, int64_t d, const float* weight, const float* bias,
              float eps, float* y) {
    const VectorKernels& kernels = vector_kernels();
#pragma omp parallel for schedule(static) if (m * d > 4096)
    for (int64_t i = 0; i < m; ++i) kernels.rms_norm_row(x + i * d, d, weight, bias, eps, y + i * d);
}

}  // namespace remask
