#include "diffusion/dream_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/llada_sampler.h"
#include "diffusion/schedule.h"

namespace remask {

std::vector<size_t> sample_without_replacement(const std::vector<double>& weights, int64_t count,
                                               RandomStream& noise) {
    std::vector<double> keys(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
        const double g = noise.gumbel();  // drawn for every index so keys do not shift
        keys[i] = weights[i] > 0.0 ? std::log(weights[i]) + g : -std::numeric_limits<double>::infinity();
    }
    size_t positive = 0;
    for (double w : weights) positive += w > 0.0 ? 1 : 0;
    return top_confidence(keys, std::min<int64_t>(count, int64_t(positive)));
}

DreamSampler::DreamSampler(DreamOptions options) : options_(options) {
    if (options_.steps < 1) {
        throw InputError("steps", "must be at least 1, got " + std::to_string(options_.steps));
    }
    if (!(options_.eps > 0.0 && options_.eps < 1.0)) {
        throw InputError("eps", "must be in (0, 1), got " + std::to_string(options_.eps));
    }
    if (options_.top_p <= 0.0) {
        throw InputError("top_p", "must be in (0, 1], got " + std::to_string(options_.top_p));
    }
    if (options_.alg_temp < 0.0) {
        throw InputError("alg_temp", "must be >= 0, got " + std::to_string(options_.alg_temp));
    }
}

std::string_view DreamSampler::name() const {
    switch (options_.algorithm) {
        case DreamAlgorithm::origin: return "origin";
        case DreamAlgorithm::maskgit_plus: return "maskgit_plus";
        case DreamAlgorithm::topk_margin: return "topk_margin";
        case DreamAlgorithm::entropy: return "entropy";
    }
    return "dream";
}

void DreamSampler::begin(const std::vector<std::vector<int64_t>>& /*masked*/, int64_t /*length*/,
                         const KeyedRng& rng) {
    rng_ = rng;
    timesteps_ = dream_timesteps(options_.steps, static_cast<float>(options_.eps));
    next_ = 0;
}

bool DreamSampler::next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) {
    while (next_ < options_.steps) {
        const int64_t i = next_++;
        plan.step = i;
        plan.eligible.assign(masked.size(), {});
        current_counts_.assign(masked.size(), 0);
        bool any = false;
        for (size_t row = 0; row < masked.size(); ++row) {
            const auto& m = masked[row];
            if (m.empty()) continue;
            if (options_.algorithm == DreamAlgorithm::origin) {
                const bool last = i == options_.steps - 1;
                const float t = timesteps_[size_t(i)];
                const float s = timesteps_[size_t(i + 1)];
                const double p_transfer = last ? 1.0 : double(1.0f - s / t);
                for (int64_t position : m) {
                    RandomStream draw = rng_.stream(i, int64_t(row), position, RandomPurpose::transfer);
                    if (draw.uniform() < p_transfer) plan.eligible[row].push_back(position);
                }
                current_counts_[row] = int64_t(plan.eligible[row].size());
            } else {
                current_counts_[row] = dream_transfer_count(int64_t(m.size()), timesteps_, i);
                if (current_counts_[row] > 0) plan.eligible[row] = m;
            }
            any = any || !plan.eligible[row].empty();
        }
        if (any) return true;
    }
    return false;
}

void DreamSampler::choose(const RowStep& rs, std::vector<Reveal>& reveals) const {
    const size_t n = rs.positions.size();
    DreamConfidence kind = DreamConfidence::probability;
    if (options_.algorithm == DreamAlgorithm::topk_margin) kind = DreamConfidence::margin;
    if (options_.algorithm == DreamAlgorithm::entropy) kind = DreamConfidence::neg_entropy;
    std::vector<TokenChoice> choices(n);
    auto predict = [&](size_t begin, size_t end) {
        std::vector<double> work;
        for (size_t i = begin; i < end; ++i) {
            RandomStream noise = rs.rng->stream(rs.step, int64_t(rs.row), rs.positions[i], RandomPurpose::token);
            choices[i] = dream_choose_token(rs.logits[i], rs.vocab, options_.temperature, options_.top_p,
                                            options_.top_k, kind, noise, work);
        }
    };
    if (rs.pool != nullptr) {
        rs.pool->parallel_for(n, predict);
    } else {
        predict(0, n);
    }

    if (options_.algorithm == DreamAlgorithm::origin) {
        for (size_t i = 0; i < n; ++i) reveals.push_back({rs.positions[i], choices[i].token, choices[i].confidence});
        return;
    }
    std::vector<double> confidence(n);
    for (size_t i = 0; i < n; ++i) confidence[i] = choices[i].confidence;
    const int64_t count = current_counts_[rs.row];
    std::vector<size_t> picked;
    if (options_.alg_temp > 0.0) {
        // softmax(confidence / alg_temp) over the masked positions.
        const double max_c = *std::max_element(confidence.begin(), confidence.end());
        std::vector<double> weights(n);
        for (size_t i = 0; i < n; ++i) weights[i] = std::exp((confidence[i] - max_c) / options_.alg_temp);
        RandomStream noise = rs.rng->stream(rs.step, int64_t(rs.row), -1, RandomPurpose::position);
        picked = sample_without_replacement(weights, count, noise);
        if (int64_t(picked.size()) < count) {
            // Weights that underflowed to 0: fill up with the most confident of the rest.
            std::vector<double> rest = confidence;
            for (size_t i : picked) rest[i] = -std::numeric_limits<double>::infinity();
            for (size_t i : top_confidence(rest, count - int64_t(picked.size()))) picked.push_back(i);
        }
    } else {
        picked = top_confidence(confidence, count);
    }
    for (size_t i : picked) reveals.push_back({rs.positions[i], choices[i].token, choices[i].confidence});
}

}  // namespace remask
