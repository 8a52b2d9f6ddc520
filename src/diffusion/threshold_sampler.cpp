#include "diffusion/threshold_sampler.h"

#include <algorithm>

#include "core/thread_pool.h"
#include "diffusion/llada_sampler.h"
#include "diffusion/token_scoring.h"

namespace remask {

ThresholdSampler::ThresholdSampler(double threshold, int64_t steps, int64_t block_length,
                                   double temperature)
    : threshold_(threshold), steps_(steps), block_length_(block_length), temperature_(temperature) {}

void ThresholdSampler::begin(const std::vector<std::vector<int64_t>>& masked, int64_t /*length*/,
                             const KeyedRng& /*rng*/) {
    layout_ = make_block_layout(masked, steps_, block_length_);
    block_ = 0;
    step_in_block_ = 0;
    steps_done_ = 0;
}

bool ThresholdSampler::next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) {
    while (block_ < layout_.num_blocks) {
        const int64_t lo = layout_.block_begin(block_);
        const int64_t hi = layout_.block_end(block_);
        plan.eligible.assign(masked.size(), {});
        minimum_counts_.assign(masked.size(), 0);
        bool any = false;
        const int64_t steps_left = layout_.steps_per_block - step_in_block_;
        for (size_t row = 0; row < masked.size(); ++row) {
            const auto& m = masked[row];
            plan.eligible[row].assign(std::lower_bound(m.begin(), m.end(), lo),
                                      std::lower_bound(m.begin(), m.end(), hi));
            const int64_t remaining = int64_t(plan.eligible[row].size());
            minimum_counts_[row] = steps_left > 0 ? (remaining + steps_left - 1) / steps_left : remaining;
            any = any || remaining > 0;
        }
        if (any) {
            plan.step = steps_done_++;
            ++step_in_block_;
            return true;
        }
        ++block_;
        step_in_block_ = 0;
    }
    return false;
}

void ThresholdSampler::choose(const RowStep& rs, std::vector<Reveal>& reveals) const {
    const size_t n = rs.positions.size();
    std::vector<int32_t> tokens(n);
    std::vector<double> confidence(n);
    auto predict = [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            RandomStream noise = rs.rng->stream(rs.step, int64_t(rs.row), rs.positions[i], RandomPurpose::token);
            tokens[i] = gumbel_max_token(rs.logits[i], rs.vocab, temperature_, noise);
            confidence[i] = softmax_probability(rs.logits[i], rs.vocab, tokens[i]);
        }
    };
    if (rs.pool != nullptr) {
        rs.pool->parallel_for(n, predict);
    } else {
        predict(0, n);
    }
    int64_t passing = 0;
    for (double c : confidence) passing += c >= threshold_ ? 1 : 0;
    const int64_t count = std::max({passing, int64_t{1}, minimum_counts_[rs.row]});
    // Everything that passes ranks above everything that does not, so the top `count`
    // are exactly: all passing positions, topped up with the most confident others.
    for (size_t i : top_confidence(confidence, count)) {
        reveals.push_back({rs.positions[i], tokens[i], confidence[i]});
    }
}

}  // namespace remask
