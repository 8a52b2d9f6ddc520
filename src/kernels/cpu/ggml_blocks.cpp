#include "kernels/cpu/ggml_blocks.h"

#include <cstring>

#include "kernels/cpu/dtype.h"

// This file is compiled with -ffp-contract=off (src/kernels/CMakeLists.txt): ggml's
// reference dequantizers multiply and subtract separately, and a fused multiply-add would
// round differently.

namespace remask {
namespace {

const GgmlType kTypes[] = {
    {0, "F32", 1, 4, true},       {1, "F16", 1, 2, true},      {2, "Q4_0", 32, 18, true},
    {3, "Q4_1", 32, 20, true},    {6, "Q5_0", 32, 22, true},   {7, "Q5_1", 32, 24, true},
    {8, "Q8_0", 32, 34, true},    {9, "Q8_1", 32, 36, false},  {10, "Q2_K", 256, 84, false},
    {11, "Q3_K", 256, 110, false}, {12, "Q4_K", 256, 144, true}, {13, "Q5_K", 256, 176, true},
    {14, "Q6_K", 256, 210, true}, {15, "Q8_K", 256, 292, false}, {16, "IQ2_XXS", 256, 66, false},
    {17, "IQ2_XS", 256, 74, false}, {18, "IQ3_XXS", 256, 98, false}, {19, "IQ1_S", 256, 50, false},
    {20, "IQ4_NL", 32, 18, false}, {21, "IQ3_S", 256, 110, false}, {22, "IQ2_S", 256, 82, false},
    {23, "IQ4_XS", 256, 136, false}, {24, "I8", 1, 1, false},    {25, "I16", 1, 2, false},
    {26, "I32", 1, 4, false},     {27, "I64", 1, 8, false},    {28, "F64", 1, 8, false},
    {29, "IQ1_M", 256, 56, false}, {30, "BF16", 1, 2, true},    {34, "TQ1_0", 256, 54, false},
    {35, "TQ2_0", 256, 66, false}, {39, "MXFP4", 32, 17, false},
};

void q4_0(const uint8_t* b, float* y) {  // d, qs[16]
    const float d = ggml_half_at(b);
    const uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        const int x0 = (qs[j] & 0x0F) - 8, x1 = (qs[j] >> 4) - 8;
        y[j] = x0 * d;
        y[j + 16] = x1 * d;
    }
}

void q4_1(const uint8_t* b, float* y) {  // d, m, qs[16]
    const float d = ggml_half_at(b), m = ggml_half_at(b + 2);
    const uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        const int x0 = qs[j] & 0x0F, x1 = qs[j] >> 4;
        y[j] = x0 * d + m;
        y[j + 16] = x1 * d + m;
    }
}

void q5(const uint8_t* b, float* y, bool with_min) {  // d, [m], qh[4], qs[16]
    const float d = ggml_half_at(b);
    const float m = with_min ? ggml_half_at(b + 2) : 0.0f;
    const uint8_t* p = b + (with_min ? 4 : 2);
    uint32_t qh;
    std::memcpy(&qh, p, 4);
    const uint8_t* qs = p + 4;
    for (int j = 0; j < 16; ++j) {
        const uint8_t h0 = ((qh >> (j + 0)) << 4) & 0x10;
        const uint8_t h1 = ((qh >> (j + 12))) & 0x10;
        if (with_min) {
            const int x0 = (qs[j] & 0x0F) | h0, x1 = (qs[j] >> 4) | h1;
            y[j] = x0 * d + m;
            y[j + 16] = x1 * d + m;
        } else {
            const int32_t x0 = ((qs[j] & 0x0F) | h0) - 16, x1 = ((qs[j] >> 4) | h1) - 16;
            y[j] = x0 * d;
            y[j + 16] = x1 * d;
        }
    }
}

void q8_0(const uint8_t* b, float* y) {  // d, qs[32] (int8)
    const float d = ggml_half_at(b);
    const int8_t* qs = reinterpret_cast<const int8_t*>(b + 2);
    for (int j = 0; j < 32; ++j) y[j] = qs[j] * d;
}


