// The AVX-512 FP16 kernels of f16_panels.h; src/kernels/CMakeLists.txt compiles this file
// alone with AVX-512 FP16, and F16PanelProduct runs it only where the CPU has it.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu/f16_panels.h"
#include "kernels/cpu/row_tiles.h"

namespace remask::f16_panels_detail {
namespace {

constexpr int kF16Columns = F16PanelProduct::kColumns;
constexpr int kF16SumLength = F16PanelProduct::kSumLength;
// 12 rows × 2 × 32 float16 accumulators, two weight vectors and a broadcast: 27 registers.
constexpr int kF16TileRows = 12;
// 6 rows × 4 × 16 float32 accumulators, four widened weight vectors and a broadcast: 29.
constexpr int kExactTileRows = 6;

// The valid lanes of each 16-column quarter of a panel with `columns` outputs.
struct QuarterMasks {
    __mmask16 q[4];
    explicit QuarterMasks(int columns) {
        for (int i = 0; i < 4; ++i) {
            const int valid = std::clamp(columns - 16 * i, 0, 16);
            q[i] = static_cast<__mmask16>((1u << valid) - 1);
        }
    }
};

__m512 widen_low(__m512h v) { return _mm512_cvtxph_ps(_mm512_castph512_ph256(v)); }
__m512 widen_high(__m512h v) {
    return _mm512_cvtxph_ps(_mm256_castsi256_ph(_mm512_extracti64x4_epi64(_mm512_castph_si512(v), 1)));
}

// y quarter ← (first ? bias [+ y if accumulate] : y) + part.
void fold_quarter(float* out, const float* bias, __mmask16 mask, __m512 part, bool first, bool accumulate) {
    __m512 base = _mm512_setzero_ps();
    if (!first || accumulate) base = _mm512_maskz_loadu_ps(mask, out);
    if (first && bias) base = _mm512_add_ps(base, _mm512_maskz_loadu_ps(mask, bias));
    _mm512_mask_storeu_ps(out, mask, _mm512_add_ps(base, part));
}

template <int kRows>
void f16_rows(const uint32_t* x, int64_t k, const uint16_t* panel, const QuarterMasks& masks, float* y, int64_t ldy,
              const float* bias, bool accumulate) {
    for (int64_t begin = 0; begin < k; begin += kF16SumLength) {
        const int64_t end = std::min(k, begin + kF16SumLength);
        __m512h acc[kRows][2];
        for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ph();
        for (int64_t j = begin; j < end; ++j) {
            const __m512h w0 = _mm512_load_ph(panel + j * kF16Columns);
            const __m512h w1 = _mm512_load_ph(panel + j * kF16Columns + 32);
            for (int r = 0; r < kRows; ++r) {
                // Both halves of the word hold the input: a 32-bit broadcast (one load).
                const __m512h xb = _mm512_castsi512_ph(_mm512_set1_epi32(static_cast<int>(x[r * k + j])));
                acc[r][0] = _mm512_fmadd_ph(xb, w0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ph(xb, w1, acc[r][1]);
            }
        }
        const bool first = begin == 0;
        for (int r = 0; r < kRows; ++r) {
            float* out = y + r * ldy;
            const __m512 parts[4] = {widen_low(acc[r][0]), widen_high(acc[r][0]), widen_low(acc[r][1]),
                                     widen_high(acc[r][1])};
            for (int q = 0; q < 4; ++q)
                if (masks.q[q])
                    fold_quarter(out + 16 * q, bias ? bias + 16 * q : nullptr, masks.q[q], parts[q], first, accumulate);
        }
    }
}

template <int kRows>
void exact_rows(const float* x, int64_t k, const uint16_t* panel, const QuarterMasks& masks, float* y, int64_t ldy,
                const float* bias, bool accumulate) {
    __m512 acc[kRows][4];
    for (int r = 0; r < kRows; ++r)
        for (int q = 0; q < 4; ++q) acc[r][q] = _mm512_setzero_ps();
    for (int64_t j = 0; j < k; ++j) {
        const __m512h w0 = _mm512_load_ph(panel + j * kF16Columns);
        const __m512h w1 = _mm512_load_ph(panel + j * kF16Columns + 32);
        const __m512 w[4] = {widen_low(w0), widen_high(w0), widen_low(w1), widen_high(w1)};
        for (int r = 0; r < kRows; ++r) {
            const __m512 xb = _mm512_set1_ps(x[r * k + j]);
            for (int q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(xb, w[q], acc[r][q]);
        }
    }
    for (int r = 0; r < kRows; ++r)
        for (int q = 0; q < 4; ++q)
            if (masks.q[q])
                fold_quarter(y + r * ldy + 16 * q, bias ? bias + 16 * q : nullptr, masks.q[q], acc[r][q], true,
                             accumulate);
}

}  // namespace

void panel_product_f16(const uint32_t* x_pairs, int64_t m, int64_t k, const uint16_t* panel, int columns, float* y,
                       int64_t ldy, const float* bias, bool accumulate) {
    const QuarterMasks masks(columns);
    for_each_row_tile<kF16TileRows>(m, [&](auto rows, int64_t first) {
        f16_rows<decltype(rows)::value>(x_pairs + first * k, k, panel, masks, y + first * ldy, ldy, bias, accumulate);
    });
}

void panel_product_exact(const float* x, int64_t m, int64_t k, const uint16_t* panel, int columns, float* y,
                         int64_t ldy, const float* bias, bool accumulate) {
    const QuarterMasks masks(columns);
    for_each_row_tile<kExactTileRows>(m, [&](auto rows, int64_t first) {
        exact_rows<decltype(rows)::value>(x + first * k, k, panel, masks, y + first * ldy, ldy, bias, accumulate);
    });
}

void bf16_to_f16(const uint16_t* in, int64_t n, uint16_t* out) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512i wide = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256(
                                                   reinterpret_cast<const __m256i*>(in + i))),
                                               16);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                            _mm256_castph_si256(_mm512_cvtxps_ph(_mm512_castsi512_ps(wide))));
    }
    for (; i < n; ++i) {
        const uint32_t bits = static_cast<uint32_t>(in[i]) << 16;
        float value;
        std::memcpy(&value, &bits, 4);
        const _Float16 h = static_cast<_Float16>(value);
        std::memcpy(out + i, &h, 2);
    }
}

void round_to_f16_pairs(const float* x, int64_t n, uint32_t* out) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256i h = _mm256_castph_si256(_mm512_cvtxps_ph(_mm512_loadu_ps(x + i)));
        const __m512i lanes = _mm512_cvtepu16_epi32(h);
        _mm512_storeu_si512(out + i, _mm512_or_si512(lanes, _mm512_slli_epi32(lanes, 16)));
    }
    for (; i < n; ++i) {
        const _Float16 h = static_cast<_Float16>(x[i]);
        uint16_t bits;
        std::memcpy(&bits, &h, 2);
        out[i] = bits | (static_cast<uint32_t>(bits) << 16);
    }
}

float max_abs(const float* x, int64_t n) {
    __m512 best = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) best = _mm512_max_ps(best, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
    float out = _mm512_reduce_max_ps(best);
    for (; i < n; ++i) out = std::max(out, std::abs(x[i]));
    return out;
}

}  // namespace remask::f16_panels_detail
