// confidence: mask the spans the DLM itself finds least likely. Scores (one per free token,
// the DLM pseudo-likelihood computed by a TokenScorer) are smoothed over a window of
// mean_span tokens; the lowest windows are masked until a share
// r ~ U[ratio_min, ratio_max] of the free tokens is covered.

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "optimize/mask_plan.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

class ConfidencePlan : public MaskPlan {
  public:
    explicit ConfidencePlan(MaskPlanOptions o) : o_(o) {}
    std::string name() const override { return "confidence"; }
    bool needs_scores() const override { return true; }

    std::vector<MaskInterval> choose(const PromptTokens& tokens, std::mt19937_64& rng,
                                     const std::vector<double>* scores) const override {
        std::vector<size_t> free_at;  // piece index of each free token
        for (size_t i = 0; i < tokens.pieces.size(); ++i)
            if (!tokens.pieces[i].locked) free_at.push_back(i);
        if (free_at.empty()) return {};
        if (!scores || scores->size() != free_at.size())
            throw InputError("confidence mask plan",
                             "needs one score per free prompt token (got " +
                                 std::to_string(scores ? scores->size() : 0) + " for " +
                                 std::to_string(free_at.size()) + ")");
        double ratio = o_.ratio_min + (o_.ratio_max - o_.ratio_min) * uniform01(rng);
        size_t goal = std::max<size_t>(1, static_cast<size_t>(std::lround(ratio * free_at.size())));
        size_t width =
            std::max<size_t>(1, std::min(goal, static_cast<size_t>(std::lround(o_.mean_span))));

        // Windows of `width` consecutive free tokens that do not cross a locked piece.
        struct Window {
            size_t first;
            double mean;
        };
        std::vector<Window> windows;
        for (size_t k = 0; k + width <= free_at.size(); ++k) {
            if (free_at[k + width - 1] - free_at[k] != width - 1) continue;
            double sum = 0;
            for (size_t j = k; j < k + width; ++j) sum += (*scores)[j];
            windows.push_back({k, sum / static_cast<double>(width)});
        }
        if (windows.empty()) {  // every free run is shorter than a window: single tokens
            width = 1;
            for (size_t k = 0; k < free_at.size(); ++k) windows.push_back({k, (*scores)[k]});
        }
        std::stable_sort(windows.begin(), windows.end(),
                         [](const Window& a, const Window& b) { return a.mean < b.mean; });

        std::vector<char> masked(free_at.size(), 0);
        size_t done = 0;
        for (const Window& w : windows) {
            if (done >= goal) break;
            for (size_t j = w.first; j < w.first + width; ++j)
                if (!masked[j]) {
                    masked[j] = 1;
                    ++done;
                }
        }
        std::vector<MaskInterval> spans;
        for (size_t k = 0; k < free_at.size();) {
            if (!masked[k]) {
                ++k;
                continue;
            }
            size_t j = k;
            while (j + 1 < free_at.size() && masked[j + 1] && free_at[j + 1] == free_at[j] + 1) ++j;
            spans.push_back({free_at[k], free_at[j] + 1});
            k = j + 1;
        }
        return spans;
    }

  private:
    MaskPlanOptions o_;
};

}  // namespace

std::unique_ptr<MaskPlan> make_confidence_plan(const MaskPlanOptions& options) {
    return std::make_unique<ConfidencePlan>(options);
}

}  // namespace remask::optimize
