#include "kernels/cpu/bf16_panels.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/stacked_parts.h"

namespace remask {
namespace {

using bf16_panels_detail::kPanelColumns;

// Panels packed before their source rows' pages are dropped: 128 panels = 4096 rows, so
// loading holds at most that many rows twice.
constexpr int64_t kPanelsPerReleasedChunk = 128;

}  // namespace

bool Bf16PanelProduct::usable(const std::vector<Weight>& parts) {
    if (parts.empty() || active_isa() == Isa::avx2) return false;
    for (const Weight& w : parts)
        if (w.blocks || w.dtype != DType::bf16 || w.cols != parts[0].cols || w.data == nullptr) return false;
    return true;
}

Bf16PanelProduct::Bf16PanelProduct(const std::vector<Weight>& parts, bool release_source) {
    if (!usable(parts)) throw InputError("bf16 panels", "need plain bf16 weights of one width and an AVX-512 CPU");
    k_ = parts[0].cols;
    for (const Weight& w : parts) n_ += w.rows;
    pairs_ = (k_ + 1) / 2;
    panels_ = (n_ + kPanelColumns - 1) / kPanelColumns;
    packed_ = make_aligned_array<uint32_t>(static_cast<size_t>(panels_ * pairs_ * kPanelColumns));
    for (int64_t chunk = 0; chunk < panels_; chunk += kPanelsPerReleasedChunk) {
        const int64_t chunk_end = std::min(panels_, chunk + kPanelsPerReleasedChunk);
#pragma omp parallel for schedule(static)
        for (int64_t p = chunk; p < chunk_end; ++p) {
            uint32_t* panel = packed_.get() + p * pairs_ * kPanelColumns;
            for (int c = 0; c < kPanelColumns; ++c) {
                const auto* row = static_cast<const uint16_t*>(stacked_row(parts, p * kPanelColumns + c));
                for (int64_t j = 0; j < pairs_; ++j) {
                    const uint32_t lo = row ? row[2 * j] : 0;
                    const uint32_t hi = row && 2 * j + 1 < k_ ? row[2 * j + 1] : 0;
                    panel[j * kPanelColumns + c] = lo | (hi << 16);
                }
            }
        }
        if (release_source)
            release_stacked_rows(parts, chunk * kPanelColumns, std::min(n_, chunk_end * kPanelColumns));
    }
}

void Bf16PanelProduct::apply(const float* x, int64_t m, float* y, const float* bias, bool accumulate) const {
    if (m <= 0) return;
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < panels_; ++p) {
        const int64_t first = p * kPanelColumns;
        const int columns = static_cast<int>(std::min<int64_t>(kPanelColumns, n_ - first));
        bf16_panels_detail::panel_product_avx512(x, m, k_, packed_.get() + p * pairs_ * kPanelColumns, columns,
                                                 y + first, n_, bias ? bias + first : nullptr, accumulate);
    }
}

void Bf16PanelProduct::row_to_f32(int64_t row, float* out) const {
    const uint32_t* lane = packed_.get() + (row / kPanelColumns) * pairs_ * kPanelColumns + row % kPanelColumns;
    for (int64_t j = 0; j < pairs_; ++j) {
        const uint32_t pair = lane[j * kPanelColumns];
        out[2 * j] = bf16_to_f32(static_cast<uint16_t>(pair & 0xFFFF));
        if (2 * j + 1 < k_) out[2 * j + 1] = bf16_to_f32(static_cast<uint16_t>(pair >> 16));
    }
}

void bf16_panel_product_reference(const std::vector<Weight>& parts, const float* x, int64_t m, float* y,
                                  const float* bias, bool accumulate) {
    const int64_t k = parts.at(0).cols;
    int64_t n = 0;
    for (const Weight& w : parts) n += w.rows;
    int64_t column = 0;
    for (const Weight& w : parts)
        for (int64_t wr = 0; wr < w.rows; ++wr, ++column) {
            const uint16_t* row = static_cast<const uint16_t*>(w.data) + wr * k;
            for (int64_t r = 0; r < m; ++r) {
                double sum = bias ? bias[column] : 0.0;
                for (int64_t j = 0; j < k; ++j) sum += double(x[r * k + j]) * double(bf16_to_f32(row[j]));
                float& out = y[r * n + column];
                out = accumulate ? out + static_cast<float>(sum) : static_cast<float>(sum);
            }
        }
}

}  // namespace remask
