#pragma once
// Products with bf16 weights in half-precision arithmetic, on CPUs with AVX-512 FP16
// (Sapphire Rapids and later), where a float16 fused multiply-add does 32 products per
// instruction at the float32 FMA's rate, twice float32's work. llama.cpp's BF16 kernel
// (`vdpbf16ps`) rounds the input to bf16 and, on the Xeon measured (family 6 model 207),
// runs at half the float32 rate; this is the one way past float32's peak there.
//
// Weights: repacked once, at load, into panels of 64 output columns, one k per 128 bytes, in
// float16 (a bf16 value is a float16 exactly when 2⁻¹⁴ ≤ |w| ≤ 65280; smaller ones keep an
// absolute error below 2⁻²⁵); the file's pages are dropped as they are packed, so they take
// the file's size. A matrix with a value past float16's range is not packed (make → null).
// Inputs: rounded to float16 per product. Sums: float16 over 128 values of k at most, then
// added into the float32 output, so the relative error per product is about 2e-3 — the
// size of llama.cpp's bf16 rounding of the input. Overflow guard: when the largest input
// times the largest weight times 128 could pass 60000, the product runs exactly instead
// (float32 FMAs on the widened weights).
//
//   auto p = F16PanelProduct::make({gate, up}, /*release_source=*/true);   // or null
//   p->apply(x, m, y, bias, accumulate);       // y [m, n] ≈ x [m, k] · Wᵀ (+ bias)
//
// bf16_panel_product_reference (bf16_panels.h) is the exact product the tests compare with.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/aligned_array.h"
#include "kernels/cpu/dtype.h"

namespace remask {

// Whether this CPU (under REMASK_MAX_ISA) has AVX-512 FP16.
bool has_f16_products();

class F16PanelProduct {
public:
    // Every part plain bf16 with the same cols, and has_f16_products().
    static bool usable(const std::vector<Weight>& parts);
    // Null when a weight lies past float16's range (nothing is read twice or released then).
    static std::unique_ptr<F16PanelProduct> make(const std::vector<Weight>& parts, bool release_source);

    int64_t out_features() const { return n_; }
    int64_t bytes() const { return panels_ * k_ * kColumns * 2; }

    // y [m, n] = x [m, k] · Wᵀ + bias (bias [n] or null); with accumulate, y += that.
    void apply(const float* x, int64_t m, float* y, const float* bias, bool accumulate) const;
    // Stacked weight row `row` (< out_features()) as float32 into out [k].
    void row_to_f32(int64_t row, float* out) const;
    // Whether a product with inputs up to max_abs_input runs in float16 (else exactly).
    bool runs_in_f16(float max_abs_input) const;

    static constexpr int kColumns = 64;
    static constexpr int kSumLength = 128;  // values of k summed in float16 before float32

private:
    F16PanelProduct() = default;
    AlignedArray<uint16_t> packed_;  // [panels][k][64] float16, 64-byte aligned
    int64_t n_ = 0, k_ = 0, panels_ = 0;
    float max_abs_weight_ = 0;
};

namespace f16_panels_detail {

// The AVX-512 FP16 kernels (f16_panels_avx512fp16.cpp) over one panel, first `columns` (≤ 64)
// outputs of each of the m rows of y (row stride ldy); bias at the panel's first column or
// null. In float16: x_pairs [m, k] holds each input twice per 32-bit word (a broadcast is then
// one load). Exactly: x [m, k] float32.
void panel_product_f16(const uint32_t* x_pairs, int64_t m, int64_t k, const uint16_t* panel, int columns, float* y,
                       int64_t ldy, const float* bias, bool accumulate);
void panel_product_exact(const float* x, int64_t m, int64_t k, const uint16_t* panel, int columns, float* y,
                         int64_t ldy, const float* bias, bool accumulate);
// bf16 values as float16 bits (nearest; exact in float16's normal range).
void bf16_to_f16(const uint16_t* in, int64_t n, uint16_t* out);
// out[i] = float16(x[i]) (nearest) in both halves of a 32-bit word.
void round_to_f16_pairs(const float* x, int64_t n, uint32_t* out);
float max_abs(const float* x, int64_t n);

}  // namespace f16_panels_detail
}  // namespace remask
