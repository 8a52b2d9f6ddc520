#include "kernels/cpu/rope.h"

#include <cmath>
#include <stdexcept>

namespace remask {

std::vector<double> rope_inverse_frequencies(int64_t head_dim, double theta) {
    std::vector<double> inv_freq(head_dim / 2);
    for (int64_t i = 0; i < head_dim / 2; ++i)
        inv_freq[i] = 1.0 / std::pow(theta, double(2 * i) / double(head_dim));
    return inv_freq;
}

RopeTable::RopeTable(int64_t head_dim, double theta, int64_t max_positions)
    : RopeTable(rope_inverse_frequencies(head_dim, theta), max_positions) {}

RopeTable::RopeTable(std::vector<double> inv_freq, int64_t max_positions)
    : head_dim_(static_cast<int64_t>(inv_freq.size()) * 2), inv_freq_(std::move(inv_freq)) {
    reserve(max_positions);
}

void RopeTable::reserve(int64_t n) {
    if (n <= max_positions_) return;
    const int64_t half = head_dim_ / 2;
    cos_.resize(n * half);
    sin_.resize(n * half);
    for (int64_t p = max_positions_; p < n; ++p) {
        for (int64_t i = 0; i < half; ++i) {
            const double angle = double(p) * inv_freq_[i];
            cos_[p * half + i] = static_cast<float>(std::cos(angle));
            sin_[p * half + i] = static_cast<float>(std::sin(angle));
        }
    }
    max_positions_ = n;
}

namespace {

void rotate_row(float* row, int64_t heads, const float* c, const float* s, int64_t dim) {
    const int64_t half = dim / 2;
    for (int64_t h = 0; h < heads; ++h) {
        float* v = row + h * dim;
        for (int64_t j = 0; j < half; ++j) {
            const float a = v[j], b = v[j + half];
            v[j] = a * c[j] - b * s[j];
            v[j + half] = b * c[j] + a * s[j];
        }
    }
}

}  // namespace

void apply_rope(float* x, int64_t t, int64_t heads, int64_t row_stride, int64_t first_position,
                const RopeTable& table) {
    if (first_position + t > table.max_positions())
        throw std::logic_error("apply_rope: RopeTable too short for these positions");
    for (int64_t i = 0; i < t; ++i)
        rotate_row(x + i * row_stride, heads, table.cos(first_position + i), table.sin(first_position + i),
                   table.head_dim());
}

void apply_rope_at(float* x, int64_t t, int64_t heads, int64_t row_stride, const int64_t* positions,
                   const RopeTable& table) {
    for (int64_t i = 0; i < t; ++i) {
        if (positions[i] < 0 || positions[i] >= table.max_positions())
            throw std::logic_error("apply_rope_at: RopeTable too short for these positions");
        rotate_row(x + i * row_stride, heads, table.cos(positions[i]), table.sin(positions[i]), table.head_dim());
    }
}

}  // namespace remask
