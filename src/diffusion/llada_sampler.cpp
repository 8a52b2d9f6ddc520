#include "diffusion/llada_sampler.h"

#include <algorithm>
#include <numeric>

#include "core/thread_pool.h"
#include "diffusion/token_scoring.h"

namespace remask {

std::vector<size_t> top_confidence(const std::vector<double>& confidence, int64_t count) {
    std::vector<size_t> order(confidence.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return confidence[a] > confidence[b]; });
    order.resize(static_cast<size_t>(std::clamp<int64_t>(count, 0, int64_t(order.size()))));
    return order;
}

LladaSampler::LladaSampler(LladaRemasking remasking, int64_t steps, int64_t block_length,
                           double temperature)
    : remasking_(remasking), steps_(steps), block_length_(block_length), temperature_(temperature) {}

std::string_view LladaSampler::name() const {
    return remasking_ == LladaRemasking::low_confidence ? "low_confidence" : "random";
}

void LladaSampler::begin(const std::vector<std::vector<int64_t>>& masked, int64_t /*length*/,
                         const KeyedRng& /*rng*/) {
    layout_ = make_block_layout(masked, steps_, block_length_);
    block_ = 0;
    step_in_block_ = 0;
    if (layout_.num_blocks > 0) start_block(masked);
}

void LladaSampler::start_block(const std::vector<std::vector<int64_t>>& masked) {
    const int64_t lo = layout_.block_begin(block_);
    const int64_t hi = layout_.block_end(block_);
    counts_.assign(masked.size(), {});
    for (size_t row = 0; row < masked.size(); ++row) {
        const auto& m = masked[row];
        const int64_t n = std::lower_bound(m.begin(), m.end(), hi) - std::lower_bound(m.begin(), m.end(), lo);
        counts_[row] = num_transfer_tokens(n, layout_.steps_per_block);
    }
}

bool LladaSampler::next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) {
    while (block_ < layout_.num_blocks) {
        if (step_in_block_ == layout_.steps_per_block) {
            ++block_;
            step_in_block_ = 0;
            if (block_ < layout_.num_blocks) start_block(masked);
            continue;
        }
        const int64_t i = step_in_block_++;
        const int64_t lo = layout_.block_begin(block_);
        const int64_t hi = layout_.block_end(block_);
        plan.step = block_ * layout_.steps_per_block + i;
        plan.eligible.assign(masked.size(), {});
        current_counts_.assign(masked.size(), 0);
        bool any = false;
        for (size_t row = 0; row < masked.size(); ++row) {
            const int64_t count = counts_[row][static_cast<size_t>(i)];
            if (count == 0) continue;
            const auto& m = masked[row];
            plan.eligible[row].assign(std::lower_bound(m.begin(), m.end(), lo),
                                      std::lower_bound(m.begin(), m.end(), hi));
            current_counts_[row] = count;
            any = any || !plan.eligible[row].empty();
        }
        if (any) return true;
    }
    return false;
}

void LladaSampler::choose(const RowStep& rs, std::vector<Reveal>& reveals) const {
    const size_t n = rs.positions.size();
    std::vector<int32_t> tokens(n);
    std::vector<double> confidence(n);
    auto predict = [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            const int64_t position = rs.positions[i];
            RandomStream noise = rs.rng->stream(rs.step, int64_t(rs.row), position, RandomPurpose::token);
            tokens[i] = gumbel_max_token(rs.logits[i], rs.vocab, temperature_, noise);
            if (remasking_ == LladaRemasking::low_confidence) {
                confidence[i] = softmax_probability(rs.logits[i], rs.vocab, tokens[i]);
            } else {
                confidence[i] = rs.rng->stream(rs.step, int64_t(rs.row), position, RandomPurpose::remask).uniform();
            }
        }
    };
    if (rs.pool != nullptr) {
        rs.pool->parallel_for(n, predict);
    } else {
        predict(0, n);
    }
    for (size_t i : top_confidence(confidence, current_counts_[rs.row])) {
        reveals.push_back({rs.positions[i], tokens[i], confidence[i]});
    }
}

}  // namespace remask
