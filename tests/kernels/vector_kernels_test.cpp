// Each compiled variant of the row kernels (AVX2 and, where the CPU has it, AVX-512)
// against the plain reference versions.

#include "kernels/cpu/vector_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace remask {
namespace {

std::vector<float> random_vector(int64_t n, unsigned seed, float spread = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, spread);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

// Lengths around every vector width (8, 16) and a long row.
const int64_t kLengths[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 896, 1001};

class VectorKernelsTest : public testing::TestWithParam<Isa> {
protected:
    void SetUp() override {
        fast_ = vector_kernels_for(GetParam());
        if (!fast_) GTEST_SKIP() << isa_name(GetParam()) << " is not available on this CPU";
    }
    const VectorKernels* fast_ = nullptr;
    const VectorKernels& ref_ = reference_kernels();
};

TEST_P(VectorKernelsTest, RmsNorm) {
    for (int64_t d : kLengths) {
        const auto x = random_vector(d, 1, 3.0f), w = random_vector(d, 2), b = random_vector(d, 3);
        for (int mode = 0; mode < 3; ++mode) {  // weight+bias, weight only, neither
            const float* wp = mode < 2 ? w.data() : nullptr;
            const float* bp = mode == 0 ? b.data() : nullptr;
            std::vector<float> got(d), want(d);
            fast_->rms_norm_row(x.data(), d, wp, bp, 1e-6f, got.data());
            ref_.rms_norm_row(x.data(), d, wp, bp, 1e-6f, want.data());
            for (int64_t i = 0; i < d; ++i) EXPECT_NEAR(got[i], want[i], 2e-6 * (1 + std::fabs(want[i]))) << d;
        }
    }
}

TEST_P(VectorKernelsTest, Bf16RoundingIsBitExact) {
    auto x = random_vector(1001, 4, 100.0f);
    x[0] = std::numeric_limits<float>::quiet_NaN();
    x[1] = std::numeric_limits<float>::infinity();
    x[2] = -0.0f;
    x[3] = 1.00390625f;  // exactly halfway between two bf16 values: rounds to even
    x[4] = 3.0e38f;      // rounds up to infinity
    std::vector<uint16_t> got(x.size()), want(x.size());
    fast_->to_bf16(x.data(), static_cast<int64_t>(x.size()), got.data());
    ref_.to_bf16(x.data(), static_cast<int64_t>(x.size()), want.data());
    EXPECT_TRUE((got[0] & 0x7fff) > 0x7f80) << "NaN stays NaN";
    for (size_t i = 1; i < x.size(); ++i) EXPECT_EQ(got[i], want[i]) << i << " " << x[i];
}

TEST_P(VectorKernelsTest, SoftmaxWithVisiblePrefix) {
    for (int64_t n : kLengths) {
        for (int64_t visible : {int64_t(1), (n + 1) / 2, n}) {
            auto s = random_vector(n, 5, 8.0f);
            auto want = s;
            fast_->softmax_row(s.data(), visible, n, 0.125f);
            ref_.softmax_row(want.data(), visible, n, 0.125f);
            double total = 0;
            for (int64_t j = 0; j < n; ++j) {
                EXPECT_NEAR(s[j], want[j], 1e-6 + 1e-5 * want[j]) << n << "/" << visible << " at " << j;
                total += s[j];
            }
            EXPECT_NEAR(total, 1.0, 1e-5);
        }
    }
}

TEST_P(VectorKernelsTest, SiluMul) {
    for (int64_t n : kLengths) {
        const auto g = random_vector(n, 6, 6.0f), u = random_vector(n, 7);
        std::vector<float> got(n), want(n);
        fast_->silu_mul(g.data(), u.data(), n, got.data());
        ref_.silu_mul(g.data(), u.data(), n, want.data());
        for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], want[i], 1e-6 * (1 + std::fabs(want[i]))) << i;
    }
    // Saturated inputs stay finite: silu(-200) = -0, silu(200) = 200.
    const float g[2] = {-200.0f, 200.0f}, u[2] = {1.0f, 1.0f};
    float out[2];
    fast_->silu_mul(g, u, 2, out);
    EXPECT_NEAR(out[0], 0.0f, 1e-30);
    EXPECT_FLOAT_EQ(out[1], 200.0f);
}

TEST_P(VectorKernelsTest, QuantizeAndDequantizeRows) {
    for (int64_t k : kLengths) {
        const auto x = random_vector(k, 8, 2.0f);
        std::vector<uint8_t> got(k), want(k);
        const float s_got = fast_->quantize_row_u8(x.data(), k, got.data());
        const float s_want = ref_.quantize_row_u8(x.data(), k, want.data());
        EXPECT_EQ(s_got, s_want);
        for (int64_t i = 0; i < k; ++i) EXPECT_NEAR(int(got[i]), int(want[i]), 1) << i;
        // Dequantizing q·1 (a one-column identity) gives x back to half a step.
        for (int64_t i = 0; i < k; ++i) EXPECT_NEAR((int(got[i]) - 128) * s_got, x[i], 0.51 * s_got);
    }
    std::vector<uint8_t> zero_q(16);
    const std::vector<float> zeros(16, 0.0f);
    EXPECT_EQ(fast_->quantize_row_u8(zeros.data(), 16, zero_q.data()), 1.0f);
    EXPECT_EQ(zero_q, std::vector<uint8_t>(16, 128));

    for (int64_t n : kLengths) {
        std::mt19937 rng(9);
        std::uniform_int_distribution<int32_t> value(-100000, 100000), sums(-3000, 3000);
        std::vector<int32_t> acc(n), colsum(n);
        for (auto& a : acc) a = value(rng);
        for (auto& c : colsum) c = sums(rng);
        const auto col_scale = random_vector(n, 10), bias = random_vector(n, 11), base = random_vector(n, 12);
        for (bool accumulate : {false, true}) {
            std::vector<float> got = base, want = base;
            fast_->dequantize_row(acc.data(), n, 0.01f, col_scale.data(), colsum.data(), bias.data(), accumulate,
                                  got.data());
            ref_.dequantize_row(acc.data(), n, 0.01f, col_scale.data(), colsum.data(), bias.data(), accumulate,
                                want.data());
            for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], want[i], 1e-5 * (1 + std::fabs(want[i]))) << i;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Isas, VectorKernelsTest, testing::Values(Isa::avx2, Isa::avx512),
                         [](const auto& info) { return isa_name(info.param); });

TEST(VectorKernels, ActiveVariantFollowsTheCpu) {
    const VectorKernels& active = vector_kernels();
    EXPECT_EQ(&active, vector_kernels_for(active.isa));
    EXPECT_LE(active.isa, detected_isa());
}

}  // namespace
}  // namespace remask
