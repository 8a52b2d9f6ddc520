#include "kernels/cpu/elementwise.h"

namespace remask {

void scale_inplace(float* y, int64_t n, float factor) {
    for (int64_t i = 0; i < n; ++i) y[i] *= factor;
}

void embedding_lookup(const Weight& table, const int32_t* ids, int64_t n, float* out) {
    for (int64_t i = 0; i < n; ++i) weight_row_to_f32(table, ids[i], out + i * table.cols);
}

}  // namespace remask
