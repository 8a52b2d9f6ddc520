#include "kernels/cpu/ggml_blocks.h"
#include "kernels/cpu/int8_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "kernels/cpu/cpu_features.h"

namespace remask {

using int8_blocks_detail::PanelView;
using int8_blocks_detail::UnpackedRow;

namespace {

// Q4_0 / Q4_1 / Q5_0 / Q5_1: the 32 values of one block; low nibbles are values 0..15.
void int8_blocks_nibbles(const uint8_t* qs, uint8_t* u) {
    for (int j = 0; j < 16; ++j) {
        u[j] = qs[j] & 0x0F;
        u[j + 16] = qs[j] >> 4;
    }
}

void int8_blocks_fifth_bits(const uint8_t* qh_bytes, uint8_t* u) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    for (int j = 0; j < 16; ++j) {
        u[j] |= ((qh >> (j + 0)) << 4) & 0x10;
        u[j + 16] |= (qh >> (j + 12)) & 0x10;
    }
}

}  // namespace

bool int8_block_type_supported(const GgmlType& type) {
    switch (type.id) {
        case kGgmlQ8_0: case kGgmlQ4_0: case kGgmlQ4_1: case kGgmlQ5_0: case kGgmlQ5_1:
        case kGgmlQ4_K: case kGgmlQ5_K: case kGgmlQ6_K: return true;
        default: return false;
    }
}

UnpackedRow int8_blocks_detail::unpacked_layout(const GgmlType& type) {
    switch (type.id) {
        case kGgmlQ8_0: return {32, 128, false};
        case kGgmlQ4_0: return {32, 8, false};
        case kGgmlQ5_0: return {32, 16, false};
        case kGgmlQ4_1: case kGgmlQ5_1: case kGgmlQ4_K: case kGgmlQ5_K: return {32, 0, true};
        case kGgmlQ6_K: return {16, 32, false};
        default: return {};
    }
}

UnpackedRow int8_blocks_detail::unpack_row(const GgmlType& type, const uint8_t* b, int64_t k, uint8_t* u, float* d,
                                           float* mn) {
    const int64_t blocks = k / type.block_values;
    switch (type.id) {
        case kGgmlQ8_0:
            for (int64_t i = 0; i < blocks; ++i, b += 34, u += 32) {
                d[i] = ggml_half_at(b);
                mn[i] = 0.0f;
                for (int j = 0; j < 32; ++j) u[j] = static_cast<uint8_t>(b[2 + j] ^ 0x80);  // q + 128
            }
            return {32, 128, false};
        case kGgmlQ4_0:
        case kGgmlQ5_0: {
            const bool five = type.id == kGgmlQ5_0;
            for (int64_t i = 0; i < blocks; ++i, b += type.block_bytes, u += 32) {
                d[i] = ggml_half_at(b);
                mn[i] = 0.0f;
                int8_blocks_nibbles(b + (five ? 6 : 2), u);
                if (five) int8_blocks_fifth_bits(b + 2, u);
            }
            return {32, five ? 16 : 8, false};
        }
        case kGgmlQ4_1:
        case kGgmlQ5_1: {
            const bool five = type.id == kGgmlQ5_1;
            for (int64_t i = 0; i < blocks; ++i, b += type.block_bytes, u += 32) {
                d[i] = ggml_half_at(b);
                mn[i] = ggml_half_at(b + 2);
                int8_blocks_nibbles(b + (five ? 8 : 4), u);
                if (five) int8_blocks_fifth_bits(b + 4, u);
            }
            return {32, 0, true};
        }
        case kGgmlQ4_K:
        case kGgmlQ5_K: {
            const bool five = type.id == kGgmlQ5_K;
            for (int64_t i = 0; i < blocks; ++i, b += type.block_bytes) {
                const float dall = ggml_half_at(b), dmin = ggml_half_at(b + 2);
                const uint8_t* scales = b + 4;
                const uint8_t* qh = b + 16;
                const uint8_t* q = b + (five ? 48 : 16);
                for (int pair = 0; pair < 4; ++pair, q += 32, u += 64) {
                    for (int half = 0; half < 2; ++half) {
                        uint8_t sc, m;
                        ggml_scale_min_k4(2 * pair + half, scales, &sc, &m);
                        *d++ = dall * sc;
                        *mn++ = -(dmin * m);
                    }
                    for (int l = 0; l < 32; ++l) {
                        u[l] = q[l] & 0xF;
                        u[l + 32] = q[l] >> 4;
                    }
                    if (five) {
                        const uint8_t lo = static_cast<uint8_t>(1u << (2 * pair)), hi = static_cast<uint8_t>(2u << (2 * pair));
                        for (int l = 0; l < 32; ++l) {
                            u[l] += (qh[l] & lo) ? 16 : 0;
                            u[l + 32] += (qh[l] & hi) ? 16 : 0;
                        }
                    }
                }
            }
            return {32, 0, true};
        }
        case kGgmlQ6_K:
            for (int64_t i = 0; i < blocks; ++i, b += 210) {
                const uint8_t* ql = b;
                const uint8_t* qh = b + 128;
                const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
                const float dall = ggml_half_at(b + 208);
                for (int s = 0; s < 16; ++s) {
                    *d++ = dall * sc[s];
                    *mn++ = 0.0f;
                }
                for (int n = 0; n < 256; n += 128, ql += 64, qh += 32, u += 128) {
                    for (int l = 0; l < 32; ++l) {
                        u[l + 0] = (ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4);
                        u[l + 32] = (ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4);
                        u[l + 64] = (ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4);
                        u[l + 96] = (ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4);
                    }
                }
            }
            return {16, 32, false};
        default: return {};
    }
}

