#include "kernels/cpu/norm.h"

#include <cmath>

#include "core/thread_pool.h"

namespace remask {

void rms_norm(const float* x, int64_t m, int64_t d, const float* weight, const float* bias,
              float eps, float* y) {
    ThreadPool::global().parallel_for(
        static_cast<size_t>(m),
        [&](size_t begin, size_t end) {
            for (size_t i = begin; i < end; ++i) {
                const float* xi = x + i * d;
                float* yi = y + i * d;
                double sum = 0;
                for (int64_t j = 0; j < d; ++j) sum += double(xi[j]) * xi[j];
                const float scale = static_cast<float>(1.0 / std::sqrt(sum / d + eps));
                for (int64_t j = 0; j < d; ++j) {
                    float v = xi[j] * scale;
                    if (weight) v *= weight[j];
                    if (bias) v += bias[j];
                    yi[j] = v;
                }
            }
        },
        64);
}

}  // namespace remask
