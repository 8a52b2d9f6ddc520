#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <vector>

#include "core/thread_pool.h"

namespace remask {
namespace {

// Weight rows converted together, so each x row is read once per block from cache.
constexpr int64_t kBlockRows = 8;

inline float dot(const float* a, const float* b, int64_t k) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= k; i += 8)
        for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
    float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < k; ++i) sum += a[i] * b[i];
    return sum;
}

void matmul_rows(const float* x, int64_t m, const Weight& w, float* y, int64_t n_begin,
                 int64_t n_end) {
    const int64_t k = w.cols, n = w.rows;
    std::vector<float> block(w.dtype == DType::f32 ? 0 : kBlockRows * k);
    const float* rows[kBlockRows];
    for (int64_t b = n_begin; b < n_end; b += kBlockRows) {
        const int64_t count = std::min(kBlockRows, n_end - b);
        for (int64_t r = 0; r < count; ++r) {
            if (w.dtype == DType::f32) {
                rows[r] = static_cast<const float*>(w.data) + (b + r) * k;
            } else {
                weight_row_to_f32(w, b + r, block.data() + r * k);
                rows[r] = block.data() + r * k;
            }
        }
        for (int64_t i = 0; i < m; ++i) {
            const float* xi = x + i * k;
            float* yi = y + i * n + b;
            for (int64_t r = 0; r < count; ++r) yi[r] = dot(xi, rows[r], k);
        }
    }
}

}  // namespace

void matmul_nt(const float* x, int64_t m, const Weight& w, float* y) {
    const int64_t blocks = (w.rows + kBlockRows - 1) / kBlockRows;
    // Small products are not worth waking the pool for.
    const size_t min_chunk = m * w.cols * kBlockRows < (1 << 15) ? 16 : 1;
    ThreadPool::global().parallel_for(
        static_cast<size_t>(blocks),
        [&](size_t begin, size_t end) {
            matmul_rows(x, m, w, y, static_cast<int64_t>(begin) * kBlockRows,
                        std::min(w.rows, static_cast<int64_t>(end) * kBlockRows));
        },
        min_chunk);
}

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

void add_bias_rows(float* y, int64_t m, int64_t n, const float* bias) {
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) y[i * n + j] += bias[j];
}

}  // namespace remask
