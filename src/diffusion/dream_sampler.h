#pragma once
// Dream's sampler (DreamGenerationMixin._sample of Dream-org/Dream-v0-Instruct-7B),
// generalized to any set of masked positions.
//
// Timesteps t_i = linspace(1, eps, steps + 1) (float32, schedule.h); step i goes t -> s.
// - `origin`: each masked position is revealed with probability 1 - s/t (1 at the last
//   step), its token drawn by dream_choose_token. The draw does not depend on logits, so
//   only the positions that will be revealed are sent to the model.
// - `maskgit_plus` / `topk_margin` / `entropy`: every masked position gets a token and a
//   confidence (top probability / top1 - top2 / negative entropy); the row reveals
//   int(n_masked * (1 - s/t)) positions (all of them at the last step): the most confident
//   (ties: lower position first), or, when alg_temp > 0, a sample without replacement with
//   weights softmax(confidence / alg_temp).
// The count is per row; the reference uses the batch average, which is the same number
// whenever the rows have equally many masks (K candidates of one context always do).

#include "diffusion/sampler.h"
#include "diffusion/token_scoring.h"

namespace remask {

enum class DreamAlgorithm { origin, maskgit_plus, topk_margin, entropy };

struct DreamOptions {
    DreamAlgorithm algorithm = DreamAlgorithm::origin;
    int64_t steps = 32;
    double eps = 1e-3;
    double temperature = 0.0;
    double top_p = 1.0;
    int64_t top_k = 0;
    double alg_temp = 0.0;
};

class DreamSampler : public Sampler {
public:
    explicit DreamSampler(DreamOptions options);

    std::string_view name() const override;
    void begin(const std::vector<std::vector<int64_t>>& masked, int64_t length,
               const KeyedRng& rng) override;
    bool next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) override;
    void choose(const RowStep& row_step, std::vector<Reveal>& reveals) const override;

    const std::vector<float>& timesteps() const { return timesteps_; }

private:
    DreamOptions options_;
    KeyedRng rng_{0};  // origin draws its reveal decisions while planning, before any logits
    std::vector<float> timesteps_;
    int64_t next_ = 0;
    std::vector<int64_t> current_counts_;  // [row] tokens to reveal at the planned step
};

// Samples `count` distinct indices with probability proportional to weights[i], as
// torch.multinomial without replacement does (here via Gumbel-top-k keys
// log w_i + G_i from `noise`, the same distribution). Zero weights are never chosen.
std::vector<size_t> sample_without_replacement(const std::vector<double>& weights, int64_t count,
                                               RandomStream& noise);

}  // namespace remask
