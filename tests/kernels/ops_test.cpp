// Norm, RoPE, attention and element-wise kernels against naive double-precision references,
// and the engine's thread setup.

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/onednn.h"
#include "kernels/cpu/rope.h"

namespace remask {
namespace {

std::vector<float> ops_random_vector(int64_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

TEST(RmsNorm, MatchesFormulaWithWeightAndBias) {
    const int64_t m = 3, d = 37;
    auto x = ops_random_vector(m * d, 1), w = ops_random_vector(d, 2), b = ops_random_vector(d, 3);
    std::vector<float> y(m * d), y_plain(m * d);
    rms_norm(x.data(), m, d, w.data(), b.data(), 1e-5f, y.data());
    rms_norm(x.data(), m, d, nullptr, nullptr, 1e-5f, y_plain.data());
    for (int64_t i = 0; i < m; ++i) {
        double ms = 0;
        for (int64_t j = 0; j < d; ++j) ms += double(x[i * d + j]) * x[i * d + j];
        const double inv = 1.0 / std::sqrt(ms / d + 1e-5);
        for (int64_t j = 0; j < d; ++j) {
            EXPECT_NEAR(y[i * d + j], x[i * d + j] * inv * w[j] + b[j], 1e-5);
            EXPECT_NEAR(y_plain[i * d + j], x[i * d + j] * inv, 1e-5);
        }
    }
}

TEST(Rope, RotatesFirstAndSecondHalves) {
    const int64_t t = 5, heads = 3, dim = 8, first = 7;
    const double theta = 10000.0;
    auto x = ops_random_vector(t * heads * dim, 4);
    auto y = x;
    RopeTable table(dim, theta, 4);  // grows on reserve
    table.reserve(first + t);
    apply_rope(y.data(), t, heads, heads * dim, first, table);
    for (int64_t i = 0; i < t; ++i)
        for (int64_t h = 0; h < heads; ++h)
            for (int64_t j = 0; j < dim; ++j) {
                const int64_t f = j % (dim / 2);
                const double angle = double(first + i) * std::pow(theta, -2.0 * f / dim);
                const float* v = x.data() + (i * heads + h) * dim;
                const double rotated = j < dim / 2 ? -v[j + dim / 2] : v[j - dim / 2];
                const double expected = v[j] * std::cos(angle) + rotated * std::sin(angle);
                EXPECT_NEAR(y[(i * heads + h) * dim + j], expected, 1e-5);
            }
}

// Naive attention: repeat KV heads, full score matrix, optional causal mask.
std::vector<float> naive_attention(const AttentionShape& s, const std::vector<float>& q,
                                   const std::vector<float>& k, const std::vector<float>& v) {
    const int64_t dh = s.head_dim, qd = s.q_heads * dh, kvd = s.kv_heads * dh;
    std::vector<float> out(s.queries * qd);
    for (int64_t h = 0; h < s.q_heads; ++h) {
        const int64_t kvh = h * s.kv_heads / s.q_heads;
        for (int64_t i = 0; i < s.queries; ++i) {
            std::vector<double> p(s.keys, 0.0);
            double max_score = -1e300;
            for (int64_t j = 0; j < s.keys; ++j) {
                if (s.causal && j > s.first_query_position + i) continue;
                double dot = 0;
                for (int64_t d = 0; d < dh; ++d) dot += double(q[i * qd + h * dh + d]) * k[j * kvd + kvh * dh + d];
                p[j] = dot / std::sqrt(double(dh));
                max_score = std::max(max_score, p[j]);
            }
            double total = 0;
            for (int64_t j = 0; j < s.keys; ++j) {
                p[j] = (s.causal && j > s.first_query_position + i) ? 0.0 : std::exp(p[j] - max_score);
                total += p[j];
            }
            for (int64_t d = 0; d < dh; ++d) {
                double acc = 0;
                for (int64_t j = 0; j < s.keys; ++j) acc += p[j] * v[j * kvd + kvh * dh + d];
                out[i * qd + h * dh + d] = static_cast<float>(acc / total);
            }
        }
    }
    return out;
}

class AttentionTest : public testing::TestWithParam<std::tuple<bool, int64_t, int64_t>> {};

TEST_P(AttentionTest, MatchesNaive) {
    const auto [causal, kv_heads, first] = GetParam();
    AttentionShape s;
    s.queries = 6;
    s.keys = causal ? first + s.queries : 9;
    s.q_heads = 4;
    s.kv_heads = kv_heads;
    s.head_dim = 8;
    s.causal = causal;
    s.first_query_position = causal ? first : 0;
    const int64_t qd = s.q_heads * s.head_dim, kvd = s.kv_heads * s.head_dim;
    auto q = ops_random_vector(s.queries * qd, 5), k = ops_random_vector(s.keys * kvd, 6),
         v = ops_random_vector(s.keys * kvd, 7);
    std::vector<float> out(s.queries * qd);
    attention(s, q.data(), qd, k.data(), v.data(), kvd, out.data(), qd);
    auto expected = naive_attention(s, q, k, v);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], expected[i], 1e-5) << i;
    std::vector<float> plain(out.size());
    attention_reference(s, q.data(), qd, k.data(), v.data(), kvd, plain.data(), qd);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(plain[i], expected[i], 1e-5) << i;
}

TEST(Attention, FastMatchesReferenceAtModelSizesWithStridedRows) {
    // Qwen2.5-0.5B's head layout (14 query heads over 2 KV heads of 64), q|k|v stacked in
    // one row as the engine stores them, 70 and 300 queries over as many keys, both masks.
    const std::pair<bool, int64_t> cases[] = {{false, 70}, {true, 70}, {false, 300}, {true, 300}};
    for (const auto& [causal, length] : cases) {
        AttentionShape s;
        s.queries = s.keys = length;
        s.q_heads = 14;
        s.kv_heads = 2;
        s.head_dim = 64;
        s.causal = causal;
        const int64_t qd = 14 * 64, kvd = 2 * 64, stride = qd + 2 * kvd;
        auto qkv = ops_random_vector(s.queries * stride, 11);
        std::vector<float> fast(s.queries * qd), plain(s.queries * qd);
        attention(s, qkv.data(), stride, qkv.data() + qd, qkv.data() + qd + kvd, stride, fast.data(), qd);
        attention_reference(s, qkv.data(), stride, qkv.data() + qd, qkv.data() + qd + kvd, stride, plain.data(),
                            qd);
        for (size_t i = 0; i < fast.size(); ++i)
            ASSERT_NEAR(fast[i], plain[i], 1e-5) << i << " causal " << causal << " length " << length;
    }
}

INSTANTIATE_TEST_SUITE_P(Masks, AttentionTest,
                         testing::Combine(testing::Bool(), testing::Values(1, 2, 4),
                                          testing::Values(0, 3)));

TEST(Elementwise, ScaleInplace) {
    std::vector<float> out = {-2, 0, 1.5f};
    scale_inplace(out.data(), 3, 2.0f);
    EXPECT_EQ(out, (std::vector<float>{-4, 0, 3}));
}

TEST(Elementwise, EmbeddingLookupWidensRows) {
    std::vector<uint16_t> table;
    for (int i = 0; i < 8; ++i) table.push_back(f32_to_bf16(float(i)));
    const int32_t ids[2] = {3, 1};
    std::vector<float> out(4);
    embedding_lookup(Weight{DType::bf16, table.data(), 4, 2}, ids, 2, out.data());
    EXPECT_EQ(out, (std::vector<float>{6, 7, 2, 3}));
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

TEST(EngineThreads, EveryCallingThreadGetsThePoolSize) {
    // OpenMP keeps its thread count per thread: a server thread must be set up too.
    std::thread worker([] {
        omp_set_num_threads(7);
        use_engine_threads();
        EXPECT_EQ(engine_threads(), static_cast<int64_t>(ThreadPool::global().size()));
    });
    worker.join();
}

}  // namespace
}  // namespace remask
