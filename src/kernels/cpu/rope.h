#pragma once
// Rotary position embedding in the rotate-half form used by LLaMA, Qwen2, Dream and LLaDA:
// each head's vector is split into a first and a second half (not interleaved pairs), and
//   out = x * cos(p·f) + rotate_half(x) * sin(p·f),  rotate_half(x) = [-x2, x1],
//   f_i = theta^(-2i / head_dim), i < head_dim / 2.

#include <cstdint>
#include <vector>

namespace remask {

// The plain inverse frequencies theta^(-2i / head_dim), i < head_dim / 2.
std::vector<double> rope_inverse_frequencies(int64_t head_dim, double theta);

// cos/sin tables for positions [0, max_positions), computed in double.
class RopeTable {
public:
    RopeTable() = default;
    RopeTable(int64_t head_dim, double theta, int64_t max_positions);
    // inv_freq: [head_dim / 2], e.g. after a RoPE scaling rule changed some of them.
    RopeTable(std::vector<double> inv_freq, int64_t max_positions);

    int64_t head_dim() const { return head_dim_; }
    int64_t max_positions() const { return max_positions_; }
    // Grows the table so positions below n are covered.
    void reserve(int64_t n);
    // [head_dim / 2] values for position p.
    const float* cos(int64_t p) const { return cos_.data() + p * (head_dim_ / 2); }
    const float* sin(int64_t p) const { return sin_.data() + p * (head_dim_ / 2); }

private:
    int64_t head_dim_ = 0;
    std::vector<double> inv_freq_;
    int64_t max_positions_ = 0;
    std::vector<float> cos_, sin_;
};

// x: [t, heads, head_dim] (rows may be strided: row_stride floats between positions),
// rotated in place; row i has position first_position + i.
void apply_rope(float* x, int64_t t, int64_t heads, int64_t row_stride, int64_t first_position,
                const RopeTable& table);
// The same for rows at arbitrary positions: row i has position positions[i] (the active rows
// of a partial forward over a dual KV cache).
void apply_rope_at(float* x, int64_t t, int64_t heads, int64_t row_stride, const int64_t* positions,
                   const RopeTable& table);

}  // namespace remask
