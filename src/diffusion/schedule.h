#pragma once
// Step schedules shared by the samplers: how many tokens each step reveals (LLaDA), the
// timesteps (Dream), and the block layout of semi-autoregressive decoding.

#include <cstdint>
#include <vector>

namespace remask {

// LLaDA's get_num_transfer_tokens: `masked` tokens over `steps` steps, masked / steps each,
// the first masked % steps steps one more. Sum == masked. steps >= 1.
std::vector<int64_t> num_transfer_tokens(int64_t masked, int64_t steps);

// Dream's timesteps torch.linspace(1, eps, steps + 1) in float32, computed the way
// PyTorch's linspace kernel does: step = (eps - 1) / steps; entries before the halfway
// index are 1 + step * i, the others eps - step * (steps - i).
std::vector<float> dream_timesteps(int64_t steps, float eps);

// Dream's tokens to reveal at step i of `steps` with `masked` still masked:
// int(masked * (1 - s / t)) in float32, and every remaining one at the last step.
int64_t dream_transfer_count(int64_t masked, const std::vector<float>& timesteps, int64_t step);

// Blocks of semi-autoregressive decoding over the region [start, end).
struct BlockLayout {
    int64_t start = 0;
    int64_t end = 0;
    int64_t block_length = 0;  // > 0 after make_block_layout
    int64_t num_blocks = 0;
    int64_t steps_per_block = 0;

    int64_t block_begin(int64_t b) const { return start + b * block_length; }
    int64_t block_end(int64_t b) const {
        int64_t e = start + (b + 1) * block_length;
        return e < end ? e : end;
    }
};

// The region spans the first to the last masked position over the batch. block_length 0 =
// one block. Blocks are block_length long (the last may be shorter); steps must be a
// multiple of the number of blocks, as in the reference. Throws InputError otherwise.
BlockLayout make_block_layout(const std::vector<std::vector<int64_t>>& masked, int64_t steps,
                              int64_t block_length);

}  // namespace remask
