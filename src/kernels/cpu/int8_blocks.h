#pragma once
// Integer products straight from GGUF's quantized blocks (AVX-512 VNNI, vpdpbusd), the way
// llama.cpp computes them: each input row is quantized to int8 in llama.cpp's activation
// format for the weight type (Q8_0: one f16 scale per 32 values; K-quants: Q8_K, one f32
// scale per 256), each weight sub-block is unpacked to u8 with its
// f32 scale (and min), the 32- (Q6_K: 16-) value dot products run in int32 and every
// sub-block's sum is scaled into a float32 accumulator.
//
//   w = d·(u − offset)  (Q8_0: u = q + 128, Q4_0, Q5_0, Q6_K)   Σ w·x = d·dx·(Σ u·qx − offset·Σ qx)
//   w = d·u + mn        (Q4_1, Q5_1, Q4_K, Q5_K)                Σ w·x = d·dx·Σ u·qx + mn·dx·Σ qx
//
// With Q8_K inputs (K-quants), whose scale dx holds for 256 values, the sub-blocks of each 256
// are summed first and scaled once, as llama.cpp does: Σ w·x = dx·Σ_sub (d·dot [+ mn·Σ qx]).
//
// Weights stay in the file's blocks (resident ≈ the file): a panel of 16 or 32 output rows is
// unpacked into the kernel's layout right before it is multiplied with every input row.
//
//   Int8BlockProduct p = Int8BlockProduct::make({q, k, v});   // nullopt-like: p.usable()
//   p.apply(x, m, y, bias, accumulate);                          // y [m, n] = x [m, k]·Wᵀ (+ bias)
//
// int8_block_product_reference is the same arithmetic in plain scalar code (the tests compare
// the two); tests/model compares whole models with the dequantize-everything reference and
// with llama.cpp.

#include <cstdint>
#include <vector>

#include "kernels/cpu/dtype.h"

namespace remask {

// Whether a block type has an integer kernel (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K).
bool int8_block_type_supported(const GgmlType& type);

// Input rows quantized per 32 values: q [m, k] int8, scale [m, k/32] (rounded to f16 as
// llama.cpp's block_q8_0 stores it), sum16 [m, k/16] = Σ q over each 16 values.
struct QuantizedRows {
    int64_t m = 0, k = 0;
    std::vector<int8_t> q;
    std::vector<float> scale;
    std::vector<int32_t> sum16;
    std::vector<float> scaled_sum32;  // [m, k/32] scale · Σ q over the 32 values (for mins)
    std::vector<float> sum32;         // [m, k/32] Σ q over the 32 values (mins under a Q8_K scale)
};
void quantize_rows_q8(const float* x, int64_t m, int64_t k, QuantizedRows& out);
// The same layout in llama.cpp's Q8_K format, which its K-quant products use: one f32 scale
// per 256 values (repeated for each 32), the largest magnitude mapped to −127. k % 256 == 0.
void quantize_rows_q8_k(const float* x, int64_t m, int64_t k, QuantizedRows& out);
// Which of the two the products with `type` take (as llama.cpp's vec_dot_type).
bool int8_block_type_takes_q8_k(const GgmlType& type);

class Int8BlockProduct {
public:
    // Usable when every part has an integer kernel, k is a multiple of 32 and every part's
    // rows a multiple of 16, and the CPU has AVX-512 VNNI (has_int8_dot_product()).
    static bool usable(const std::vector<Weight>& parts);
    explicit Int8BlockProduct(const std::vector<Weight>& parts);

