#include "kernels/cpu/elementwise.h"

#include <cmath>

namespace remask {

void silu_mul(const float* gate, const float* up, int64_t n, float* out) {
    for (int64_t i = 0; i < n; ++i) {
        const float g = gate[i];
        out[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

void add_inplace(float* y, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

void scale_inplace(float* y, int64_t n, float factor) {
    for (int64_t i = 0; i < n; ++i) y[i] *= factor;
}

void embedding_lookup(const Weight& table, const int32_t* ids, int64_t n, float* out) {
    for (int64_t i = 0; i < n; ++i) weight_row_to_f32(table, ids[i], out + i * table.cols);
}

}  // namespace remask
