// The bf16 panel kernel (bf16_panels.h) against its scalar reference (double sums of the
// float32 input times the exact bf16 weights): stacked parts, row counts that leave partial
// 12-row tiles, odd widths (the half-empty last pair), column counts that leave a partial
// last panel, bias and accumulate; and the rule for where it applies.

#include "kernels/cpu/bf16_panels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/ggml_blocks.h"
#include "kernel_test_support.h"

namespace remask {
namespace {

TEST(Bf16Panels, KernelEqualsTheScalarReference) {
    if (active_isa() == Isa::avx2) GTEST_SKIP() << "no AVX-512 here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(5);
    // (m, k, rows of each part): whole and partial 12-row tiles, odd k, partial panels.
    const struct {
        int64_t m, k;
        std::vector<int64_t> rows;
    } shapes[] = {{7, 96, {16, 8}}, {25, 201, {37}}, {1, 1, {3}}, {12, 64, {32, 32}}, {13, 1000, {70, 6}}};
    for (const auto& shape : shapes) {
        const test::Bf16TestMatrix w = test::random_bf16_matrix(shape.k, shape.rows, rng);
        const std::vector<Weight>& parts = w.parts;
        const int64_t n = w.n;
        ASSERT_TRUE(Bf16PanelProduct::usable(parts));
        const std::vector<float> x = test::random_floats(shape.m * shape.k, rng), bias = test::random_floats(n, rng),
                                 start = test::random_floats(shape.m * n, rng);
        const Bf16PanelProduct product(parts, /*release_source=*/false);
        EXPECT_EQ(product.out_features(), n);
        for (const bool accumulate : {false, true})
            for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
                std::vector<float> got = start, want = start;
                product.apply(x.data(), shape.m, got.data(), b, accumulate);
                bf16_panel_product_reference(parts, x.data(), shape.m, want.data(), b, accumulate);
                EXPECT_LT(test::kernel_relative_error(got, want), 1e-6)
                    << "m " << shape.m << " k " << shape.k << " n " << n << " accumulate " << accumulate;
            }
    }
}

TEST(Bf16Panels, UsableOnlyForPlainBf16PartsOfOneWidth) {
    if (active_isa() == Isa::avx2) GTEST_SKIP() << "no AVX-512 here (or REMASK_MAX_ISA caps it)";
    std::vector<uint16_t> a(4 * 32), b(4 * 64);
    std::vector<float> f(4 * 32);
    const Weight bf16{DType::bf16, a.data(), 4, 32, nullptr};
    EXPECT_TRUE(Bf16PanelProduct::usable({bf16, bf16}));
    EXPECT_FALSE(Bf16PanelProduct::usable({bf16, Weight{DType::bf16, b.data(), 4, 64, nullptr}}));
    EXPECT_FALSE(Bf16PanelProduct::usable({bf16, Weight{DType::f32, f.data(), 4, 32, nullptr}}));
    EXPECT_FALSE(Bf16PanelProduct::usable({Weight{DType::bf16, a.data(), 4, 32, ggml_type_by_id(kGgmlQ8_0)}}));
    EXPECT_FALSE(Bf16PanelProduct::usable({}));
}

}  // namespace
}  // namespace remask
