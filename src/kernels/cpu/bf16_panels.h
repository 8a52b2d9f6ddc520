#pragma once
// Products with bf16 weights kept in bf16 (a BF16 GGUF file's matrices): the weights are
// repacked once, at load, into panels of 32 output columns in which each 32-bit lane holds
// one column's two consecutive bf16 values, and the float32 input is multiplied by them with
// float32 fused multiply-adds, each pair widened in registers (a shift and a mask) right
// before its use. So the weights take their bf16 size (the file's: its pages are dropped as
// they are packed) and every product is float32 arithmetic on exact bf16 values, as the
// packed-f32 path computes it at twice the memory.
//
// Why not AVX-512 BF16's `vdpbf16ps` (llama.cpp's BF16 kernel): it rounds the input to bf16
// too, and on the Xeon this was measured on (family 6 model 207) it retires one per ~2.3
// cycles, half the float32 FMA rate per value (docs/gguf.md).
//
//   Bf16PanelProduct p({q, k, v}, /*release_source=*/true);  // parts stacked along rows
//   p.apply(x, m, y, bias, accumulate);                       // y [m, n] = x [m, k] · Wᵀ (+ bias)
//
// bf16_panel_product_reference is the same product in plain scalar code (double sums); the
// tests compare the two, and tests/model compares whole BF16 files with llama.cpp.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/aligned_array.h"
#include "kernels/cpu/dtype.h"

namespace remask {

class Bf16PanelProduct {
public:
    // Every part plain bf16 with the same cols, and an AVX-512 CPU (under REMASK_MAX_ISA).
    static bool usable(const std::vector<Weight>& parts);
    // release_source: the parts are read-only file mappings (or copies nobody reads again)
    // whose pages are dropped as they are packed, so loading holds one extra chunk.
    Bf16PanelProduct(const std::vector<Weight>& parts, bool release_source);

    int64_t out_features() const { return n_; }
    int64_t bytes() const { return panels_ * pairs_ * 32 * 4; }

    // y [m, n] = x [m, k] · Wᵀ + bias (bias [n] or null); with accumulate, y += that.
    void apply(const float* x, int64_t m, float* y, const float* bias, bool accumulate) const;

    // Stacked weight row `row` (< out_features()) widened to float32 into out [k].
    void row_to_f32(int64_t row, float* out) const;

private:
    AlignedArray<uint32_t> packed_;  // [panels][pairs][32], 64-byte aligned
    int64_t n_ = 0, k_ = 0, pairs_ = 0, panels_ = 0;
};

void bf16_panel_product_reference(const std::vector<Weight>& parts, const float* x, int64_t m, float* y,
                                  const float* bias, bool accumulate);

namespace bf16_panels_detail {

constexpr int kPanelColumns = 32;

// The AVX-512 kernel (bf16_panels_avx512.cpp): rows [0, m) of x [m, k] against one panel
// ([pairs][32] pairs of bf16), writing its first `columns` (≤ 32) outputs of each row of y
// (row stride ldy); bias points at the panel's first column or is null.
void panel_product_avx512(const float* x, int64_t m, int64_t k, const uint32_t* panel, int columns, float* y,
                          int64_t ldy, const float* bias, bool accumulate);

}  // namespace bf16_panels_detail
}  // namespace remask
