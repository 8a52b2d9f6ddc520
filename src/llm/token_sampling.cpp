#include "llm/token_sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace remask {
namespace {

int32_t argmax(const float* logits, int64_t vocab) {
    int64_t best = 0;
    for (int64_t i = 1; i < vocab; ++i)
        if (logits[i] > logits[best]) best = i;
    return static_cast<int32_t>(best);
}

}  // namespace

int32_t sample_token(const float* logits, int64_t vocab, const TokenSamplingOptions& options,
                     RandomStream& stream) {
    if (options.temperature <= 0.0 || options.top_k == 1) return argmax(logits, vocab);

    // Candidates in a fixed order (probability descending, id ascending) so that one
    // uniform draw maps to the same token however the work is arranged.
    std::vector<int32_t> order(vocab);
    std::iota(order.begin(), order.end(), 0);
    auto before = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
    int64_t keep = vocab;
    if (options.top_k > 0 && options.top_k < vocab) {
        keep = options.top_k;
        std::partial_sort(order.begin(), order.begin() + keep, order.end(), before);
    } else {
        std::sort(order.begin(), order.end(), before);
    }
    const double max_logit = logits[order[0]];
    if (!std::isfinite(max_logit)) return order[0];
    std::vector<double> weight(keep);
    double total = 0.0;
    for (int64_t i = 0; i < keep; ++i) {
        weight[i] = std::exp((static_cast<double>(logits[order[i]]) - max_logit) / options.temperature);
        total += weight[i];
    }
    if (options.top_p < 1.0) {
        // Smallest prefix whose probability reaches top_p (at least one token).
        double cumulative = 0.0;
        int64_t cut = 0;
        while (cut < keep) {
            cumulative += weight[cut] / total;
            ++cut;
            if (cumulative >= options.top_p) break;
        }
        keep = cut;
        total = std::accumulate(weight.begin(), weight.begin() + keep, 0.0);
    }
    double target = stream.uniform() * total;
    for (int64_t i = 0; i < keep; ++i) {
        target -= weight[i];
        if (target < 0.0) return order[i];
    }
    return order[keep - 1];
}

}  // namespace remask