int8_blocks_detail::PanelBuffers::PanelBuffers(int64_t k)
    : k(k), u(32 * k), stage_u(16 * k), d(32 * (k / 16)), mn(32 * (k / 16)), stage_d(16 * (k / 16)),
      stage_mn(16 * (k / 16)) {}

PanelView int8_blocks_detail::PanelBuffers::view(const UnpackedRow& layout, int groups, bool q8_k) const {
    return {u.data(), d.data(), mn.data(), groups, layout.sub, layout.offset, layout.has_min, q8_k};
}

UnpackedRow int8_blocks_detail::unpack_panel_reference(const Weight& w, int64_t row, int groups, PanelBuffers& out) {
    const int64_t k = w.cols;
    std::vector<uint8_t> row_u(k);
    std::vector<float> row_d(k / 16), row_mn(k / 16);
    UnpackedRow layout;
    for (int r = 0; r < 16 * groups; ++r) {
        layout = unpack_row(*w.blocks, static_cast<const uint8_t*>(w.data) + (row + r) * w.row_bytes(), k, row_u.data(),
                            row_d.data(), row_mn.data());
        const int group = r / 16, lane = r % 16;
        for (int64_t quad = 0; quad < k / 4; ++quad)
            std::memcpy(out.u.data() + ((quad * groups + group) * 16 + lane) * 4, row_u.data() + quad * 4, 4);
        for (int64_t j = 0; j < k / layout.sub; ++j) {
            out.d[(j * groups + group) * 16 + lane] = row_d[j];
            out.mn[(j * groups + group) * 16 + lane] = row_mn[j];
        }
    }
    return layout;
}

// Both activation formats share one layout: per value, per 32 and per 16 values.
void int8_blocks_detail::size_quantized_rows(int64_t m, int64_t k, QuantizedRows& out) {
    out.m = m;
    out.k = k;
    out.q.resize(m * k);
    out.scale.resize(m * k / 32);
    out.sum16.resize(m * k / 16);
    out.scaled_sum32.resize(m * k / 32);
    out.sum32.resize(m * k / 32);
}

