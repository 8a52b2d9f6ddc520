#include "diffusion/schedule.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace remask {

std::vector<int64_t> num_transfer_tokens(int64_t masked, int64_t steps) {
    std::vector<int64_t> counts(static_cast<size_t>(steps), masked / steps);
    for (int64_t i = 0; i < masked % steps; ++i) counts[static_cast<size_t>(i)] += 1;
    return counts;
}

std::vector<float> dream_timesteps(int64_t steps, float eps) {
    const int64_t n = steps + 1;
    const float start = 1.0f;
    const float end = eps;
    const float step = (end - start) / static_cast<float>(steps);
    const int64_t halfway = n / 2;
    std::vector<float> t(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        t[static_cast<size_t>(i)] = i < halfway ? start + step * static_cast<float>(i)
                                                : end - step * static_cast<float>(n - i - 1);
    }
    return t;
}

int64_t dream_transfer_count(int64_t masked, const std::vector<float>& timesteps, int64_t step) {
    const int64_t steps = static_cast<int64_t>(timesteps.size()) - 1;
    if (step >= steps - 1) return masked;
    const float t = timesteps[static_cast<size_t>(step)];
    const float s = timesteps[static_cast<size_t>(step + 1)];
    const float fraction = 1.0f - s / t;
    return static_cast<int64_t>(static_cast<float>(masked) * fraction);
}

BlockLayout make_block_layout(const std::vector<std::vector<int64_t>>& masked, int64_t steps,
                              int64_t block_length) {
    if (steps < 1) {
        throw InputError("steps", "must be at least 1, got " + std::to_string(steps));
    }
    if (block_length < 0) {
        throw InputError("block_length",
                         "must be 0 (one block) or positive, got " + std::to_string(block_length));
    }
    BlockLayout layout;
    bool any = false;
    for (const auto& row : masked) {
        if (row.empty()) continue;
        layout.start = any ? std::min(layout.start, row.front()) : row.front();
        layout.end = any ? std::max(layout.end, row.back() + 1) : row.back() + 1;
        any = true;
    }
    const int64_t region = layout.end - layout.start;
    layout.block_length = block_length == 0 || block_length > region ? std::max<int64_t>(region, 1)
                                                                      : block_length;
    layout.num_blocks = any ? (region + layout.block_length - 1) / layout.block_length : 0;
    if (layout.num_blocks > 0 && steps % layout.num_blocks != 0) {
        throw InputError("steps", std::to_string(steps) + " steps cannot be split evenly over " +
                                      std::to_string(layout.num_blocks) + " blocks of " +
                                      std::to_string(layout.block_length) +
                                      " positions; use a multiple of " +
                                      std::to_string(layout.num_blocks) +
                                      " or a different block length");
    }
    layout.steps_per_block = layout.num_blocks > 0 ? steps / layout.num_blocks : steps;
    return layout;
}

}  // namespace remask
