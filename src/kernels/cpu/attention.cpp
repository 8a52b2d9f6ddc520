#include "kernels/cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/onednn.h"
#include "kernels/cpu/vector_kernels.h"

namespace remask {

void attention(const AttentionShape& shape, const float* q, int64_t q_stride, const float* k,
               const float* v, int64_t kv_stride, float* out, int64_t out_stride) {
    const int64_t dh = shape.head_dim, t = shape.queries, s = shape.keys;
    const int64_t group = shape.q_heads / shape.kv_heads;
    const float scale = static_cast<float>(1.0 / std::sqrt(double(dh)));
    const VectorKernels& kernels = vector_kernels();
    // Shared by every calling thread (forwards run one at a time), see PackedLinear::apply.
    static std::mutex scores_mutex;
    static std::vector<float> scores;
    std::lock_guard<std::mutex> lock(scores_mutex);
    if (static_cast<int64_t>(scores.size()) < t * s) scores.resize(t * s);
    float* p = scores.data();
    for (int64_t h = 0; h < shape.q_heads; ++h) {
        const int64_t kvh = h / group;
        strided_matmul({q + h * dh, t, dh, q_stride, 1}, {k + kvh * dh, dh, s, 1, kv_stride}, scale, p, s);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < t; ++i) {
            const int64_t visible = shape.causal ? std::min(s, shape.first_query_position + i + 1) : s;
            kernels.softmax_row(p + i * s, visible, s, 1.0f);
        }
        strided_matmul({p, t, s, s, 1}, {v + kvh * dh, s, dh, kv_stride, 1}, 1.0f, out + h * dh, out_stride);
    }
}

void attention_reference(const AttentionShape& shape, const float* q, int64_t q_stride, const float* k,
               const float* v, int64_t kv_stride, float* out, int64_t out_stride) {
    const int64_t dh = shape.head_dim;
    const int64_t group = shape.q_heads / shape.kv_heads;
    const float scale = static_cast<float>(1.0 / std::sqrt(double(dh)));
    const size_t items = static_cast<size_t>(shape.q_heads * shape.queries);
    ThreadPool::global().parallel_for(
        items,
        [&](size_t begin, size_t end) {
            std::vector<float> scores(shape.keys);
            std::vector<float> acc(dh);
            for (size_t item = begin; item < end; ++item) {
                const int64_t h = static_cast<int64_t>(item) / shape.queries;
                const int64_t i = static_cast<int64_t>(item) % shape.queries;
                const int64_t kvh = h / group;
                const float* qi = q + i * q_stride + h * dh;
                int64_t visible = shape.keys;
                if (shape.causal) visible = std::min(visible, shape.first_query_position + i + 1);
                float max_score = -INFINITY;
                for (int64_t j = 0; j < visible; ++j) {
                    const float* kj = k + j * kv_stride + kvh * dh;
                    float dot = 0;
                    for (int64_t d = 0; d < dh; ++d) dot += qi[d] * kj[d];
                    scores[j] = dot * scale;
                    max_score = std::max(max_score, scores[j]);
                }
                double total = 0;
                for (int64_t j = 0; j < visible; ++j) {
                    scores[j] = std::exp(scores[j] - max_score);
                    total += scores[j];
                }
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (int64_t j = 0; j < visible; ++j) {
                    const float* vj = v + j * kv_stride + kvh * dh;
                    const float p = scores[j];
                    for (int64_t d = 0; d < dh; ++d) acc[d] += p * vj[d];
                }
                float* oi = out + i * out_stride + h * dh;
                const float inv_total = static_cast<float>(1.0 / total);
                for (int64_t d = 0; d < dh; ++d) oi[d] = acc[d] * inv_total;
            }
        },
        4);
}

}  // namespace remask