void q4_k(const uint8_t* b, float* y) {  // d, dmin, scales[12], qs[128]
    const float d = ggml_half_at(b), min = ggml_half_at(b + 2);
    const uint8_t* scales = b + 4;
    const uint8_t* q = b + 16;
    int is = 0;
    for (int j = 0; j < 256; j += 64) {
        uint8_t sc, m;
        ggml_scale_min_k4(is + 0, scales, &sc, &m);
        const float d1 = d * sc, m1 = min * m;
        ggml_scale_min_k4(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = min * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
        q += 32;
        is += 2;
    }
}

void q5_k(const uint8_t* b, float* y) {  // d, dmin, scales[12], qh[32], qs[128]
    const float d = ggml_half_at(b), min = ggml_half_at(b + 2);
    const uint8_t* scales = b + 4;
    const uint8_t* qh = b + 16;
    const uint8_t* ql = b + 48;
    int is = 0;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < 256; j += 64) {
        uint8_t sc, m;
        ggml_scale_min_k4(is + 0, scales, &sc, &m);
        const float d1 = d * sc, m1 = min * m;
        ggml_scale_min_k4(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = min * m;
        for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
        for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        ql += 32;
        is += 2;
        u1 <<= 2;
        u2 <<= 2;
    }
}

void q6_k(const uint8_t* b, float* y) {  // ql[128], qh[64], scales[16] (int8), d
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
    const float d = ggml_half_at(b + 208);
    for (int n = 0; n < 256; n += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int8_t q1 = (int8_t)((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int8_t q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int8_t q3 = (int8_t)((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int8_t q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l + 0] = d * sc[is + 0] * q1;
            y[l + 32] = d * sc[is + 2] * q2;
            y[l + 64] = d * sc[is + 4] * q3;
            y[l + 96] = d * sc[is + 6] * q4;
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

}  // namespace

const GgmlType* ggml_type_by_id(uint32_t id) {
    for (const GgmlType& t : kTypes)
        if (t.id == id) return &t;
    return nullptr;
}

const GgmlType* ggml_type_by_name(const std::string& name) {
    for (const GgmlType& t : kTypes)
        if (name == t.name) return &t;
    return nullptr;
}

void dequantize_row_reference(const GgmlType& type, const void* data, int64_t n, float* out) {
    const uint8_t* b = static_cast<const uint8_t*>(data);
    const int64_t blocks = n / type.block_values;
    switch (type.id) {
        case kGgmlF32: std::memcpy(out, data, n * sizeof(float)); return;
        case kGgmlF16:
        case kGgmlBF16:
            for (int64_t i = 0; i < n; ++i) {
                uint16_t bits;
                std::memcpy(&bits, b + 2 * i, 2);
                out[i] = type.id == kGgmlF16 ? f16_to_f32(bits) : bf16_to_f32(bits);
            }
            return;
        default: break;
    }
    void (*block)(const uint8_t*, float*) = nullptr;
    switch (type.id) {
        case kGgmlQ4_0: block = q4_0; break;
        case kGgmlQ4_1: block = q4_1; break;
        case kGgmlQ5_0: block = [](const uint8_t* p, float* y) { q5(p, y, false); }; break;
        case kGgmlQ5_1: block = [](const uint8_t* p, float* y) { q5(p, y, true); }; break;
        case kGgmlQ8_0: block = q8_0; break;
        case kGgmlQ4_K: block = q4_k; break;
        case kGgmlQ5_K: block = q5_k; break;
        case kGgmlQ6_K: block = q6_k; break;
        default: return;  // unsupported: callers check GgmlType::supported first
    }
    for (int64_t i = 0; i < blocks; ++i) block(b + i * type.block_bytes, out + i * type.block_values);
}

float ggml_half_at(const uint8_t* p) {
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    return f16_to_f32(bits);
}

void ggml_scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}

}  // namespace remask
