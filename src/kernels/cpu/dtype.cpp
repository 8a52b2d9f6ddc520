#include "kernels/cpu/dtype.h"

#include <cmath>

namespace remask {

std::string dtype_name(DType t) {
    switch (t) {
        case DType::f32: return "f32";
        case DType::bf16: return "bf16";
        case DType::f16: return "f16";
    }
    return "?";
}

uint16_t f32_to_bf16(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    if (std::isnan(value)) return static_cast<uint16_t>((bits >> 16) | 0x40);
    uint32_t rounding = 0x7FFF + ((bits >> 16) & 1);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}

float f16_to_f32(uint16_t bits) {
    uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
    uint32_t exponent = (bits >> 10) & 0x1F;
    uint32_t mantissa = bits & 0x3FF;
    uint32_t out;
    if (exponent == 0x1F) {
        out = sign | 0x7F800000 | (mantissa << 13);
    } else if (exponent != 0) {
        out = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        out = sign;
    } else {  // subnormal: value = mantissa * 2^-24
        float value = std::ldexp(static_cast<float>(mantissa), -24);
        return sign ? -value : value;
    }
    float value;
    std::memcpy(&value, &out, sizeof value);
    return value;
}

uint16_t f32_to_f16(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
    float magnitude = std::fabs(value);
    if (std::isnan(value)) return sign | 0x7E00;
    if (magnitude >= 65520.0f) return sign | 0x7C00;
    if (magnitude < std::ldexp(1.0f, -14)) {  // subnormal or zero: round to nearest
        return sign | static_cast<uint16_t>(std::nearbyint(magnitude * std::ldexp(1.0f, 24)));
    }
    uint32_t mag_bits = bits & 0x7FFFFFFF;
    uint32_t rounding = 0xFFF + ((mag_bits >> 13) & 1);
    mag_bits += rounding;
    uint32_t exponent = (mag_bits >> 23) - 112;
    return sign | static_cast<uint16_t>((exponent << 10) | ((mag_bits >> 13) & 0x3FF));
}

void weight_row_to_f32(const Weight& w, int64_t r, float* out) {
    const int64_t n = w.cols;
    if (w.blocks) {
        dequantize_row_reference(*w.blocks, static_cast<const uint8_t*>(w.data) + r * w.row_bytes(), n, out);
        return;
    }
    switch (w.dtype) {
        case DType::f32: {
            std::memcpy(out, static_cast<const float*>(w.data) + r * n, n * sizeof(float));
            return;
        }
        case DType::bf16: {
            const uint16_t* src = static_cast<const uint16_t*>(w.data) + r * n;
            for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(src[i]);
            return;
        }
        case DType::f16: {
            const uint16_t* src = static_cast<const uint16_t*>(w.data) + r * n;
            for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(src[i]);
            return;
        }
    }
}

}  // namespace remask
