// The integer block kernel (int8_blocks.h) against its scalar reference (same arithmetic:
// equal to float rounding) for every block type, odd row counts, one- and two-group panels,
// bias and accumulate; its vector panel unpacking and input quantization against the scalar
// ones (bit for bit); and against the exact float32 product of the dequantized weights (the
// only difference is the input's quantization to int8 per 32 values).

#include "kernels/cpu/int8_blocks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <utility>
#include <random>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernel_test_support.h"

namespace remask {
namespace {

// Random blocks of `type` with sane f16 scales (and mins) so values stay in a model's range.
std::vector<uint8_t> int8_test_blocks(const GgmlType& type, int64_t rows, int64_t k, std::mt19937& rng) {
    std::vector<uint8_t> bytes(rows * ggml_row_bytes(type, k));
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    std::uniform_real_distribution<float> around(0.5f, 1.5f);
    for (int64_t i = 0; i < rows * k / type.block_values; ++i) {
        uint8_t* b = bytes.data() + i * type.block_bytes;
        const uint16_t d = f32_to_f16(0.01f * around(rng)), m = f32_to_f16(0.02f * around(rng));
        if (type.id == kGgmlQ6_K) {
            std::memcpy(b + 208, &d, 2);
            continue;
        }
        std::memcpy(b, &d, 2);
        if (type.id == kGgmlQ4_1 || type.id == kGgmlQ5_1 || type.id == kGgmlQ4_K || type.id == kGgmlQ5_K)
            std::memcpy(b + 2, &m, 2);
    }
    return bytes;
}

const uint32_t kInt8TestTypes[] = {kGgmlQ8_0, kGgmlQ4_0, kGgmlQ4_1, kGgmlQ5_0,
                                   kGgmlQ5_1, kGgmlQ4_K, kGgmlQ5_K, kGgmlQ6_K};

TEST(Int8Blocks, KernelEqualsTheScalarReferenceForEveryBlockType) {
    if (!has_int8_dot_product()) GTEST_SKIP() << "no AVX-512 VNNI here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (uint32_t id : kInt8TestTypes) {
        const GgmlType& type = *ggml_type_by_id(id);
        // K-quants: three blocks (Q8_K scales), else 17.
        const int64_t k = type.block_values == 256 ? 768 : 544;
        // Two parts: 48 rows (a two-group and a one-group panel) and 16; 7 input rows (a block
        // of 4 and a remainder of 3).
        const auto a = int8_test_blocks(type, 48, k, rng), b = int8_test_blocks(type, 16, k, rng);
        const std::vector<Weight> parts = {{DType::f32, a.data(), 48, k, &type}, {DType::f32, b.data(), 16, k, &type}};
        ASSERT_TRUE(Int8BlockProduct::usable(parts)) << type.name;
        const int64_t m = 7, n = 64;
        std::vector<float> x(m * k), bias(n), start(m * n);
        for (float& v : x) v = normal(rng);
        for (float& v : bias) v = normal(rng);
        for (float& v : start) v = normal(rng);
        for (bool accumulate : {false, true}) {
            std::vector<float> got = start, want = start;
            Int8BlockProduct(parts).apply(x.data(), m, got.data(), bias.data(), accumulate);
            int8_block_product_reference(parts, x.data(), m, want.data(), bias.data(), accumulate);
            EXPECT_LT(test::kernel_relative_error(got, want), 1e-6) << type.name << " accumulate " << accumulate;
        }
    }
}

TEST(Int8Blocks, CloseToTheFloatProductOfTheDequantizedWeights) {
    if (!has_int8_dot_product()) GTEST_SKIP() << "no AVX-512 VNNI here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(5);
    std::normal_distribution<float> normal;
    for (uint32_t id : {kGgmlQ8_0, kGgmlQ4_K, kGgmlQ6_K}) {
        const GgmlType& type = *ggml_type_by_id(id);
        const int64_t m = 5, n = 32, k = 512;
        const auto blocks = int8_test_blocks(type, n, k, rng);
        const Weight w{DType::f32, blocks.data(), n, k, &type};
        std::vector<float> x(m * k), got(m * n), want(m * n, 0.0f), row(k);
        for (float& v : x) v = normal(rng);
        Int8BlockProduct({w}).apply(x.data(), m, got.data(), nullptr, false);
        for (int64_t c = 0; c < n; ++c) {
            weight_row_to_f32(w, c, row.data());
            for (int64_t r = 0; r < m; ++r) {
                double s = 0;
                for (int64_t j = 0; j < k; ++j) s += double(x[r * k + j]) * row[j];
                want[r * n + c] = static_cast<float>(s);
            }
        }
        // Inputs rounded to int8 per 32 values: about 0.4 % relative error per product.
        const double error = test::kernel_relative_error(got, want);
        EXPECT_LT(error, 1e-2) << type.name;
        EXPECT_GT(error, 0.0) << type.name << ": the inputs are quantized, so not exact";
    }
}

TEST(Int8Blocks, VectorPanelUnpackingEqualsTheScalarOneForEveryBlockType) {
    if (!has_int8_dot_product()) GTEST_SKIP() << "no AVX-512 VNNI here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(7);
    for (uint32_t id : kInt8TestTypes) {
        const GgmlType& type = *ggml_type_by_id(id);
        // Widths whose dword counts (k/4 values, k/sub scales) leave a remainder after the
        // 16 × 16 transposed blocks.
        const int64_t k = type.block_values == 256 ? 768 : 544;
        const auto blocks = int8_test_blocks(type, 48, k, rng);
        const Weight w{DType::f32, blocks.data(), 48, k, &type};
        for (const auto& [row, groups] : {std::pair<int64_t, int>{0, 2}, {32, 1}}) {
            int8_blocks_detail::PanelBuffers want(k), got(k);
            const auto layout = int8_blocks_detail::unpack_panel_reference(w, row, groups, want);
            const auto fast = int8_blocks_detail::unpack_panel_avx512(w, row, groups, got);
            ASSERT_EQ(fast.sub, layout.sub) << type.name;
            ASSERT_EQ(fast.offset, layout.offset) << type.name;
            ASSERT_EQ(fast.has_min, layout.has_min) << type.name;
            const size_t values = k * groups * 16, scales = k / layout.sub * groups * 16;
            EXPECT_EQ(0, std::memcmp(got.u.data(), want.u.data(), values)) << type.name << " groups " << groups;
            EXPECT_EQ(0, std::memcmp(got.d.data(), want.d.data(), scales * 4)) << type.name << " groups " << groups;
            EXPECT_EQ(0, std::memcmp(got.mn.data(), want.mn.data(), scales * 4)) << type.name << " groups " << groups;
        }
    }
}

TEST(Int8Blocks, VectorInputQuantizationEqualsTheScalarOneBitForBit) {
    if (!has_int8_dot_product()) GTEST_SKIP() << "no AVX-512 VNNI here (or REMASK_MAX_ISA caps it)";
    std::mt19937 rng(11);
    std::normal_distribution<float> normal;
    const int64_t m = 3, k = 1024;
    std::vector<float> x(m * k);
    for (float& v : x) v = normal(rng) * 0.1f;
    std::fill(x.begin(), x.begin() + 256, 0.0f);   // a zero block: scale 0
    x[300] = 7.0f, x[400] = -7.0f;                  // a tie of magnitudes: the first (+) is kept
    x[k + 20] = -5.0f, x[k + 200] = 5.0f;           // and here the first (−)
    x[2 * k + 33] = 1e-30f;                         // a tiny block beside ordinary ones
    for (int64_t j = 2 * k + 32; j < 2 * k + 64; ++j) if (j != 2 * k + 33) x[j] = 0.0f;
    QuantizedRows want, got;
    const auto expect_equal = [&](const char* format) {
        EXPECT_EQ(got.q, want.q) << format;
        EXPECT_EQ(got.sum16, want.sum16) << format;
        EXPECT_EQ(0, std::memcmp(got.scale.data(), want.scale.data(), want.scale.size() * 4)) << format;
        EXPECT_EQ(0, std::memcmp(got.scaled_sum32.data(), want.scaled_sum32.data(), want.scaled_sum32.size() * 4))
            << format;
        EXPECT_EQ(got.sum32, want.sum32) << format;
    };
    quantize_rows_q8(x.data(), m, k, want);
    int8_blocks_detail::quantize_rows_q8_avx512(x.data(), m, k, got);
    expect_equal("Q8_0");
    quantize_rows_q8_k(x.data(), m, k, want);
    int8_blocks_detail::quantize_rows_q8_k_avx512(x.data(), m, k, got);
    expect_equal("Q8_K");
    EXPECT_EQ(want.q[300], -127);  // the kept +7 maps to −127
    EXPECT_EQ(want.q[k + 20], -127);
}

TEST(Int8Blocks, UsableOnlyForWholePanelsOfIntegerTypes) {
    if (!has_int8_dot_product()) GTEST_SKIP() << "no AVX-512 VNNI here (or REMASK_MAX_ISA caps it)";
    std::vector<uint8_t> bytes(64 * 34 * 4);
    const GgmlType& q8 = *ggml_type_by_id(kGgmlQ8_0);
    EXPECT_TRUE(Int8BlockProduct::usable({{DType::f32, bytes.data(), 16, 128, &q8}}));
    EXPECT_FALSE(Int8BlockProduct::usable({{DType::f32, bytes.data(), 24, 128, &q8}}));  // 24 rows: not whole groups
    EXPECT_FALSE(Int8BlockProduct::usable({{DType::f32, bytes.data(), 16, 128, nullptr}}));  // plain float
}

}  // namespace
}  // namespace remask
