#include "kernels/cpu/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace remask {
namespace {

float from_bits(uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

TEST(DType, Bf16RoundsToNearestEven) {
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3F80);
    // Halfway between 0x3F80 and 0x3F81: ties go to the even one (0x3F80).
    EXPECT_EQ(f32_to_bf16(from_bits(0x3F808000)), 0x3F80);
    // Halfway between 0x3F81 and 0x3F82: ties go to 0x3F82.
    EXPECT_EQ(f32_to_bf16(from_bits(0x3F818000)), 0x3F82);
    EXPECT_EQ(f32_to_bf16(from_bits(0x3F808001)), 0x3F81);
    EXPECT_FLOAT_EQ(bf16_to_f32(0xC040), -3.0f);
    EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(NAN))));
}

TEST(DType, F16RoundTripsExactValuesAndSubnormals) {
    for (float v : {0.0f, 1.0f, -2.5f, 65504.0f, 0.000061035156f /* 2^-14 */, 5.9604645e-08f /* 2^-24 */}) {
        EXPECT_EQ(f16_to_f32(f32_to_f16(v)), v) << v;
    }
    EXPECT_EQ(f32_to_f16(1.0f), 0x3C00);
    EXPECT_FLOAT_EQ(f16_to_f32(0xC000), -2.0f);
    EXPECT_TRUE(std::isinf(f16_to_f32(0x7C00)));
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even (1).
    EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
    EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
}

TEST(DType, WeightRowWidensEachType) {
    const float f32[6] = {1, 2, 3, 4, 5, 6};
    uint16_t bf16[6], f16[6];
    for (int i = 0; i < 6; ++i) {
        bf16[i] = f32_to_bf16(f32[i]);
        f16[i] = f32_to_f16(f32[i]);
    }
    float row[3];
    for (const Weight& w : {Weight{DType::f32, f32, 2, 3}, Weight{DType::bf16, bf16, 2, 3},
                            Weight{DType::f16, f16, 2, 3}}) {
        weight_row_to_f32(w, 1, row);
        EXPECT_EQ(row[0], 4);
        EXPECT_EQ(row[2], 6);
    }
}

}  // namespace
}  // namespace remask
