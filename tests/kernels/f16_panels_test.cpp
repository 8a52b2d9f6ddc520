// The float16 panel kernels (f16_panels.h) against the exact product of the same bf16
// weights (bf16_panel_product_reference, double sums): within float16's documented error in
// half precision, exact (float32) when the overflow guard sends a product there; stacked
// parts, partial row tiles and panels, k not a multiple of the float16 sum length, bias and
// accumulate. And where it refuses: weights past float16's range.

#include "kernels/cpu/f16_panels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/cpu/bf16_panels.h"
#include "kernel_test_support.h"

namespace remask {
namespace {

TEST(F16Panels, HalfPrecisionWithinItsErrorAndExactBehindTheGuard) {
    if (!has_f16_products()) GTEST_SKIP() << "no AVX-512 FP16 here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(11);
    const struct {
        int64_t m, k;
        std::vector<int64_t> rows;
    } shapes[] = {{25, 201, {70}}, {12, 300, {64, 32}}, {1, 7, {3}}, {13, 128, {40, 24}}};
    for (const auto& shape : shapes) {
        test::Bf16TestMatrix w = test::random_bf16_matrix(shape.k, shape.rows, rng);
        auto product = F16PanelProduct::make(w.parts, /*release_source=*/false);
        ASSERT_NE(product, nullptr);
        EXPECT_EQ(product->out_features(), w.n);
        const std::vector<float> x = test::random_floats(shape.m * shape.k, rng), bias = test::random_floats(w.n, rng),
                                 start = test::random_floats(shape.m * w.n, rng);
        for (const float scale : {1.0f, 1e5f}) {  // 1e5: past the guard, computed exactly
            std::vector<float> scaled = x;
            for (auto& v : scaled) v *= scale;
            const bool half = scale == 1.0f;
            ASSERT_EQ(product->runs_in_f16(scale * 5.0f), half);
            for (const bool accumulate : {false, true})
                for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
                    std::vector<float> got = start, want = start;
                    product->apply(scaled.data(), shape.m, got.data(), b, accumulate);
                    bf16_panel_product_reference(w.parts, scaled.data(), shape.m, want.data(), b, accumulate);
                    EXPECT_LT(test::kernel_relative_error(got, want), half ? 5e-3 : 1e-6)
                        << "m " << shape.m << " k " << shape.k << " scale " << scale << " accumulate " << accumulate;
                }
        }
        std::vector<float> row(shape.k);
        product->row_to_f32(w.n - 1, row.data());
        const uint16_t* last = w.storage.back().data() + (shape.rows.back() - 1) * shape.k;
        for (int64_t j = 0; j < shape.k; ++j)
            if (std::abs(bf16_to_f32(last[j])) >= 6.2e-5f) EXPECT_EQ(row[j], bf16_to_f32(last[j])) << j;
    }
}

TEST(F16Panels, RefusesWeightsPastFloat16sRange) {
    if (!has_f16_products()) GTEST_SKIP() << "no AVX-512 FP16 here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(3);
    test::Bf16TestMatrix w = test::random_bf16_matrix(64, {32}, rng);
    EXPECT_NE(F16PanelProduct::make(w.parts, false), nullptr);
    w.storage[0][100] = f32_to_bf16(-70000.0f);
    EXPECT_EQ(F16PanelProduct::make(w.parts, false), nullptr);
    w.storage[0][100] = f32_to_bf16(65280.0f);  // the largest bf16 float16 holds
    EXPECT_NE(F16PanelProduct::make(w.parts, false), nullptr);
}

}  // namespace
}  // namespace remask
