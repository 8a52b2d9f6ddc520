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

namespace remask {
namespace {

std::vector<uint16_t> bf16_panel_test_values(int64_t count, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 0.05f);
    std::vector<uint16_t> out(count);
    for (auto& v : out) v = f32_to_bf16(normal(rng));
    return out;
}

double bf16_panel_relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        norm += double(want[i]) * want[i];
    }
    return std::sqrt(diff / norm);
}

TEST(Bf16Panels, KernelEqualsTheScalarReference) {
    if (active_isa() == Isa::avx2) GTEST_SKIP() << "no AVX-512 here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(5);
    // (m, k, rows of each part): whole and partial 12-row tiles, odd k, partial panels.
    const struct {
        int64_t m, k;
        std::vector<int64_t> rows;
    } shapes[] = {{7, 96, {16, 8}}, {25, 201, {37}}, {1, 1, {3}}, {12, 64, {32, 32}}, {13, 1000, {70, 6}}};
    for (const auto& shape : shapes) {
        std::vector<std::vector<uint16_t>> storage;
        std::vector<Weight> parts;
        int64_t n = 0;
        for (int64_t rows : shape.rows) {
            storage.push_back(bf16_panel_test_values(rows * shape.k, rng));
            parts.push_back(Weight{DType::bf16, storage.back().data(), rows, shape.k, nullptr});
            n += rows;
        }
        ASSERT_TRUE(Bf16PanelProduct::usable(parts));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> x(shape.m * shape.k), bias(n), start(shape.m * n);
        for (auto& v : x) v = normal(rng);
        for (auto& v : bias) v = normal(rng);
        for (auto& v : start) v = normal(rng);
        const Bf16PanelProduct product(parts, /*release_source=*/false);
        EXPECT_EQ(product.out_features(), n);
        for (const bool accumulate : {false, true})
            for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
                std::vector<float> got = start, want = start;
                product.apply(x.data(), shape.m, got.data(), b, accumulate);
                bf16_panel_product_reference(parts, x.data(), shape.m, want.data(), b, accumulate);
                EXPECT_LT(bf16_panel_relative_error(got, want), 1e-6)
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
