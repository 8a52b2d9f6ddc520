// unpack_panel_avx512 (int8_blocks.h): the weight panel of the integer kernel unpacked with
// AVX-512 instead of one byte at a time. src/kernels/CMakeLists.txt compiles this file alone
// with AVX-512 BW/VL, and Int8BlockProduct calls it only where has_int8_dot_product() holds.
// Each of 16 rows is unpacked in order (as unpack_row writes it) into a staging buffer, then
// 16 × 16 dwords at a time are transposed into the kernel's lanes. Block types without a
// vector unpacker here use unpack_row itself; the transposition is shared.
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/ggml_blocks.h"
#include "kernels/cpu/int8_blocks.h"

namespace remask::int8_blocks_detail {
namespace {

// Q4_0 / Q4_1 / Q5_0 / Q5_1: 16 bytes of nibbles (low nibbles values 0..15), and for the
// five-bit types bit j of qh set in value j.
void unpack_avx512_small_block(const uint8_t* qs, const uint8_t* qh_bytes, uint8_t* u) {
    const __m128i nibble = _mm_set1_epi8(0x0F);
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    __m128i low = _mm_and_si128(bytes, nibble), high = _mm_and_si128(_mm_srli_epi16(bytes, 4), nibble);
    if (qh_bytes) {
        uint32_t qh;
        std::memcpy(&qh, qh_bytes, 4);
        const __m128i fifth = _mm_set1_epi8(0x10);
        low = _mm_or_si128(low, _mm_maskz_mov_epi8(static_cast<__mmask16>(qh), fifth));
        high = _mm_or_si128(high, _mm_maskz_mov_epi8(static_cast<__mmask16>(qh >> 16), fifth));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(u), low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(u + 16), high);
}

// unpack_row for the types with vector code; false for the others (the caller falls back).
bool unpack_avx512_row(const GgmlType& type, const uint8_t* b, int64_t k, uint8_t* u, float* d, float* mn) {
    const int64_t blocks = k / type.block_values;
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    switch (type.id) {
        case kGgmlQ8_0: {
            const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));  // q + 128
            for (int64_t i = 0; i < blocks; ++i, b += 34, u += 32) {
                d[i] = ggml_half_at(b);
                mn[i] = 0.0f;
                const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 2));
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(u), _mm256_xor_si256(q, flip));
            }
            return true;
        }
        case kGgmlQ4_0:
        case kGgmlQ5_0:
        case kGgmlQ4_1:
        case kGgmlQ5_1: {
            const bool five = type.id == kGgmlQ5_0 || type.id == kGgmlQ5_1;
            const bool has_min = type.id == kGgmlQ4_1 || type.id == kGgmlQ5_1;
            const int header = has_min ? 4 : 2;  // d (and m) in f16
            for (int64_t i = 0; i < blocks; ++i, b += type.block_bytes, u += 32) {
                d[i] = ggml_half_at(b);
                mn[i] = has_min ? ggml_half_at(b + 2) : 0.0f;
                unpack_avx512_small_block(b + header + (five ? 4 : 0), five ? b + header : nullptr, u);
            }
            return true;
        }
        case kGgmlQ4_K:
        case kGgmlQ5_K: {
            const bool five = type.id == kGgmlQ5_K;
            for (int64_t i = 0; i < blocks; ++i, b += type.block_bytes) {
                const float dall = ggml_half_at(b), dmin = ggml_half_at(b + 2);
                const uint8_t* scales = b + 4;
                const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
                const uint8_t* q = b + (five ? 48 : 16);
                for (int pair = 0; pair < 4; ++pair, q += 32, u += 64) {
                    for (int half = 0; half < 2; ++half) {
                        uint8_t sc, m;
                        ggml_scale_min_k4(2 * pair + half, scales, &sc, &m);
                        *d++ = dall * sc;
                        *mn++ = -(dmin * m);
                    }
                    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
                    __m256i low = _mm256_and_si256(bytes, nibble);
                    __m256i high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble);
                    if (five) {  // bit 2·pair of qh[l] is value l's fifth bit, bit 2·pair + 1 value l + 32's
                        const __m256i fifth = _mm256_set1_epi8(0x10);
                        low = _mm256_or_si256(
                            low, _mm256_maskz_mov_epi8(_mm256_test_epi8_mask(qh, _mm256_set1_epi8(char(1 << (2 * pair)))), fifth));
                        high = _mm256_or_si256(
                            high, _mm256_maskz_mov_epi8(_mm256_test_epi8_mask(qh, _mm256_set1_epi8(char(2 << (2 * pair)))), fifth));
                    }
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(u), low);
                    _mm256_storeu_si256(reinterpret_cast<__m256i*>(u + 32), high);
                }
            }
            return true;
        }
        case kGgmlQ6_K: {
            const __m512i nibble512 = _mm512_set1_epi8(0x0F), two_bits = _mm512_set1_epi8(3);
            for (int64_t i = 0; i < blocks; ++i, b += 210) {
                const uint8_t* ql = b;
                const uint8_t* qh = b + 128;
                const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
                const float dall = ggml_half_at(b + 208);
                for (int s = 0; s < 16; ++s) {
                    *d++ = dall * sc[s];
                    *mn++ = 0.0f;
                }
                // Per 128 values: u[l] and u[l + 32] take ql[l], ql[l + 32]'s low nibbles with qh[l]'s
                // bits 0-1 and 2-3 as bits 4-5; u[l + 64], u[l + 96] the high nibbles with bits 4-5, 6-7.
                for (int n = 0; n < 2; ++n, ql += 64, qh += 32, u += 128) {
                    const __m512i low_bits = _mm512_loadu_si512(ql);
                    const __m256i high_bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
                    const __m512i high_01 =
                        _mm512_inserti64x4(_mm512_castsi256_si512(high_bits), _mm256_srli_epi16(high_bits, 2), 1);
                    const __m512i high_23 = _mm512_srli_epi16(high_01, 4);
                    const __m512i first = _mm512_or_si512(
                        _mm512_and_si512(low_bits, nibble512),
                        _mm512_slli_epi16(_mm512_and_si512(high_01, two_bits), 4));
                    const __m512i second = _mm512_or_si512(
                        _mm512_and_si512(_mm512_srli_epi16(low_bits, 4), nibble512),
                        _mm512_slli_epi16(_mm512_and_si512(high_23, two_bits), 4));
                    _mm512_storeu_si512(u, first);
                    _mm512_storeu_si512(u + 64, second);
                }
            }
            return true;
        }
        default: return false;
    }
}