    // y [m, n] = x [m, k] · Wᵀ + bias (bias [n] or null); with accumulate, y += that.
    void apply(const float* x, int64_t m, float* y, const float* bias, bool accumulate) const;

private:
    struct Panel {
        int part;
        int64_t row;     // first row within the part
        int64_t column;  // first output column (stacked row) of y
        int groups;      // 16-row groups: 1 or 2
        bool q8_k;       // the input in Q8_K rows (K-quants), else Q8_0 rows
    };
    std::vector<Weight> parts_;
    std::vector<Panel> panels_;
    int64_t n_ = 0, k_ = 0;
    bool any_q8_0_ = false, any_q8_k_ = false;
};

// The same result computed plainly: every weight row unpacked, every sub-block's int32 dot
// product summed in order, scaled and accumulated in float32 exactly as the kernel does.
void int8_block_product_reference(const std::vector<Weight>& parts, const float* x, int64_t m, float* y,
                                  const float* bias, bool accumulate);

namespace int8_blocks_detail {

// One weight row in the kernel's terms: u [k] (unsigned values), per sub-block of `sub` values
// d [k/sub] and mn [k/sub] (zero for offset types); w = d·(u − offset) + mn.
struct UnpackedRow {
    int sub = 32;
    int offset = 0;
    bool has_min = false;
};
UnpackedRow unpacked_layout(const GgmlType& type);  // what unpack_row returns for the type
UnpackedRow unpack_row(const GgmlType& type, const uint8_t* blocks, int64_t k, uint8_t* u, float* d, float* mn);

// A panel: `groups` groups of 16 rows, unpacked into the kernel's layout:
//   u8 [k/4][groups][16][4] (each row's 4 consecutive values in one 32-bit lane),
//   d, mn [k/sub][groups][16].
struct PanelView {
    const uint8_t* u;
    const float* d;
    const float* mn;
    int groups, sub, offset;
    bool has_min;
    bool per_256;  // the input in Q8_K rows: one scale per 256 values (see the top of this file)
};

// A panel's buffers, one set per thread, reused for every panel: the layout above for up to 2
// groups (u [k/4][groups][16][4], d and mn [k/sub][groups][16]), and 16 unpacked rows as
// unpack_row writes them (the fast unpacker's staging: stage_u [16][k], stage_d/mn [16][k/16]).
struct PanelBuffers {
    explicit PanelBuffers(int64_t k);
    int64_t k;
    std::vector<uint8_t> u, stage_u;
    std::vector<float> d, mn, stage_d, stage_mn;
    PanelView view(const UnpackedRow& layout, int groups, bool q8_k) const;
};

// Rows [row, row + 16·groups) of w unpacked into out's panel layout. The reference unpacks
// each row with unpack_row and copies every 4 bytes to its lane; the AVX-512 one
// (int8_blocks_unpack_avx512.cpp, only where has_int8_dot_product()) unpacks all eight types
// with vector code and transposes 16 rows at a time. Both write the same bytes and floats.
UnpackedRow unpack_panel_reference(const Weight& w, int64_t row, int groups, PanelBuffers& out);
UnpackedRow unpack_panel_avx512(const Weight& w, int64_t row, int groups, PanelBuffers& out);

// quantize_rows_q8 / quantize_rows_q8_k in AVX-512 (int8_blocks_quantize_avx512.cpp, only where
// has_int8_dot_product()): the same values, bit for bit, for finite inputs.
void size_quantized_rows(int64_t m, int64_t k, QuantizedRows& out);
// The per-32-values entries of block32 (row · k/32 + block): its scale and the sums of its
// two halves of 16 quantized values (every quantizer, scalar or vector, records them so).
inline void record_block32(QuantizedRows& out, int64_t block32, float scale, int32_t first16, int32_t second16) {
    out.scale[block32] = scale;
    out.sum16[2 * block32] = first16;
    out.sum16[2 * block32 + 1] = second16;
    out.sum32[block32] = static_cast<float>(first16 + second16);
    out.scaled_sum32[block32] = scale * out.sum32[block32];
}
void quantize_rows_q8_avx512(const float* x, int64_t m, int64_t k, QuantizedRows& out);
void quantize_rows_q8_k_avx512(const float* x, int64_t m, int64_t k, QuantizedRows& out);

// The AVX-512 VNNI kernel (int8_blocks_avx512.cpp): rows [0, m) of the quantized input
// against one panel; y points at the panel's first column, row stride ldy.
void panel_product_avx512(const PanelView& panel, const QuantizedRows& x, float* y, int64_t ldy,
                          const float* bias, bool accumulate);

}  // namespace int8_blocks_detail
}  // namespace remask
