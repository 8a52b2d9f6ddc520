// sentence: mask whole sentences or lines of the free text, enough of them to reach a share
// r ~ U[ratio_min, ratio_max] of the free tokens (at least one).

#include <algorithm>
#include <cmath>
#include <numeric>

#include "optimize/mask_plan.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

class SentencePlan : public MaskPlan {
  public:
    explicit SentencePlan(MaskPlanOptions o) : o_(o) {}
    std::string name() const override { return "sentence"; }

    std::vector<MaskInterval> choose(const PromptTokens& tokens, std::mt19937_64& rng,
                                     const std::vector<double>*) const override {
        std::vector<MaskInterval> sentences = free_sentences(tokens);
        if (sentences.empty()) return {};
        double ratio = o_.ratio_min + (o_.ratio_max - o_.ratio_min) * uniform01(rng);
        size_t goal =
            std::max<size_t>(1, static_cast<size_t>(std::lround(ratio * tokens.free_count())));
        // A random order of sentences (Fisher-Yates with our own uniform_index).
        std::vector<size_t> order(sentences.size());
        std::iota(order.begin(), order.end(), 0);
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[uniform_index(rng, i)]);
        std::vector<MaskInterval> chosen;
        size_t done = 0;
        for (size_t idx : order) {
            if (done >= goal) break;
            chosen.push_back(sentences[idx]);
            done += sentences[idx].end - sentences[idx].begin;
        }
        return chosen;
    }

  private:
    MaskPlanOptions o_;
};

}  // namespace

std::unique_ptr<MaskPlan> make_sentence_plan(const MaskPlanOptions& options) {
    return std::make_unique<SentencePlan>(options);
}

}  // namespace remask::optimize