// dst[c · dst_stride + lane] = src[lane · src_stride + c] for 16 lanes and `columns` dwords
// (4 unpacked bytes, or a float): 16 × 16 blocks through registers (unpack 32, unpack 64, two
// 128-bit shuffles), the rest one at a time.
void unpack_avx512_transpose_16(const void* src_bytes, int64_t src_stride, int64_t columns, void* dst_bytes,
                                int64_t dst_stride) {
    const char* src = static_cast<const char*>(src_bytes);
    char* dst = static_cast<char*>(dst_bytes);
    src_stride *= 4;
    dst_stride *= 4;
    int64_t c = 0;
    for (; c + 16 <= columns; c += 16) {
        __m512i r[16], t[16];
        for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_si512(src + i * src_stride + c * 4);
        for (int i = 0; i < 16; i += 2) {
            t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
            t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
        }
        // Now per 128-bit lane L: r[4g + c'] holds rows 4g..4g+3 of column 4L + c'.
        for (int i = 0; i < 16; i += 4) {
            r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
            r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
            r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
            r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
        }
        for (int j = 0; j < 4; ++j) {
            t[j] = _mm512_shuffle_i32x4(r[j], r[4 + j], 0x88);
            t[4 + j] = _mm512_shuffle_i32x4(r[j], r[4 + j], 0xdd);
            t[8 + j] = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0x88);
            t[12 + j] = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0xdd);
        }
        for (int j = 0; j < 4; ++j) {
            _mm512_storeu_si512(dst + (c + j) * dst_stride, _mm512_shuffle_i32x4(t[j], t[8 + j], 0x88));
            _mm512_storeu_si512(dst + (c + 4 + j) * dst_stride, _mm512_shuffle_i32x4(t[4 + j], t[12 + j], 0x88));
            _mm512_storeu_si512(dst + (c + 8 + j) * dst_stride, _mm512_shuffle_i32x4(t[j], t[8 + j], 0xdd));
            _mm512_storeu_si512(dst + (c + 12 + j) * dst_stride, _mm512_shuffle_i32x4(t[4 + j], t[12 + j], 0xdd));
        }
    }
    for (; c < columns; ++c)
        for (int lane = 0; lane < 16; ++lane) std::memcpy(dst + c * dst_stride + lane * 4, src + lane * src_stride + c * 4, 4);
}

}  // namespace

UnpackedRow unpack_panel_avx512(const Weight& w, int64_t row, int groups, PanelBuffers& out) {
    const int64_t k = w.cols, subs_max = k / 16;
    UnpackedRow layout;
    for (int group = 0; group < groups; ++group) {
        for (int lane = 0; lane < 16; ++lane) {
            const uint8_t* blocks = static_cast<const uint8_t*>(w.data) + (row + group * 16 + lane) * w.row_bytes();
            uint8_t* u = out.stage_u.data() + lane * k;
            float* d = out.stage_d.data() + lane * subs_max;
            float* mn = out.stage_mn.data() + lane * subs_max;
            if (!unpack_avx512_row(*w.blocks, blocks, k, u, d, mn)) unpack_row(*w.blocks, blocks, k, u, d, mn);
        }
        layout = unpacked_layout(*w.blocks);
        const int64_t subs = k / layout.sub, stride = int64_t{groups} * 16;
        unpack_avx512_transpose_16(out.stage_u.data(), k / 4, k / 4, out.u.data() + group * 64, stride);
        unpack_avx512_transpose_16(out.stage_d.data(), subs_max, subs, out.d.data() + group * 16, stride);
        unpack_avx512_transpose_16(out.stage_mn.data(), subs_max, subs, out.mn.data() + group * 16, stride);
    }
    return layout;
}

}  // namespace remask::int8_blocks_detail
