// The VNNI kernel of int8_blocks.h; src/kernels/CMakeLists.txt compiles this file alone with
// AVX-512 VNNI, and Int8BlockProduct runs it only where has_int8_dot_product() holds.
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/int8_blocks.h"
#include "kernels/cpu/row_tiles.h"

namespace remask::int8_blocks_detail {
namespace {

// kRows input rows × kGroups 16-column groups of output, over every sub-block of kSub values:
// per sub-block an int32 dot product (vpdpbusd: u8 weights · s8 inputs, 4 per lane), then
// acc += float(dot) · (d · dx) [+ mn · dx·Σq]; with kPer256 (Q8_K inputs, one dx per 256 values)
// part += float(dot) · d [+ mn · Σq] per sub-block and acc += part · dx per 256 values, which
// saves a multiplication per sub-block. The same order as the scalar reference.
template <int kRows, int kGroups, int kSub, bool kMin, bool kPer256>
void vnni_rows(const PanelView& p, const QuantizedRows& x, int64_t row0, float* y, int64_t ldy, const float* bias,
               bool accumulate) {
    constexpr int kQuads = kSub / 4;
    constexpr int kSubsPerScale = kPer256 ? 256 / kSub : 1;
    const int64_t k = x.k, subs = k / kSub;
    const int8_t* q[kRows];
    const float* scale[kRows];
    const int32_t* sum16[kRows];
    const float* scaled_sum[kRows];
    const float* sum32[kRows];
    for (int r = 0; r < kRows; ++r) {
        q[r] = x.q.data() + (row0 + r) * k;
        scale[r] = x.scale.data() + (row0 + r) * (k / 32);
        sum16[r] = x.sum16.data() + (row0 + r) * (k / 16);
        scaled_sum[r] = x.scaled_sum32.data() + (row0 + r) * (k / 32);
        sum32[r] = x.sum32.data() + (row0 + r) * (k / 32);
    }
    __m512 acc[kRows][kGroups];
    for (int r = 0; r < kRows; ++r)
        for (int g = 0; g < kGroups; ++g) acc[r][g] = _mm512_setzero_ps();
    for (int64_t j0 = 0; j0 < subs; j0 += kSubsPerScale) {
        __m512 part[kRows][kGroups];
        for (int r = 0; r < kRows; ++r)
            for (int g = 0; g < kGroups; ++g) part[r][g] = _mm512_setzero_ps();
        for (int64_t j = j0; j < j0 + kSubsPerScale; ++j) {
            __m512i dot[kRows][kGroups];
            for (int r = 0; r < kRows; ++r) {
                __m512i start = _mm512_setzero_si512();
                if constexpr (!kMin) {
                    const int32_t s = kSub == 32 ? sum16[r][2 * j] + sum16[r][2 * j + 1] : sum16[r][j];
                    start = _mm512_set1_epi32(-p.offset * s);
                }
                for (int g = 0; g < kGroups; ++g) dot[r][g] = start;
            }
            const uint8_t* u = p.u + j * kQuads * kGroups * 64;
            for (int quad = 0; quad < kQuads; ++quad) {
                __m512i w[kGroups];
                for (int g = 0; g < kGroups; ++g) w[g] = _mm512_loadu_si512(u + (quad * kGroups + g) * 64);
                for (int r = 0; r < kRows; ++r) {
                    int32_t four;
                    std::memcpy(&four, q[r] + j * kSub + quad * 4, 4);
                    const __m512i xb = _mm512_set1_epi32(four);
                    for (int g = 0; g < kGroups; ++g) dot[r][g] = _mm512_dpbusd_epi32(dot[r][g], w[g], xb);
                }
            }
            __m512 d[kGroups], mn[kGroups] = {};
            for (int g = 0; g < kGroups; ++g) {
                d[g] = _mm512_loadu_ps(p.d + (j * kGroups + g) * 16);
                if constexpr (kMin) mn[g] = _mm512_loadu_ps(p.mn + (j * kGroups + g) * 16);
            }
            for (int r = 0; r < kRows; ++r) {
                if constexpr (kPer256) {
                    for (int g = 0; g < kGroups; ++g) part[r][g] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[r][g]), d[g], part[r][g]);
                    if constexpr (kMin) {
                        const __m512 sum = _mm512_set1_ps(sum32[r][j]);
                        for (int g = 0; g < kGroups; ++g) part[r][g] = _mm512_fmadd_ps(mn[g], sum, part[r][g]);
                    }
                    continue;
                }
                const __m512 dx = _mm512_set1_ps(scale[r][kSub == 32 ? j : j / 2]);
                for (int g = 0; g < kGroups; ++g)
                    acc[r][g] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[r][g]), _mm512_mul_ps(d[g], dx), acc[r][g]);
                if constexpr (kMin) {
                    const __m512 ss = _mm512_set1_ps(scaled_sum[r][j]);
                    for (int g = 0; g < kGroups; ++g) acc[r][g] = _mm512_fmadd_ps(mn[g], ss, acc[r][g]);
                }
            }
        }
        if constexpr (kPer256) {
            for (int r = 0; r < kRows; ++r) {
                const __m512 dx = _mm512_set1_ps(scale[r][j0 * kSub / 32]);
                for (int g = 0; g < kGroups; ++g) acc[r][g] = _mm512_fmadd_ps(part[r][g], dx, acc[r][g]);
            }
        }
    }
    for (int r = 0; r < kRows; ++r) {
        float* out = y + (row0 + r) * ldy;
        for (int g = 0; g < kGroups; ++g) {
            __m512 v = acc[r][g];
            if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias + g * 16));
            if (accumulate) v = _mm512_add_ps(_mm512_loadu_ps(out + g * 16), v);
            _mm512_storeu_ps(out + g * 16, v);
        }
    }
}

template <int kGroups, int kSub, bool kMin, bool kPer256>
void vnni_panel(const PanelView& p, const QuantizedRows& x, float* y, int64_t ldy, const float* bias, bool accumulate) {
    for_each_row_tile<4>(x.m, [&](auto rows, int64_t first) {
        vnni_rows<decltype(rows)::value, kGroups, kSub, kMin, kPer256>(p, x, first, y, ldy, bias, accumulate);
    });
}

template <int kSub, bool kMin, bool kPer256>
void vnni_panel_groups(const PanelView& p, const QuantizedRows& x, float* y, int64_t ldy, const float* bias,
                       bool accumulate) {
    if (p.groups == 2) vnni_panel<2, kSub, kMin, kPer256>(p, x, y, ldy, bias, accumulate);
    else vnni_panel<1, kSub, kMin, kPer256>(p, x, y, ldy, bias, accumulate);
}

}  // namespace

void panel_product_avx512(const PanelView& p, const QuantizedRows& x, float* y, int64_t ldy, const float* bias,
                          bool accumulate) {
    // The block types' combinations: Q6_K (16-value sub-blocks, Q8_K inputs); Q4_K, Q5_K (mins,
    // Q8_K); Q4_1, Q5_1 (mins, Q8_0); Q8_0, Q4_0, Q5_0 (offsets, Q8_0).
    if (p.sub == 16) vnni_panel_groups<16, false, true>(p, x, y, ldy, bias, accumulate);
    else if (p.has_min && p.per_256) vnni_panel_groups<32, true, true>(p, x, y, ldy, bias, accumulate);
    else if (p.has_min) vnni_panel_groups<32, true, false>(p, x, y, ldy, bias, accumulate);
    else vnni_panel_groups<32, false, false>(p, x, y, ldy, bias, accumulate);
}

}  // namespace remask::int8_blocks_detail