void quantize_rows_q8(const float* x, int64_t m, int64_t k, QuantizedRows& out) {
    int8_blocks_detail::size_quantized_rows(m, k, out);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) {
        for (int64_t b = 0; b < k / 32; ++b) {
            const float* v = x + r * k + b * 32;
            int8_t* q = out.q.data() + r * k + b * 32;
            float amax = 0.0f;
            for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(v[j]));
            // As ggml's quantize_row_q8_0: the scale is stored in f16, the values are rounded
            // (to nearest even) with the unrounded inverse.
            const float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
            int32_t sums[2] = {0, 0};
            for (int j = 0; j < 32; ++j) {
                q[j] = static_cast<int8_t>(std::nearbyint(v[j] * inverse));
                sums[j / 16] += q[j];
            }
            int8_blocks_detail::record_block32(out, r * (k / 32) + b, f16_to_f32(f32_to_f16(amax / 127.0f)), sums[0],
                                               sums[1]);
        }
    }
}

bool int8_block_type_takes_q8_k(const GgmlType& type) { return type.block_values == 256; }

void quantize_rows_q8_k(const float* x, int64_t m, int64_t k, QuantizedRows& out) {
    int8_blocks_detail::size_quantized_rows(m, k, out);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) {
        for (int64_t b = 0; b < k / 256; ++b) {
            const float* v = x + r * k + b * 256;
            int8_t* q = out.q.data() + r * k + b * 256;
            // As ggml's quantize_row_q8_K_ref: the signed value of largest magnitude maps to
            // −127, rounding to nearest even, d = 1/iscale in f32.
            float amax = 0.0f, max = 0.0f;
            for (int j = 0; j < 256; ++j) {
                if (std::fabs(v[j]) > amax) {
                    amax = std::fabs(v[j]);
                    max = v[j];
                }
            }
            float scale = 0.0f;
            if (amax == 0.0f) {
                std::fill(q, q + 256, int8_t{0});
            } else {
                const float iscale = -127.0f / max;
                for (int j = 0; j < 256; ++j)
                    q[j] = static_cast<int8_t>(std::min(127.0f, std::nearbyint(iscale * v[j])));
                scale = 1.0f / iscale;
            }
            for (int s = 0; s < 16; ++s) {
                int32_t sum = 0;
                for (int j = 0; j < 16; ++j) sum += q[s * 16 + j];
                out.sum16[r * (k / 16) + b * 16 + s] = sum;
            }
            const int32_t* sum16 = out.sum16.data() + r * (k / 16) + b * 16;
            for (int s = 0; s < 8; ++s)
                int8_blocks_detail::record_block32(out, r * (k / 32) + b * 8 + s, scale, sum16[2 * s], sum16[2 * s + 1]);
        }
    }
}

bool Int8BlockProduct::usable(const std::vector<Weight>& parts) {
    if (parts.empty() || !has_int8_dot_product()) return false;
    for (const Weight& w : parts)
        if (!w.blocks || !int8_block_type_supported(*w.blocks) || w.rows % 16 != 0 || w.cols % 32 != 0 ||
            w.cols % w.blocks->block_values != 0 ||
            w.cols != parts[0].cols)
            return false;
    return true;
}

Int8BlockProduct::Int8BlockProduct(const std::vector<Weight>& parts) : parts_(parts), k_(parts.at(0).cols) {
    for (size_t p = 0; p < parts.size(); ++p) {
        for (int64_t row = 0; row < parts[p].rows; row += 32) {
            const int groups = static_cast<int>(std::min<int64_t>(2, (parts[p].rows - row) / 16));
            const bool q8_k = int8_block_type_takes_q8_k(*parts[p].blocks);
            panels_.push_back({static_cast<int>(p), row, n_ + row, groups, q8_k});
            (q8_k ? any_q8_k_ : any_q8_0_) = true;
        }
        n_ += parts[p].rows;
    }
}

