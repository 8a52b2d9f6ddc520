#pragma once
// LLaDA's sampler (generate.py of ML-GSAI/LLaDA), generalized from "prompt + answer" to any
// set of masked positions.
//
// Schedule: the region from the first to the last masked position (over the batch) is cut
// into blocks of block_length positions (0 = one block), decoded left to right; each block
// gets steps / num_blocks steps, and a row with n masks in a block reveals
// num_transfer_tokens(n, steps_per_block)[i] of them at step i (n / steps each, the first
// n % steps one more). Only positions of the current block compete.
//
// Per masked position of the block: the token is the Gumbel-max choice at `temperature`
// (argmax at 0). Its confidence is softmax(logits)[token] (`low_confidence`) or a uniform
// draw (`random`); the highest-confidence positions are revealed, ties going to the lower
// position. Classifier-free guidance and forbidden tokens are applied to the logits by
// denoise() before they reach this sampler.

#include "diffusion/sampler.h"
#include "diffusion/schedule.h"

namespace remask {

enum class LladaRemasking { low_confidence, random };

class LladaSampler : public Sampler {
public:
    LladaSampler(LladaRemasking remasking, int64_t steps, int64_t block_length, double temperature);

    std::string_view name() const override;
    void begin(const std::vector<std::vector<int64_t>>& masked, int64_t length,
               const KeyedRng& rng) override;
    bool next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) override;
    void choose(const RowStep& row_step, std::vector<Reveal>& reveals) const override;

    const BlockLayout& layout() const { return layout_; }

private:
    void start_block(const std::vector<std::vector<int64_t>>& masked);

    LladaRemasking remasking_;
    int64_t steps_;
    int64_t block_length_;
    double temperature_;

    BlockLayout layout_;
    int64_t block_ = 0;                         // current block
    int64_t step_in_block_ = 0;                 // next step inside it
    std::vector<std::vector<int64_t>> counts_;  // [row][step in block] tokens to reveal
    std::vector<int64_t> current_counts_;       // [row] for the planned step
};

// Picks the `count` positions with the highest confidence; ties go to the lower index.
// confidence[i] belongs to index i; returns indices in ascending order of rank.
std::vector<size_t> top_confidence(const std::vector<double>& confidence, int64_t count);

}  // namespace remask
