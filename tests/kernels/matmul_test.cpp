// PackedLinear (oneDNN, packed weights) against the plain triple loop, for every compute
// type: exact-to-rounding in f32, within the stated bounds in bf16 and int8.

#include "kernels/cpu/linear.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "kernels/cpu/matmul.h"
#include "kernel_test_support.h"

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

// Relative Frobenius error allowed per compute type: float32 rounding; bf16 activations
// (8-bit mantissa, ~2^-9 per element, averaging out over k); int8 weights and activations.
double tolerance(ComputeType type) {
    return type == ComputeType::f32 ? 1e-6 : type == ComputeType::bf16 ? 8e-3 : 3e-2;
}

class PackedLinearTest
    : public testing::TestWithParam<std::tuple<ComputeType, DType, int64_t, int64_t, int64_t>> {};

TEST_P(PackedLinearTest, MatchesTripleLoopWithStackedPartsBiasAndAccumulate) {
    const auto [type, dtype, m, n, k] = GetParam();
    if (!compute_type_supported(type)) GTEST_SKIP() << compute_type_name(type) << " not on this CPU";
    std::mt19937 rng(static_cast<unsigned>(m * 1000 + n * 10 + k));
    // Two parts stacked (as q|k|v are), the second without a bias.
    StoredWeight a = make_weight(dtype, n, k, rng), b = make_weight(dtype, n / 2 + 1, k, rng);
    const std::vector<float> bias_a = test::random_floats(n, rng);
    const std::vector<float> x = test::random_floats(m * k, rng);
    const int64_t out = n + n / 2 + 1;
    const PackedLinear linear = PackedLinear::pack({a.view, b.view}, {bias_a, {}}, type);
    ASSERT_EQ(linear.out_features(), out);
    ASSERT_EQ(linear.in_features(), k);

    std::vector<float> ya(m * n), yb(m * (n / 2 + 1)), expected(m * out);
    matmul_nt_reference(x.data(), m, a.view, ya.data());
    matmul_nt_reference(x.data(), m, b.view, yb.data());
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) expected[i * out + j] = ya[i * n + j] + bias_a[j];
        for (int64_t j = 0; j <= n / 2; ++j) expected[i * out + n + j] = yb[i * (n / 2 + 1) + j];
    }
    std::vector<float> y(m * out);
    linear.apply(x.data(), m, y.data());
    EXPECT_LT(test::kernel_relative_error(y, expected), tolerance(type));

    // accumulate: y += x·Wᵀ + b on top of what is there.
    const std::vector<float> base = test::random_floats(m * out, rng);
    std::vector<float> sum = base, expected_sum(m * out);
    for (int64_t i = 0; i < m * out; ++i) expected_sum[i] = base[i] + expected[i];
    linear.apply(x.data(), m, sum.data(), /*accumulate=*/true);
    EXPECT_LT(test::kernel_relative_error(sum, expected_sum), tolerance(type));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PackedLinearTest,
    testing::Combine(testing::Values(ComputeType::f32, ComputeType::bf16, ComputeType::int8),
                     testing::Values(DType::f32, DType::bf16, DType::f16), testing::Values(1, 5, 33),
                     testing::Values(13, 67), testing::Values(3, 64, 70)),
    [](const auto& info) {
        return compute_type_name(std::get<0>(info.param)) + "_" + dtype_name(std::get<1>(info.param)) + "_m" +
               std::to_string(std::get<2>(info.param)) + "_n" + std::to_string(std::get<3>(info.param)) + "_k" +
               std::to_string(std::get<4>(info.param));
    });

TEST(PackedLinear, LargeMatricesArePackedInChunksCorrectly) {
    // 9000 + 301 stacked rows: several 4096-row chunks, a ragged tail, a part boundary
    // inside a chunk.
    std::mt19937 rng(7);
    StoredWeight a = make_weight(DType::bf16, 9000, 40, rng), b = make_weight(DType::f32, 301, 40, rng);
    const std::vector<float> x = test::random_floats(3 * 40, rng);
    std::vector<float> ya(3 * 9000), yb(3 * 301), expected(3 * 9301);
    matmul_nt_reference(x.data(), 3, a.view, ya.data());
    matmul_nt_reference(x.data(), 3, b.view, yb.data());
    for (int64_t i = 0; i < 3; ++i) {
        std::copy_n(ya.begin() + i * 9000, 9000, expected.begin() + i * 9301);
        std::copy_n(yb.begin() + i * 301, 301, expected.begin() + i * 9301 + 9000);
    }
    for (ComputeType type : {ComputeType::f32, ComputeType::bf16, ComputeType::int8}) {
        if (!compute_type_supported(type)) continue;
        std::vector<float> y(3 * 9301);
        PackedLinear::pack({a.view, b.view}, {{}, {}}, type).apply(x.data(), 3, y.data());
        EXPECT_LT(test::kernel_relative_error(y, expected), tolerance(type)) << compute_type_name(type);
        // Also a single part read where it lies (no plain copy), in chunks.
        std::vector<float> y_single(3 * 9000);
        PackedLinear::pack({a.view}, {{}}, type).apply(x.data(), 3, y_single.data());
        EXPECT_LT(test::kernel_relative_error(y_single, ya), tolerance(type)) << compute_type_name(type) << " single part";
    }
}

TEST(PackedLinear, Float32IsExactToRoundingOnBf16Weights) {
    // bf16 weights computed in f32 see exactly the stored values: only summation order differs.
    std::mt19937 rng(3);
    StoredWeight w = make_weight(DType::bf16, 40, 96, rng);
    const std::vector<float> x = test::random_floats(7 * 96, rng);
    std::vector<float> y(7 * 40), expected(7 * 40);
    PackedLinear::pack({w.view}, {{}}, ComputeType::f32).apply(x.data(), 7, y.data());
    matmul_nt_reference(x.data(), 7, w.view, expected.data());
    for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-4) << i;
}

TEST(PackedLinear, SameInputsGiveBitIdenticalOutputs) {
    std::mt19937 rng(5);
    StoredWeight w = make_weight(DType::bf16, 300, 128, rng);
    const std::vector<float> x = test::random_floats(50 * 128, rng);
    for (ComputeType type : {ComputeType::f32, ComputeType::bf16, ComputeType::int8}) {
        if (!compute_type_supported(type)) continue;
        const PackedLinear linear = PackedLinear::pack({w.view}, {{}}, type);
        std::vector<float> first(50 * 300), second(50 * 300);
        linear.apply(x.data(), 50, first.data());
        linear.apply(x.data(), 50, second.data());
        EXPECT_EQ(first, second) << compute_type_name(type);
    }
}

}  // namespace
}  // namespace remask
