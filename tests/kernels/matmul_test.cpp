#include "kernels/cpu/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

namespace remask {
namespace {

struct StoredWeight {
    std::vector<float> f32;
    std::vector<uint16_t> half;
    Weight view;
};

StoredWeight make_weight(DType dtype, int64_t n, int64_t k, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    StoredWeight s;
    s.f32.resize(n * k);
    for (float& v : s.f32) v = normal(rng);
    if (dtype == DType::f32) {
        s.view = {dtype, s.f32.data(), n, k};
        return s;
    }
    s.half.resize(n * k);
    for (int64_t i = 0; i < n * k; ++i)
        s.half[i] = dtype == DType::bf16 ? f32_to_bf16(s.f32[i]) : f32_to_f16(s.f32[i]);
    s.view = {dtype, s.half.data(), n, k};
    return s;
}

class MatmulTest : public testing::TestWithParam<std::tuple<DType, int64_t, int64_t, int64_t>> {};

TEST_P(MatmulTest, MatchesNaiveTripleLoop) {
    const auto [dtype, m, n, k] = GetParam();
    std::mt19937 rng(static_cast<unsigned>(m * 1000 + n * 10 + k));
    StoredWeight w = make_weight(dtype, n, k, rng);
    std::normal_distribution<float> normal;
    std::vector<float> x(m * k);
    for (float& v : x) v = normal(rng);

    std::vector<float> y(m * n), expected(m * n);
    matmul_nt(x.data(), m, w.view, y.data());
    // Independent check: widen each stored element by hand, accumulate in double.
    std::vector<float> row(k);
    for (int64_t j = 0; j < n; ++j) {
        weight_row_to_f32(w.view, j, row.data());
        for (int64_t i = 0; i < m; ++i) {
            double sum = 0;
            for (int64_t t = 0; t < k; ++t) sum += double(x[i * k + t]) * row[t];
            expected[i * n + j] = static_cast<float>(sum);
        }
    }
    for (int64_t i = 0; i < m * n; ++i)
        EXPECT_NEAR(y[i], expected[i], 1e-4 * std::sqrt(double(k))) << "element " << i;

    std::vector<float> reference(m * n);
    matmul_nt_reference(x.data(), m, w.view, reference.data());
    EXPECT_EQ(reference, expected);
}

INSTANTIATE_TEST_SUITE_P(Shapes, MatmulTest,
                         testing::Combine(testing::Values(DType::f32, DType::bf16, DType::f16),
                                          testing::Values(1, 5), testing::Values(1, 13, 67),
                                          testing::Values(3, 64, 70)));

TEST(Matmul, AddBiasRowsBroadcasts) {
    std::vector<float> y = {1, 2, 3, 4, 5, 6};
    const float bias[3] = {10, 20, 30};
    add_bias_rows(y.data(), 2, 3, bias);
    EXPECT_EQ(y, (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

}  // namespace
}  // namespace remask
