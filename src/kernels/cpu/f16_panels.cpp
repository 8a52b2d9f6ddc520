#include "kernels/cpu/f16_panels.h"

#include <cpuid.h>

#include <algorithm>
#include <mutex>

#include "core/grown_buffer.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/stacked_parts.h"

namespace remask {
namespace {

// Panels packed before their source rows' pages are dropped (4096 rows): loading holds at
// most that many rows twice.
constexpr int64_t kF16PanelsPerReleasedChunk = 64;
// Largest |partial sum| allowed in float16 (its largest finite value is 65504).
constexpr float kF16SumLimit = 60000.0f;

// bf16 bits of |w| from which float16 cannot hold w (65280 is its largest bf16 value below
// 65504; infinities and NaNs included).
constexpr uint16_t kBf16PastF16 = 0x4780;

}  // namespace

bool has_f16_products() {
    // CPUID leaf 7 EDX bit 23 (AVX512_FP16); asked directly, as not every compiler's
    // __builtin_cpu_supports knows the name. AVX-512 itself (and the OS saving its
    // registers) is what active_isa() checks.
    static const bool fp16 = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        return active_isa() == Isa::avx512_bf16 && __get_cpuid_count(7, 0, &a, &b, &c, &d) && ((d >> 23) & 1u);
    }();
    return fp16;
}

bool F16PanelProduct::usable(const std::vector<Weight>& parts) {
    if (parts.empty() || !has_f16_products()) return false;
    for (const Weight& w : parts)
        if (w.blocks || w.dtype != DType::bf16 || w.cols != parts[0].cols || w.data == nullptr) return false;
    return true;
}

std::unique_ptr<F16PanelProduct> F16PanelProduct::make(const std::vector<Weight>& parts, bool release_source) {
    if (!usable(parts)) return nullptr;
    std::unique_ptr<F16PanelProduct> out(new F16PanelProduct());
    out->k_ = parts[0].cols;
    uint16_t largest = 0;  // bf16 bits of the largest |w| (ordered as the values are)
    for (const Weight& w : parts) {
        out->n_ += w.rows;
        const uint16_t* v = static_cast<const uint16_t*>(w.data);
        for (int64_t i = 0; i < w.rows * w.cols; ++i) largest = std::max<uint16_t>(largest, v[i] & 0x7FFF);
    }
    if (largest >= kBf16PastF16) return nullptr;
    out->max_abs_weight_ = bf16_to_f32(largest);
    const int64_t k = out->k_;
    out->panels_ = (out->n_ + kColumns - 1) / kColumns;
    out->packed_ = make_aligned_array<uint16_t>(static_cast<size_t>(out->panels_ * k * kColumns));
    for (int64_t chunk = 0; chunk < out->panels_; chunk += kF16PanelsPerReleasedChunk) {
        const int64_t chunk_end = std::min(out->panels_, chunk + kF16PanelsPerReleasedChunk);
#pragma omp parallel
        {
            std::vector<uint16_t> converted(k);
#pragma omp for schedule(static)
            for (int64_t p = chunk; p < chunk_end; ++p) {
                uint16_t* panel = out->packed_.get() + p * k * kColumns;
                for (int c = 0; c < kColumns; ++c) {
                    const auto* row = static_cast<const uint16_t*>(stacked_row(parts, p * kColumns + c));
                    if (row) f16_panels_detail::bf16_to_f16(row, k, converted.data());
                    for (int64_t j = 0; j < k; ++j) panel[j * kColumns + c] = row ? converted[j] : 0;
                }
            }
        }
        if (release_source) release_stacked_rows(parts, chunk * kColumns, std::min(out->n_, chunk_end * kColumns));
    }
    return out;
}

bool F16PanelProduct::runs_in_f16(float max_abs_input) const {
    return max_abs_input * max_abs_weight_ * kSumLength <= kF16SumLimit;  // false for inf / NaN too
}

void F16PanelProduct::apply(const float* x, int64_t m, float* y, const float* bias, bool accumulate) const {
    if (m <= 0) return;
    const bool f16 = runs_in_f16(f16_panels_detail::max_abs(x, m * k_));
    // One float16 copy of the input for the process (products run one at a time).
    static std::mutex pairs_mutex;
    static std::vector<uint32_t> pairs;
    std::unique_lock<std::mutex> lock(pairs_mutex, std::defer_lock);
    uint32_t* x_pairs = nullptr;
    if (f16) {
        lock.lock();
        x_pairs = grown_buffer(pairs, m * k_);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < m; ++i) f16_panels_detail::round_to_f16_pairs(x + i * k_, k_, x_pairs + i * k_);
    }
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < panels_; ++p) {
        const int64_t first = p * kColumns;
        const int columns = static_cast<int>(std::min<int64_t>(kColumns, n_ - first));
        const uint16_t* panel = packed_.get() + p * k_ * kColumns;
        const float* panel_bias = bias ? bias + first : nullptr;
        if (f16)
            f16_panels_detail::panel_product_f16(x_pairs, m, k_, panel, columns, y + first, n_, panel_bias, accumulate);
        else
            f16_panels_detail::panel_product_exact(x, m, k_, panel, columns, y + first, n_, panel_bias, accumulate);
    }
}

void F16PanelProduct::row_to_f32(int64_t row, float* out) const {
    const uint16_t* lane = packed_.get() + (row / kColumns) * k_ * kColumns + row % kColumns;
    for (int64_t j = 0; j < k_; ++j) out[j] = f16_to_f32(lane[j * kColumns]);
}

}  // namespace remask