void Int8BlockProduct::apply(const float* x, int64_t m, float* y, const float* bias, bool accumulate) const {
    if (m <= 0) return;
    // One quantized copy of the input for the process (see PackedLinear::apply).
    static std::mutex rows_mutex;
    static QuantizedRows rows_q8_0, rows_q8_k;
    std::lock_guard<std::mutex> lock(rows_mutex);
    if (any_q8_0_) int8_blocks_detail::quantize_rows_q8_avx512(x, m, k_, rows_q8_0);
    if (any_q8_k_) int8_blocks_detail::quantize_rows_q8_k_avx512(x, m, k_, rows_q8_k);
#pragma omp parallel
    {
        int8_blocks_detail::PanelBuffers buffers(k_);
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < panels_.size(); ++i) {
            const Panel& p = panels_[i];
            const UnpackedRow layout = int8_blocks_detail::unpack_panel_avx512(parts_[p.part], p.row, p.groups, buffers);
            int8_blocks_detail::panel_product_avx512(buffers.view(layout, p.groups, p.q8_k), p.q8_k ? rows_q8_k : rows_q8_0,
                                                     y + p.column, n_, bias ? bias + p.column : nullptr, accumulate);
        }
    }
}

void int8_block_product_reference(const std::vector<Weight>& parts, const float* x, int64_t m, float* y,
                                  const float* bias, bool accumulate) {
    const int64_t k = parts.at(0).cols;
    int64_t n = 0;
    for (const Weight& w : parts) n += w.rows;
    QuantizedRows rows_q8_0, rows_q8_k;
    quantize_rows_q8(x, m, k, rows_q8_0);
    if (k % 256 == 0) quantize_rows_q8_k(x, m, k, rows_q8_k);
    std::vector<uint8_t> u(k);
    std::vector<float> d(k / 16), mn(k / 16);
    int64_t column = 0;
    for (const Weight& w : parts) {
        for (int64_t wr = 0; wr < w.rows; ++wr, ++column) {
            const UnpackedRow layout = int8_blocks_detail::unpack_row(
                *w.blocks, static_cast<const uint8_t*>(w.data) + wr * w.row_bytes(), k, u.data(), d.data(), mn.data());
            const bool per_256 = int8_block_type_takes_q8_k(*w.blocks);
            const QuantizedRows& rows = per_256 ? rows_q8_k : rows_q8_0;
            for (int64_t r = 0; r < m; ++r) {
                const int8_t* q = rows.q.data() + r * k;
                float acc = 0.0f, part = 0.0f;  // part: the current 256 values' sum under a Q8_K scale
                for (int64_t j = 0; j < k / layout.sub; ++j) {
                    const int64_t first = j * layout.sub;
                    int32_t sum = 0;
                    for (int t = 0; t < layout.sub / 16; ++t) sum += rows.sum16[r * (k / 16) + first / 16 + t];
                    int32_t dot = layout.has_min ? 0 : -layout.offset * sum;
                    for (int t = 0; t < layout.sub; ++t) dot += static_cast<int32_t>(u[first + t]) * q[first + t];
                    const float dx = rows.scale[r * (k / 32) + first / 32];
                    if (!per_256) {
                        acc = std::fma(static_cast<float>(dot), d[j] * dx, acc);
                        if (layout.has_min) acc = std::fma(mn[j], rows.scaled_sum32[r * (k / 32) + j], acc);
                        continue;
                    }
                    part = std::fma(static_cast<float>(dot), d[j], part);
                    if (layout.has_min) part = std::fma(mn[j], rows.sum32[r * (k / 32) + j], part);
                    if ((first + layout.sub) % 256 == 0) {
                        acc = std::fma(part, dx, acc);
                        part = 0.0f;
                    }
                }
                if (bias) acc += bias[column];
                float& out = y[r * n + column];
                out = accumulate ? out + acc : acc;
            }
        }
    }
}

}  // namespace remask
