#include "diffusion/token_scoring.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace remask {

int32_t argmax_token(const float* logits, int64_t vocab) {
    int64_t best = 0;
    for (int64_t v = 1; v < vocab; ++v) {
        if (logits[v] > logits[best]) best = v;
    }
    return static_cast<int32_t>(best);
}

double softmax_probability(const float* logits, int64_t vocab, int32_t token) {
    double max_logit = -std::numeric_limits<double>::infinity();
    for (int64_t v = 0; v < vocab; ++v) max_logit = std::max(max_logit, double(logits[v]));
    double sum = 0.0;
    for (int64_t v = 0; v < vocab; ++v) sum += std::exp(double(logits[v]) - max_logit);
    return std::exp(double(logits[token]) - max_logit) / sum;
}

int32_t gumbel_max_token(const float* logits, int64_t vocab, double temperature,
                         RandomStream& noise) {
    if (temperature <= 0.0) return argmax_token(logits, vocab);
    int64_t best = 0;
    double best_key = -std::numeric_limits<double>::infinity();
    for (int64_t v = 0; v < vocab; ++v) {
        // exp(l) / (-log u)^T  ranks the same as  l - T * log(-log u).
        const double key = double(logits[v]) - temperature * std::log(-std::log(noise.uniform_open()));
        if (key > best_key) {
            best_key = key;
            best = v;
        }
    }
    return static_cast<int32_t>(best);
}

namespace {

constexpr double kFiltered = -std::numeric_limits<double>::infinity();

// Softmax in place over `x`; entries at -inf get probability 0.
void softmax_in_place(std::vector<double>& x) {
    const double max_value = *std::max_element(x.begin(), x.end());
    double sum = 0.0;
    for (double& value : x) {
        value = std::exp(value - max_value);
        sum += value;
    }
    for (double& value : x) value /= sum;
}

// Dream's top_p_logits: sort descending (ties: lower id first), drop tokens once the
// cumulative probability before them exceeds top_p; the best token is always kept.
void filter_top_p(std::vector<double>& scaled, double top_p) {
    const size_t n = scaled.size();
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return scaled[a] > scaled[b]; });
    std::vector<double> sorted_probs(n);
    for (size_t i = 0; i < n; ++i) sorted_probs[i] = scaled[order[i]];
    softmax_in_place(sorted_probs);
    double cumulative = 0.0;
    bool remove_next = false;  // the reference shifts the removal mask right by one
    for (size_t i = 0; i < n; ++i) {
        const bool remove = remove_next;
        cumulative += sorted_probs[i];
        remove_next = cumulative > top_p;
        if (remove && i > 0) scaled[order[i]] = kFiltered;
    }
}

// Dream's top_k_logits: drop every logit strictly below the k-th largest.
void filter_top_k(std::vector<double>& scaled, int64_t top_k) {
    const size_t k = static_cast<size_t>(std::min<int64_t>(top_k, int64_t(scaled.size())));
    std::vector<double> copy = scaled;
    std::nth_element(copy.begin(), copy.begin() + (k - 1), copy.end(), std::greater<double>());
    const double kth = copy[k - 1];
    for (double& value : scaled) {
        if (value < kth) value = kFiltered;
    }
}

}  // namespace

TokenChoice dream_choose_token(const float* logits, int64_t vocab, double temperature,
                               double top_p, int64_t top_k, DreamConfidence kind,
                               RandomStream& noise, std::vector<double>& work) {
    work.assign(logits, logits + vocab);
    if (temperature > 0.0) {
        for (double& value : work) value /= temperature;
    }
    if (top_p < 1.0) filter_top_p(work, top_p);
    if (top_k > 0) filter_top_k(work, top_k);
    softmax_in_place(work);
    const std::vector<double>& probs = work;

    TokenChoice choice;
    if (temperature > 0.0) {
        const double u = noise.uniform();
        double cumulative = 0.0;
        int64_t chosen = -1;
        for (int64_t v = 0; v < vocab; ++v) {
            if (probs[v] <= 0.0) continue;
            chosen = v;  // the last token with mass, in case rounding leaves u above the total
            cumulative += probs[v];
            if (u < cumulative) break;
        }
        choice.token = static_cast<int32_t>(chosen);
    } else {
        choice.token = static_cast<int32_t>(std::max_element(probs.begin(), probs.end()) - probs.begin());
    }
    choice.confidence = probs[choice.token];

    if (kind == DreamConfidence::margin) {
        double top1 = 0.0;
        double top2 = 0.0;
        for (double p : probs) {
            if (p > top1) {
                top2 = top1;
                top1 = p;
            } else if (p > top2) {
                top2 = p;
            }
        }
        choice.confidence = top1 - top2;
    } else if (kind == DreamConfidence::neg_entropy) {
        double sum = 0.0;
        for (double p : probs) sum += p * std::log(p + 1e-10);
        choice.confidence = sum;
    }
    return choice;
}

}  // namespace remask
