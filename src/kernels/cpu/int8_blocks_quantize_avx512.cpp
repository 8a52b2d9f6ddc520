// quantize_rows_q8_avx512 / quantize_rows_q8_k_avx512 (int8_blocks.h): the input rows of the
// integer kernel quantized 16 values per instruction instead of one. src/kernels/CMakeLists.txt
// compiles this file alone with AVX-512, and Int8BlockProduct calls it only where
// has_int8_dot_product() holds. Every operation is the scalar reference's (int8_blocks.cpp) on
// the same float values: products rounded once (no fused multiply-add here), conversion to
// int32 rounding to nearest even as nearbyint does, so the results are equal bit for bit.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "kernels/cpu/int8_blocks.h"

namespace remask::int8_blocks_detail {
namespace {

// 16 values · inverse, rounded to nearest even (the MXCSR default, as nearbyint), as int8 in q;
// returns them as int32 for the sums.
__m512i quantize_avx512_sixteen(__m512 values, __m512 inverse, int8_t* q) {
    const __m512i rounded = _mm512_cvtps_epi32(_mm512_mul_ps(values, inverse));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtepi32_epi8(rounded));
    return rounded;
}

}  // namespace

void quantize_rows_q8_avx512(const float* x, int64_t m, int64_t k, QuantizedRows& out) {
    size_quantized_rows(m, k, out);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) {
        for (int64_t b = 0; b < k / 32; ++b) {
            const float* v = x + r * k + b * 32;
            int8_t* q = out.q.data() + r * k + b * 32;
            const __m512 first = _mm512_loadu_ps(v), second = _mm512_loadu_ps(v + 16);
            // The largest magnitude (max is exact, so the order of comparisons does not matter).
            const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(first), _mm512_abs_ps(second)));
            const __m512 inverse = _mm512_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
            const int32_t sum_first = _mm512_reduce_add_epi32(quantize_avx512_sixteen(first, inverse, q));
            const int32_t sum_second = _mm512_reduce_add_epi32(quantize_avx512_sixteen(second, inverse, q + 16));
            record_block32(out, r * (k / 32) + b, f16_to_f32(f32_to_f16(amax / 127.0f)), sum_first, sum_second);
        }
    }
}

void quantize_rows_q8_k_avx512(const float* x, int64_t m, int64_t k, QuantizedRows& out) {
    size_quantized_rows(m, k, out);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) {
        for (int64_t b = 0; b < k / 256; ++b) {
            const float* v = x + r * k + b * 256;
            int8_t* q = out.q.data() + r * k + b * 256;
            int32_t* sum16 = out.sum16.data() + r * (k / 16) + b * 16;
            __m512 magnitudes = _mm512_setzero_ps();
            for (int s = 0; s < 16; ++s) magnitudes = _mm512_max_ps(magnitudes, _mm512_abs_ps(_mm512_loadu_ps(v + s * 16)));
            const float amax = _mm512_reduce_max_ps(magnitudes);
            float scale = 0.0f;
            if (amax == 0.0f) {
                std::fill(q, q + 256, int8_t{0});
                std::fill(sum16, sum16 + 16, 0);
            } else {
                // The reference keeps the first value of largest magnitude (a later −v of the same
                // magnitude does not replace it): find that one.
                float max = 0.0f;
                for (int s = 0; s < 16; ++s) {
                    const __mmask16 at = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(v + s * 16)),
                                                            _mm512_set1_ps(amax), _CMP_EQ_OQ);
                    if (at) {
                        max = v[s * 16 + __builtin_ctz(at)];
                        break;
                    }
                }
                const float iscale = -127.0f / max;
                const __m512 inverse = _mm512_set1_ps(iscale);
                const __m512i limit = _mm512_set1_epi32(127);  // the reference's min(127, ·)
                for (int s = 0; s < 16; ++s) {
                    const __m512i rounded =
                        _mm512_min_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(inverse, _mm512_loadu_ps(v + s * 16))), limit);
                    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + s * 16), _mm512_cvtepi32_epi8(rounded));
                    sum16[s] = _mm512_reduce_add_epi32(rounded);
                }
                scale = 1.0f / iscale;
            }
            for (int s = 0; s < 8; ++s) record_block32(out, r * (k / 32) + b * 8 + s, scale, sum16[2 * s], sum16[2 * s + 1]);
        }
    }
}

}  // namespace remask::int8_blocks_detail
