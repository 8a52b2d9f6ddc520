// The AVX-512 kernel of bf16_panels.h; src/kernels/CMakeLists.txt compiles this file alone
// with AVX-512, and Bf16PanelProduct runs it only where the CPU has it.
#include <immintrin.h>

#include "kernels/cpu/bf16_panels.h"
#include "kernels/cpu/row_tiles.h"

namespace remask::bf16_panels_detail {
namespace {

// Input rows per register tile: 12 rows × 2 16-column halves of float32 accumulators, the
// widened weights of one pair (4 registers) and a broadcast fill 29 of the 32 registers.
constexpr int kPanelTileRows = 12;

// kRows input rows against the whole panel: per pair of k, the 32-bit lanes split into the
// even-k weights (low half shifted up) and the odd-k weights (high half masked), each a
// float32 vector of 16 columns, multiplied by the broadcast input values.
template <int kRows>
void panel_rows(const float* x, int64_t k, const uint32_t* panel, __mmask16 mask_lo, __mmask16 mask_hi, float* y,
                int64_t ldy, const float* bias, bool accumulate) {
    __m512 acc[kRows][2];
    for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    const __m512i high_half = _mm512_set1_epi32(static_cast<int>(0xFFFF0000u));
    const int64_t whole_pairs = k / 2;
    for (int64_t j = 0; j < whole_pairs; ++j) {
        const __m512i raw0 = _mm512_load_si512(panel + j * kPanelColumns);
        const __m512i raw1 = _mm512_load_si512(panel + j * kPanelColumns + 16);
        const __m512 even0 = _mm512_castsi512_ps(_mm512_slli_epi32(raw0, 16));
        const __m512 even1 = _mm512_castsi512_ps(_mm512_slli_epi32(raw1, 16));
        const __m512 odd0 = _mm512_castsi512_ps(_mm512_and_si512(raw0, high_half));
        const __m512 odd1 = _mm512_castsi512_ps(_mm512_and_si512(raw1, high_half));
        for (int r = 0; r < kRows; ++r) {
            const __m512 xe = _mm512_set1_ps(x[r * k + 2 * j]);
            acc[r][0] = _mm512_fmadd_ps(even0, xe, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(even1, xe, acc[r][1]);
            const __m512 xo = _mm512_set1_ps(x[r * k + 2 * j + 1]);
            acc[r][0] = _mm512_fmadd_ps(odd0, xo, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(odd1, xo, acc[r][1]);
        }
    }
    if (k % 2) {  // the last pair holds one value
        const int64_t j = whole_pairs;
        const __m512 even0 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_load_si512(panel + j * kPanelColumns), 16));
        const __m512 even1 =
            _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_load_si512(panel + j * kPanelColumns + 16), 16));
        for (int r = 0; r < kRows; ++r) {
            const __m512 xe = _mm512_set1_ps(x[r * k + 2 * j]);
            acc[r][0] = _mm512_fmadd_ps(even0, xe, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(even1, xe, acc[r][1]);
        }
    }
    const __m512 bias0 = bias ? _mm512_maskz_loadu_ps(mask_lo, bias) : _mm512_setzero_ps();
    const __m512 bias1 = bias ? _mm512_maskz_loadu_ps(mask_hi, bias + 16) : _mm512_setzero_ps();
    for (int r = 0; r < kRows; ++r) {
        float* out = y + r * ldy;
        __m512 v0 = _mm512_add_ps(acc[r][0], bias0), v1 = _mm512_add_ps(acc[r][1], bias1);
        if (accumulate) {
            v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(mask_lo, out), v0);
            v1 = _mm512_add_ps(_mm512_maskz_loadu_ps(mask_hi, out + 16), v1);
        }
        _mm512_mask_storeu_ps(out, mask_lo, v0);
        _mm512_mask_storeu_ps(out + 16, mask_hi, v1);
    }
}

}  // namespace

void panel_product_avx512(const float* x, int64_t m, int64_t k, const uint32_t* panel, int columns, float* y,
                          int64_t ldy, const float* bias, bool accumulate) {
    const __mmask16 mask_lo = columns >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << columns) - 1);
    const __mmask16 mask_hi = columns <= 16   ? 0
                              : columns >= 32 ? 0xFFFF
                                              : static_cast<__mmask16>((1u << (columns - 16)) - 1);
    for_each_row_tile<kPanelTileRows>(m, [&](auto rows, int64_t first) {
        panel_rows<decltype(rows)::value>(x + first * k, k, panel, mask_lo, mask_hi, y + first * ldy, ldy, bias, accumulate);
    });
}

}  // namespace remask::bf16_panels_detail
