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

namespace remask {
namespace {

struct F16TestMatrix {
    std::vector<std::vector<uint16_t>> storage;
    std::vector<Weight> parts;
    int64_t n = 0;
};

F16TestMatrix f16_test_matrix(int64_t k, const std::vector<int64_t>& rows, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 0.05f);
    F16TestMatrix out;
    for (int64_t r : rows) {
        std::vector<uint16_t> values(r * k);
        for (auto& v : values) v = f32_to_bf16(normal(rng));
        out.storage.push_back(std::move(values));
        out.parts.push_back(Weight{DType::bf16, out.storage.back().data(), r, k, nullptr});
        out.n += r;
    }
    return out;
}

double f16_relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        norm += double(want[i]) * want[i];
    }
    return std::sqrt(diff / norm);
}

TEST(F16Panels, HalfPrecisionWithinItsErrorAndExactBehindTheGuard) {
    if (!has_f16_products()) GTEST_SKIP() << "no AVX-512 FP16 here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(11);
    const struct {
        int64_t m, k;
        std::vector<int64_t> rows;
    } shapes[] = {{25, 201, {70}}, {12, 300, {64, 32}}, {1, 7, {3}}, {13, 128, {40, 24}}};
    for (const auto& shape : shapes) {
        F16TestMatrix w = f16_test_matrix(shape.k, shape.rows, rng);
        auto product = F16PanelProduct::make(w.parts, /*release_source=*/false);
        ASSERT_NE(product, nullptr);
        EXPECT_EQ(product->out_features(), w.n);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> x(shape.m * shape.k), bias(w.n), start(shape.m * w.n);
        for (auto& v : x) v = normal(rng);
        for (auto& v : bias) v = normal(rng);
        for (auto& v : start) v = normal(rng);
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
                    EXPECT_LT(f16_relative_error(got, want), half ? 5e-3 : 1e-6)
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
    F16TestMatrix w = f16_test_matrix(64, {32}, rng);
    EXPECT_NE(F16PanelProduct::make(w.parts, false), nullptr);
    w.storage[0][100] = f32_to_bf16(-70000.0f);
    EXPECT_EQ(F16PanelProduct::make(w.parts, false), nullptr);
    w.storage[0][100] = f32_to_bf16(65280.0f);  // the largest bf16 float16 holds
    EXPECT_NE(F16PanelProduct::make(w.parts, false), nullptr);
}

}  // namespace
}  // namespace remask
