#include "kernels/cpu/matmul.h"

#include <vector>

namespace remask {

void matmul_nt_reference(const float* x, int64_t m, const Weight& w, float* y) {
    std::vector<float> row(w.cols);
    for (int64_t j = 0; j < w.rows; ++j) {
        weight_row_to_f32(w, j, row.data());
        for (int64_t i = 0; i < m; ++i) {
            double sum = 0;
            for (int64_t t = 0; t < w.cols; ++t) sum += double(x[i * w.cols + t]) * row[t];
            y[i * w.rows + j] = static_cast<float>(sum);
        }
    }
}

}  // namespace remask
