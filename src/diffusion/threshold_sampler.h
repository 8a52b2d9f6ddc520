#pragma once
// Confidence-threshold parallel unmasking (Fast-dLLM, training-free acceleration).
//
// Blocks as in LLaDA (llada_sampler.h). At each step, every masked position of the current
// block gets LLaDA's token (Gumbel-max at `temperature`) and confidence softmax(logits)[token];
// the row reveals every position with confidence >= threshold, and always at least its most
// confident one (ties: lower position). A block is finished when none of its positions is
// masked, so confident text takes far fewer steps than `steps`.
//
// `steps` stays an upper bound: each block has steps / num_blocks steps, and a step reveals
// at least ceil(remaining / steps_left) positions (the most confident), so the block is
// always done within its share. With threshold <= 0 every position passes (one step a block).

#include "diffusion/sampler.h"
#include "diffusion/schedule.h"

namespace remask {

class ThresholdSampler : public Sampler {
public:
    ThresholdSampler(double threshold, int64_t steps, int64_t block_length, double temperature);

    std::string_view name() const override { return "threshold"; }
    void begin(const std::vector<std::vector<int64_t>>& masked, int64_t length,
               const KeyedRng& rng) override;
    bool next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) override;
    void choose(const RowStep& row_step, std::vector<Reveal>& reveals) const override;

    const BlockLayout& layout() const { return layout_; }

private:
    double threshold_;
    int64_t steps_;
    int64_t block_length_;
    double temperature_;

    BlockLayout layout_;
    int64_t block_ = 0;
    int64_t step_in_block_ = 0;
    int64_t steps_done_ = 0;
    std::vector<int64_t> minimum_counts_;  // [row] at least this many at the planned step
};

}  // namespace remask
